import uuid

from fastapi import APIRouter, Response

from case_api.bevakning.models import Bevakning
from case_api.bevakning.router import ut as bevakning_ut
from case_api.insats.models import Insats
from case_api.kontext import Ctx
from case_api.laddning import hamta_for_kommando
from case_api.placering import service
from case_api.placering.models import Placeringsbeslut
from case_api.placering.schemas import EfteruppfoljningIn, OvervagandeIn, PlaceringsbeslutOut
from case_api.responses import COMMAND
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
    "LVU, under 18); after a SoL placement in familjehem or HVB the nämnd may decide on one "
    "(23 kap. 2 § SoL (2025:400)). Either way it ends at the latest six months after the placement "
    "(23 kap. 5 § SoL; 21 c § LVU): handelse avslutad meets that bevakning.",
)
async def record_efteruppfoljning(
    k: Ctx, insats_id: uuid.UUID, body: EfteruppfoljningIn, response: Response, if_match: IfMatch = None
) -> PlaceringsbeslutOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    p, nasta = await service.efteruppfoljning(k, insats=insats, indata=body)
    set_etag(response, insats.version)
    await k.logga("placeringsbeslut", p)
    return ut(p, nasta)
