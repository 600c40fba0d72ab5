import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from case_api.dependencies import Caller
from case_api.kontaktfamiljer import service
from case_api.kontaktfamiljer.schemas import (
    AvtalInput,
    KontaktfamiljAvslutInput,
    KontaktfamiljCreate,
    KontaktfamiljPage,
    KontaktfamiljRead,
    KontaktfamiljSummary,
    UtredningsstegCreate,
)
from case_api.kontaktfamiljer.state_machine import Status
from common.clock import ClockDep
from common.concurrency import IfMatch, set_etag
from common.db import SessionDep
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1/kontaktfamiljer", tags=["kontaktfamiljer"])

COMMAND_ERRORS: dict[int | str, dict[str, str]] = {
    409: {"description": "The command does not fit the state, or (godkann) steps are missing: `saknas`"},
    412: {"description": "Stale If-Match"},
    428: {"description": "If-Match missing"},
}


def _answer(response: Response, found: tuple) -> KontaktfamiljRead:  # type: ignore[type-arg]
    family, steps = found
    set_etag(response, family.version)
    return service.read(family, steps)


@router.post(
    "", status_code=201, response_model=KontaktfamiljRead, summary="Register a family to investigate"
)
async def register_kontaktfamilj(
    body: KontaktfamiljCreate,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work():  # type: ignore[no-untyped-def]
        family = await service.registrera(session, data=body, caller=caller, now=clock())
        headers = {"ETag": f'"{family.version}"', "Location": f"/v1/kontaktfamiljer/{family.id}"}
        return outcome(201, service.read(family, []), headers)

    return await run_idempotent(
        session,
        key=idempotency_key,
        principal=caller.sub,
        operation="registrera_kontaktfamilj",
        body=body,
        work=work,
    )


@router.get("", response_model=KontaktfamiljPage, summary="The families of your enhet, newest first")
async def list_kontaktfamiljer(
    session: SessionDep,
    caller: Caller,
    status: Status | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> KontaktfamiljPage:
    rows, next_cursor = await service.lista(session, caller=caller, status=status, cursor=cursor, limit=limit)
    items = [KontaktfamiljSummary.model_validate(r.model_dump()) for r in rows]
    return KontaktfamiljPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{kontaktfamilj_id}", response_model=KontaktfamiljRead, summary="One family and its investigation"
)
async def get_kontaktfamilj(
    kontaktfamilj_id: uuid.UUID, session: SessionDep, caller: Caller, response: Response
) -> KontaktfamiljRead:
    return _answer(response, await service.hamta(session, kontaktfamilj_id=kontaktfamilj_id, caller=caller))


@router.post(
    "/{kontaktfamilj_id}/utredningssteg",
    response_model=KontaktfamiljRead,
    responses=COMMAND_ERRORS,
    summary="Record a step: intervju, hembesok, registerutdrag, referens (date and result)",
)
async def record_utredningssteg(
    kontaktfamilj_id: uuid.UUID,
    body: UtredningsstegCreate,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> KontaktfamiljRead:
    found = await service.registrera_utredningssteg(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, data=body, now=clock()
    )
    return _answer(response, found)


@router.put(
    "/{kontaktfamilj_id}/avtal",
    response_model=KontaktfamiljRead,
    responses=COMMAND_ERRORS,
    summary="Record the agreement with the family (from and to dates)",
)
async def record_avtal(
    kontaktfamilj_id: uuid.UUID,
    body: AvtalInput,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> KontaktfamiljRead:
    found = await service.registrera_avtal(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, data=body, now=clock()
    )
    return _answer(response, found)


@router.post(
    "/{kontaktfamilj_id}/godkann",
    response_model=KontaktfamiljRead,
    responses=COMMAND_ERRORS,
    summary="Approve the family: every required step must have a positive latest result",
)
async def approve_kontaktfamilj(
    kontaktfamilj_id: uuid.UUID,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> KontaktfamiljRead:
    found = await service.godkann(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, now=clock()
    )
    return _answer(response, found)


@router.post(
    "/{kontaktfamilj_id}/avsluta",
    response_model=KontaktfamiljRead,
    responses=COMMAND_ERRORS,
    summary="End the family's engagement",
)
async def close_kontaktfamilj(
    kontaktfamilj_id: uuid.UUID,
    body: KontaktfamiljAvslutInput,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> KontaktfamiljRead:
    found = await service.avsluta(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, data=body, now=clock()
    )
    return _answer(response, found)
