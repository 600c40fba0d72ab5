import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.intake import aterkoppling, forlangning, service
from case_api.intake.models import Aktualisering
from case_api.intake.schemas import (
    AktualiseringIn,
    AktualiseringOut,
    AktualiseringPage,
    AktualiseringStatus,
    AterkopplingBegaranIn,
    AterkopplingIn,
    AterkopplingOut,
    ForhandsbedomningForlangningIn,
    ForhandsbedomningForlangningOut,
    ForhandsbedomningIn,
    ForhandsbedomningOut,
    SkyddsbedomningIn,
    SkyddsbedomningOut,
)
from case_api.kontext import Ctx, Kontext
from case_api.laddning import hamta, hamta_for_kommando, las
from case_api.responses import COMMAND, CREATE, LIST, READ
from case_api.tillstand import AKTUALISERING, anrop
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from common.pagination import CursorParam, IsoDate, LimitParam, time_keyed_page

router = APIRouter(prefix="/v1/aktualiseringar", tags=["aktualiseringar"])

# The inbox by default: the states still waiting for a skyddsbedömning or förhandsbedömning,
# read off the state machine so a new waiting state is in the inbox without a second list.
VANTAR = sorted(
    state
    for state, commands in AKTUALISERING.items()
    if {"skyddsbedomning", "forhandsbedomning"} & commands.keys()
)


async def ut(k: Kontext, akt: Aktualisering) -> AktualiseringOut:
    skydd, forhand = await service.bedomningar(k, akt)
    arende = await las(k, Arende, akt.arende_id)
    oppet = arende is not None and arende.status == "oppet"
    return AktualiseringOut.model_validate(
        {
            **akt.model_dump(),
            **(anrop("aktualisering", akt.status, akt.id) if oppet else anrop("aktualisering", "", akt.id)),
            "skyddsbedomning": SkyddsbedomningOut.model_validate(skydd) if skydd else None,
            "forhandsbedomning": ForhandsbedomningOut.model_validate(forhand) if forhand else None,
            "aterkoppling": AterkopplingOut.model_validate(a)
            if (a := await aterkoppling.hamta(k, akt))
            else None,
            "forlangningar": [
                ForhandsbedomningForlangningOut.model_validate(f)
                for f in await forlangning.forlangningar(k, akt)
            ],
        }
    )


def ut_registrerad(akt: Aktualisering) -> AktualiseringOut:
    """A just-registered aktualisering: its ärende is open and nothing is decided on it yet,
    so there is nothing to read back."""
    return AktualiseringOut.model_validate({**akt.model_dump(), **anrop("aktualisering", akt.status, akt.id)})


@router.post(
    "",
    status_code=201,
    response_model=AktualiseringOut,
    responses=CREATE,
    summary="Register an anmälan, ansökan or övrig information",
)
async def register_aktualisering(
    k: Ctx, body: AktualiseringIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        akt = await service.registrera(k, indata=body)
        await k.logga("aktualisering", akt)
        headers = {"ETag": etag(akt.version), "Location": f"/v1/aktualiseringar/{akt.id}"}
        return outcome(201, ut_registrerad(akt), headers)

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation="register_aktualisering",
        body=body,
        work=work,
    )


@router.get(
    "",
    response_model=AktualiseringPage,
    responses=LIST,
    summary="The mottagning's inbox: aktualiseringar of the caller's enhet, oldest first",
    description="Without `status`: those waiting for a skyddsbedömning or förhandsbedömning ("
    + ", ".join(VANTAR)
    + "). `inkom_fran`/`inkom_till` bound the day it came in (Europe/Stockholm), both inclusive.",
)
async def list_aktualiseringar(
    k: Ctx,
    status: Annotated[list[AktualiseringStatus] | None, Query(description="Repeat for several.")] = None,
    inkom_fran: Annotated[IsoDate | None, Query(description="Came in this day or later.")] = None,
    inkom_till: Annotated[IsoDate | None, Query(description="Came in this day or earlier.")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> AktualiseringPage:
    query = select(Aktualisering).where(col(Aktualisering.status).in_(status or VANTAR))
    if not k.scope.alla:
        query = query.where(col(Aktualisering.enhet) == (k.scope.enhet or ""))
    if inkom_fran is not None:
        query = query.where(col(Aktualisering.inkom_dag) >= inkom_fran)
    if inkom_till is not None:
        query = query.where(col(Aktualisering.inkom_dag) <= inkom_till)
    page, nasta = await time_keyed_page(
        k.session, query, at=col(Aktualisering.inkom), id_=col(Aktualisering.id), cursor=cursor, limit=limit
    )
    await k.logga_lista("aktualisering", page)
    return AktualiseringPage(items=[await ut(k, a) for a in page], next_cursor=nasta)


@router.get(
    "/{aktualisering_id}", response_model=AktualiseringOut, responses=READ, summary="One aktualisering"
)
async def get_aktualisering(k: Ctx, aktualisering_id: uuid.UUID, response: Response) -> AktualiseringOut:
    akt = await hamta(k, Aktualisering, aktualisering_id, objekt="aktualisering")
    set_etag(response, akt.version)
    await k.logga("aktualisering", akt)
    return await ut(k, akt)


@router.post(
    "/{aktualisering_id}/skyddsbedomning",
    response_model=AktualiseringOut,
    responses=COMMAND,
    summary="Record the skyddsbedömning of an anmälan",
)
async def record_skyddsbedomning(
    k: Ctx, aktualisering_id: uuid.UUID, body: SkyddsbedomningIn, response: Response, if_match: IfMatch = None
) -> AktualiseringOut:
    akt = await hamta_for_kommando(
        k, Aktualisering, aktualisering_id, objekt="aktualisering", if_match=if_match
    )
    await service.skyddsbedom(k, akt=akt, indata=body)
    set_etag(response, akt.version)
    await k.logga("skyddsbedomning", akt)
    return await ut(k, akt)


@router.post(
    "/{aktualisering_id}/forhandsbedomning",
    response_model=AktualiseringOut,
    responses=COMMAND,
    summary="Decide the förhandsbedömning: open an utredning or not",
)
async def decide_forhandsbedomning(
    k: Ctx,
    aktualisering_id: uuid.UUID,
    body: ForhandsbedomningIn,
    response: Response,
    if_match: IfMatch = None,
) -> AktualiseringOut:
    akt = await hamta_for_kommando(
        k, Aktualisering, aktualisering_id, objekt="aktualisering", if_match=if_match
    )
    await service.forhandsbedom(k, akt=akt, indata=body)
    set_etag(response, akt.version)
    await k.logga("forhandsbedomning", akt)
    return await ut(k, akt)


@router.post(
    "/{aktualisering_id}/forlangning",
    response_model=AktualiseringOut,
    responses=COMMAND,
    summary="Extend the förhandsbedömning for synnerliga skäl, by a decision with a new last day",
    description="20 kap. 2 § SoL (2025:400): the fourteen days may be extended only for synnerliga "
    "skäl. Decided by an arbetsledare before the förhandsbedömning; its bevakning moves to the new day.",
)
async def extend_forhandsbedomning(
    k: Ctx,
    aktualisering_id: uuid.UUID,
    body: ForhandsbedomningForlangningIn,
    response: Response,
    if_match: IfMatch = None,
) -> AktualiseringOut:
    akt = await hamta_for_kommando(
        k, Aktualisering, aktualisering_id, objekt="aktualisering", if_match=if_match
    )
    await forlangning.forlang(k, akt=akt, indata=body)
    set_etag(response, akt.version)
    await k.logga("forhandsbedomning", akt)
    return await ut(k, akt)


@router.post(
    "/{aktualisering_id}/aterkopplingsbegaran",
    response_model=AktualiseringOut,
    responses=COMMAND,
    summary="Record that the anmälare asked for återkoppling",
    description="19 kap. 6 § SoL (2025:400): the anmälare is told whether an utredning was opened, "
    "not opened or is under way, at the latest a week after the förhandsbedömning's beslut; at once "
    "when asked after it or while an utredning is under way. Opens that bevakning.",
)
async def request_aterkoppling(
    k: Ctx,
    aktualisering_id: uuid.UUID,
    body: AterkopplingBegaranIn,
    response: Response,
    if_match: IfMatch = None,
) -> AktualiseringOut:
    akt = await hamta_for_kommando(
        k, Aktualisering, aktualisering_id, objekt="aktualisering", if_match=if_match
    )
    await aterkoppling.begar(k, akt=akt, indata=body)
    set_etag(response, akt.version)
    await k.logga("aktualisering", akt)
    return await ut(k, akt)


@router.post(
    "/{aktualisering_id}/aterkoppling",
    response_model=AktualiseringOut,
    responses=COMMAND,
    summary="Record the återkoppling to the anmälare: given, or not given because olämplig",
)
async def record_aterkoppling(
    k: Ctx,
    aktualisering_id: uuid.UUID,
    body: AterkopplingIn,
    response: Response,
    if_match: IfMatch = None,
) -> AktualiseringOut:
    akt = await hamta_for_kommando(
        k, Aktualisering, aktualisering_id, objekt="aktualisering", if_match=if_match
    )
    await aterkoppling.lamna(k, akt=akt, indata=body)
    set_etag(response, akt.version)
    await k.logga("aktualisering", akt)
    return await ut(k, akt)
