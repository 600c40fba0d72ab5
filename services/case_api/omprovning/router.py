"""GET /v1/omprovningar (the handläggare's open tasks), one omprövning, and its avslut."""

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.insats.models import Omprovning
from case_api.kontext import Ctx, Kontext
from case_api.laddning import hamta, hamta_for_kommando
from case_api.omprovning import service
from case_api.omprovning.schemas import OmprovningAvslutIn, OmprovningOut, OmprovningPage, OmprovningStatus
from case_api.responses import COMMAND, LIST, READ
from case_api.tillstand import tillatna
from common.concurrency import IfMatch, set_etag
from common.pagination import CursorParam, LimitParam, time_keyed_page

router = APIRouter(prefix="/v1/omprovningar", tags=["omprovningar"])


async def ut_lista(k: Kontext, rows: Sequence[Omprovning]) -> list[OmprovningOut]:
    """The omprövningar with their due dates, read in one query."""
    bevakningar = await service.bevakningar(k, [o.id for o in rows])
    out = []
    for o in rows:
        b = bevakningar.get(o.id)
        out.append(
            OmprovningOut.model_validate(
                {
                    **o.model_dump(),
                    "forfallodatum": b.forfallodatum if b else None,
                    "bevakning_id": b.id if b else None,
                    "tillatna_kommandon": tillatna("omprovning", o.status),
                }
            )
        )
    return out


@router.get(
    "",
    response_model=OmprovningPage,
    responses=LIST,
    summary="Omprövningar of the caller's enhet, oldest first (status=oppen: what is left to do)",
)
async def list_omprovningar(
    k: Ctx,
    status: Annotated[OmprovningStatus | None, Query()] = None,
    arende_id: uuid.UUID | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> OmprovningPage:
    query = select(Omprovning)
    if not k.scope.alla:
        # One enhet's list, as the (enhet, status, created_at, id) index serves it.
        query = query.where(col(Omprovning.enhet) == (k.scope.enhet or ""))
    for column, value in ((col(Omprovning.status), status), (col(Omprovning.arende_id), arende_id)):
        if value is not None:
            query = query.where(column == value)
    page, nasta = await time_keyed_page(
        k.session, query, at=col(Omprovning.created_at), id_=col(Omprovning.id), cursor=cursor, limit=limit
    )
    await k.logga_lista("omprovning", page)
    return OmprovningPage(items=await ut_lista(k, page), next_cursor=nasta)


@router.get("/{omprovning_id}", response_model=OmprovningOut, responses=READ, summary="One omprövning")
async def get_omprovning(k: Ctx, omprovning_id: uuid.UUID, response: Response) -> OmprovningOut:
    o = await hamta(k, Omprovning, omprovning_id, objekt="omprövning")
    set_etag(response, o.version)
    await k.logga("omprovning", o)
    return (await ut_lista(k, [o]))[0]


@router.post(
    "/{omprovning_id}/avslut",
    response_model=OmprovningOut,
    responses=COMMAND,
    summary="Close an omprövning with the new beslut, or with why none was needed",
    description="Meets the omprövning's bevakning. The beslut must be of the same ärende and dated "
    "on or after the day the omprövning was opened; without one, `motivering` says why none was needed.",
)
async def close_omprovning(
    k: Ctx, omprovning_id: uuid.UUID, body: OmprovningAvslutIn, response: Response, if_match: IfMatch = None
) -> OmprovningOut:
    o = await hamta_for_kommando(k, Omprovning, omprovning_id, objekt="omprövning", if_match=if_match)
    await service.avsluta(k, omprovning=o, indata=body)
    set_etag(response, o.version)
    await k.logga("omprovning", o)
    return (await ut_lista(k, [o]))[0]
