import uuid

from fastapi import APIRouter, Response

from case_api.kontext import Ctx, Kontext
from case_api.laddning import hamta, hamta_for_kommando
from case_api.responses import COMMAND, READ
from case_api.tillstand import anrop
from case_api.utredning import service
from case_api.utredning.models import Utredning
from case_api.utredning.schemas import ForlangningIn, ForlangningOut, UtredningAvslutIn, UtredningOut
from common.concurrency import IfMatch, set_etag

router = APIRouter(prefix="/v1/utredningar", tags=["utredningar"])


async def ut(k: Kontext, u: Utredning) -> UtredningOut:
    return UtredningOut.model_validate(
        {
            **u.model_dump(),
            "forlangningar": [ForlangningOut.model_validate(f) for f in await service.forlangningar(k, u.id)],
            **anrop("utredning", u.status, u.id),
        }
    )


@router.get("/{utredning_id}", response_model=UtredningOut, responses=READ, summary="One utredning")
async def get_utredning(k: Ctx, utredning_id: uuid.UUID, response: Response) -> UtredningOut:
    u = await hamta(k, Utredning, utredning_id, objekt="utredning")
    set_etag(response, u.version)
    await k.logga("utredning", u)
    return await ut(k, u)


@router.post(
    "/{utredning_id}/forlangning",
    response_model=UtredningOut,
    responses=COMMAND,
    summary="Extend the utredning by a decision with its reasons and a new end date",
)
async def extend_utredning(
    k: Ctx, utredning_id: uuid.UUID, body: ForlangningIn, response: Response, if_match: IfMatch = None
) -> UtredningOut:
    u = await hamta_for_kommando(k, Utredning, utredning_id, objekt="utredning", if_match=if_match)
    await service.forlang(k, utredning=u, indata=body)
    set_etag(response, u.version)
    await k.logga("utredning", u)
    return await ut(k, u)


@router.post(
    "/{utredning_id}/avslut",
    response_model=UtredningOut,
    responses=COMMAND,
    summary="Close the utredning with its result",
)
async def close_utredning(
    k: Ctx, utredning_id: uuid.UUID, body: UtredningAvslutIn, response: Response, if_match: IfMatch = None
) -> UtredningOut:
    u = await hamta_for_kommando(k, Utredning, utredning_id, objekt="utredning", if_match=if_match)
    await service.avsluta(k, utredning=u, indata=body)
    set_etag(response, u.version)
    await k.logga("utredning", u)
    return await ut(k, u)
