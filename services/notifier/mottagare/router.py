from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from common.concurrency import IfMatch, set_etag
from common.db import SessionDep
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from notifier.dependencies import Caller, ClockDep
from notifier.mottagare import service as mottagare_service
from notifier.mottagare.models import Mottagare
from notifier.mottagare.schemas import MottagareCreate, MottagarePage, MottagareRead, MottagareUpdate

router = APIRouter(prefix="/v1/mottagare", tags=["mottagare"])

# No control characters: PostgreSQL text cannot hold NUL.
TEXT = r"^[^\x00-\x1f]+$"
SubPath = Annotated[str, Path(min_length=1, max_length=200, pattern=TEXT)]


def _read(row: Mottagare) -> MottagareRead:
    return MottagareRead.model_validate(row, from_attributes=True)


@router.post(
    "", status_code=201, response_model=MottagareRead, summary="Add a recipient", responses={409: {}}
)
async def create_mottagare(
    data: MottagareCreate,
    caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        row = await mottagare_service.create(session, data=data, clock=clock)
        # Percent-encoded: a sub is any text, a header only latin-1 (an "ę" answered 500).
        location = f"/v1/mottagare/{quote(row.sub, safe='')}"
        return outcome(201, _read(row), {"ETag": f'"{row.version}"', "Location": location})

    return await run_idempotent(
        session,
        key=idempotency_key,
        principal=caller.sub,
        operation="create_mottagare",
        body=data,
        work=work,
    )


@router.get("", response_model=MottagarePage, summary="The e-mail directory")
async def list_mottagare(
    _caller: Caller,
    session: SessionDep,
    enhet: Annotated[str | None, Query(max_length=100, pattern=TEXT)] = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=TEXT)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MottagarePage:
    rows, next_cursor = await mottagare_service.list_page(session, enhet=enhet, cursor=cursor, limit=limit)
    return MottagarePage(items=[_read(r) for r in rows], next_cursor=next_cursor)


# `:path`: a sub may hold a "/" (%2F reaches the router decoded), and then is still one recipient
# (schemathesis found one it could create and not read back).
@router.get("/{sub:path}", response_model=MottagareRead, summary="One recipient")
async def get_mottagare(
    sub: SubPath, _caller: Caller, session: SessionDep, response: Response
) -> MottagareRead:
    row = await mottagare_service.get(session, sub=sub)
    set_etag(response, row.version)
    return _read(row)


@router.patch(
    "/{sub:path}", response_model=MottagareRead, summary="Change a recipient", responses={412: {}, 428: {}}
)
async def update_mottagare(
    sub: SubPath,
    data: MottagareUpdate,
    _caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> MottagareRead:
    row = await mottagare_service.update(session, sub=sub, data=data, if_match=if_match, clock=clock)
    set_etag(response, row.version)
    return _read(row)
