import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from case_api.bevakning.models import Bevakning
from case_api.bevakning.router import ut as bevakning_ut
from case_api.insats.models import Insats
from case_api.kontext import Ctx
from case_api.laddning import hamta, hamta_for_kommando
from case_api.placering import service
from case_api.placering.models import Placeringsbeslut, Vardplan
from case_api.placering.schemas import (
    EfteruppfoljningIn,
    GenomforandeplanRef,
    OvervagandeIn,
    PlaceringsbeslutOut,
    VardplanFaststallandeIn,
    VardplanIn,
    VardplanLista,
    VardplanOut,
)
from case_api.regler import datum
from case_api.responses import COMMAND, READ
from common.concurrency import IfMatch, set_etag

router = APIRouter(prefix="/v1/insatser", tags=["placeringar"])


def ut(p: Placeringsbeslut, nasta: Bevakning | None) -> PlaceringsbeslutOut:
    return PlaceringsbeslutOut.model_validate(
        {**p.model_dump(), "nasta_bevakning": bevakning_ut(nasta) if nasta else None}
    )


@router.post(
    "/{insats_id}/overvaganden",
    response_model=PlaceringsbeslutOut,
    responses=COMMAND,
    summary="Record the nämnd's övervägande of a placement; its bevakning is met and the next opens",
    description="overvagande every six months (22 kap. 13 § SoL (2025:400); 13 § första stycket "
    "LVU), omprovning_lvu of care under LVU 3 § (13 § andra stycket LVU), vardnadsoverflyttning "
    "for a familjehem (22 kap. 14 § SoL; 13 c § LVU), or jourhem: a longer stay for särskilda "
    "skäl (22 kap. 4 § SoL), which moves its bevakning to ny_sista_dag.",
)
async def record_overvagande(
    k: Ctx, insats_id: uuid.UUID, body: OvervagandeIn, response: Response, if_match: IfMatch = None
) -> PlaceringsbeslutOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    p, nasta = await service.overvag(k, insats=insats, indata=body)
    set_etag(response, insats.version)
    await k.logga("placeringsbeslut", p)
    return ut(p, nasta)


@router.post(
    "/{insats_id}/efteruppfoljning",
    response_model=PlaceringsbeslutOut,
    responses=COMMAND,
    summary="Open or close the uppföljning after a placement ended",
    description="After vård enligt LVU the uppföljning opens by itself when the insats ends (21 b § "
    "LVU, under 18), unless the end said the återförening with the vårdnadshavare needs preparing: "
    "then handelse aterforening records the day it happened, and the uppföljning starts that day "
    "(21 b § andra stycket LVU) and ends at the latest six months on (21 c § tredje stycket). After "
    "a SoL placement in familjehem or HVB the nämnd may decide on one (23 kap. 2 § SoL (2025:400)), "
    "ending at the latest six months after the placement ended (23 kap. 5 § SoL). Handelse "
    "avslutad meets that bevakning.",
)
async def record_efteruppfoljning(
    k: Ctx, insats_id: uuid.UUID, body: EfteruppfoljningIn, response: Response, if_match: IfMatch = None
) -> PlaceringsbeslutOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    p, nasta = await service.efteruppfoljning(k, insats=insats, indata=body)
    set_etag(response, insats.version)
    await k.logga("placeringsbeslut", p)
    return ut(p, nasta)


def vardplan_ut(v: Vardplan) -> VardplanOut:
    return VardplanOut.model_validate(v)


@router.post(
    "/{insats_id}/vardplaner",
    response_model=VardplanOut,
    responses=COMMAND,
    summary="Record the placement's vårdplan, or a revision of it as the next version",
    description="The nämnd's plan for the care (9 kap. 12 § SoL (2025:400)): the first version meets "
    "the vardplan bevakning opened by the beslut; the first revision (version 2) meets "
    "vardplan_revidering, due at the latest two years after the placement began, and takes up the "
    "child's långsiktiga boende or gives the särskilda skäl against it (9 kap. 13 §).",
)
async def record_vardplan(
    k: Ctx, insats_id: uuid.UUID, body: VardplanIn, response: Response, if_match: IfMatch = None
) -> VardplanOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    v = await service.upprata_vardplan(k, insats=insats, indata=body)
    set_etag(response, insats.version)
    await k.logga("vardplan", v)
    return vardplan_ut(v)


@router.post(
    "/{insats_id}/vardplaner/{version}/faststallande",
    response_model=VardplanOut,
    responses=COMMAND,
    summary="Record the day the latest vårdplan was fastställd and communicated",
    description="Once per version, and only for the latest: a changed plan is a revision.",
)
async def establish_vardplan(
    k: Ctx,
    insats_id: uuid.UUID,
    version: Annotated[int, Path(ge=1, le=10000)],
    body: VardplanFaststallandeIn,
    response: Response,
    if_match: IfMatch = None,
) -> VardplanOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    v = await service.faststall_vardplan(k, insats=insats, version=version, indata=body)
    set_etag(response, insats.version)
    await k.logga("vardplan", v)
    return vardplan_ut(v)


@router.get(
    "/{insats_id}/vardplaner",
    response_model=VardplanLista,
    responses=READ,
    summary="The placement's vårdplan, every version, and the genomförandeplan beside it",
    description="vardplan_saknas: a familjehem, stödboende or HVB placement with no vårdplan. "
    "genomforandeplan_ses_over: the vårdplan was revised and the genomförandeplan has not been "
    "reviewed since (9 kap. 13 § första stycket).",
)
async def list_vardplaner(k: Ctx, insats_id: uuid.UUID) -> VardplanLista:
    insats = await hamta(k, Insats, insats_id, objekt="insats")
    planer = await service.vardplaner(k, insats.id)
    gplaner = await service.genomforandeplaner(k, insats.id)
    senaste = gplaner[-1] if gplaner else None
    # One placement's plans are one child's: one audit row, for the insats they belong to.
    await k.logga("vardplaner", insats)
    return VardplanLista(
        items=[vardplan_ut(v) for v in planer],
        vardplan_saknas=not planer
        and service.ar_placering(insats)
        and insats.insatstyp in service.VARDPLAN_TYPER,
        genomforandeplan=GenomforandeplanRef(
            id=senaste.id,
            uppdrag_id=senaste.uppdrag_id,
            versionsnummer=senaste.versionsnummer,
            status=senaste.status,
            faststalld_datum=senaste.faststalld_datum,
            upprattad=datum.lokal_dag(senaste.created_at),
        )
        if senaste
        else None,
        genomforandeplan_ses_over=service.ses_over(planer, gplaner),
    )
