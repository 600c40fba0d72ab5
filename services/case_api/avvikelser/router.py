import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from case_api.avvikelser import service
from case_api.avvikelser.orsakskategorier import KATALOG
from case_api.avvikelser.schemas import (
    AvvikelseAvslutInput,
    AvvikelseCreate,
    AvvikelsePage,
    AvvikelseRead,
    Enhet,
    IvoBeslutInput,
    OrsakskategoriRead,
    UtredningInput,
)
from case_api.avvikelser.state_machine import AvvikelseTyp, Status
from case_api.dependencies import Caller
from common.clock import ClockDep
from common.concurrency import IfMatch, set_etag
from common.db import SessionDep
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1/avvikelser", tags=["avvikelser"])

COMMAND_ERRORS: dict[int | str, dict[str, str]] = {
    409: {"description": "The command does not fit the state; the body names the state and its commands"},
    412: {"description": "Stale If-Match"},
    428: {"description": "If-Match missing"},
}


@router.get("/orsakskategorier", response_model=list[OrsakskategoriRead], summary="The cause categories")
async def list_orsakskategorier(caller: Caller) -> list[OrsakskategoriRead]:
    return [OrsakskategoriRead(kod=kod, benamning=k.benamning, kalla=k.kalla) for kod, k in KATALOG.items()]


@router.post(
    "",
    status_code=201,
    response_model=AvvikelseRead,
    responses={422: {"description": "Invalid body, or arende_id names no ärende"}},
    summary="Report an avvikelse (anyone on staff)",
)
async def register_avvikelse(
    request: Request,
    body: AvvikelseCreate,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    async def work():  # type: ignore[no-untyped-def]
        avvikelse = await service.registrera(
            session, data=body, caller=caller, now=clock(), settings=request.app.state.settings
        )
        headers = {"ETag": f'"{avvikelse.version}"', "Location": f"/v1/avvikelser/{avvikelse.id}"}
        return outcome(201, service.read(avvikelse), headers)

    return await run_idempotent(
        session,
        key=idempotency_key,
        principal=caller.sub,
        operation="registrera_avvikelse",
        body=body,
        work=work,
    )


@router.get("", response_model=AvvikelsePage, summary="Avvikelser, newest first")
async def list_avvikelser(
    session: SessionDep,
    caller: Caller,
    enhet: Enhet | None = None,
    typ: AvvikelseTyp | None = None,
    status: Status | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AvvikelsePage:
    rows, next_cursor = await service.lista(
        session, caller=caller, enhet=enhet, typ=typ, status=status, cursor=cursor, limit=limit
    )
    return AvvikelsePage(items=[service.read(a) for a in rows], next_cursor=next_cursor)


@router.get("/{avvikelse_id}", response_model=AvvikelseRead, summary="One avvikelse")
async def get_avvikelse(
    avvikelse_id: uuid.UUID, session: SessionDep, caller: Caller, response: Response
) -> AvvikelseRead:
    avvikelse = await service.hamta(session, avvikelse_id=avvikelse_id, caller=caller)
    set_etag(response, avvikelse.version)
    return service.read(avvikelse)


@router.post(
    "/{avvikelse_id}/utred",
    response_model=AvvikelseRead,
    responses=COMMAND_ERRORS,
    summary="Record the investigation: who, findings, measures",
)
async def investigate_avvikelse(
    request: Request,
    avvikelse_id: uuid.UUID,
    body: UtredningInput,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> AvvikelseRead:
    avvikelse = await service.utred(
        session,
        avvikelse_id=avvikelse_id,
        caller=caller,
        if_match=if_match,
        data=body,
        now=clock(),
        settings=request.app.state.settings,
    )
    set_etag(response, avvikelse.version)
    return service.read(avvikelse)


@router.post(
    "/{avvikelse_id}/ivo-beslut",
    response_model=AvvikelseRead,
    responses=COMMAND_ERRORS,
    summary="Lex Sarah: decide whether the report goes to IVO",
)
async def decide_ivo_avvikelse(
    avvikelse_id: uuid.UUID,
    body: IvoBeslutInput,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> AvvikelseRead:
    avvikelse = await service.besluta_ivo(
        session, avvikelse_id=avvikelse_id, caller=caller, if_match=if_match, data=body, now=clock()
    )
    set_etag(response, avvikelse.version)
    return service.read(avvikelse)


@router.post(
    "/{avvikelse_id}/avsluta",
    response_model=AvvikelseRead,
    responses=COMMAND_ERRORS,
    summary="Close the avvikelse",
)
async def close_avvikelse(
    avvikelse_id: uuid.UUID,
    body: AvvikelseAvslutInput,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> AvvikelseRead:
    avvikelse = await service.avsluta(
        session, avvikelse_id=avvikelse_id, caller=caller, if_match=if_match, data=body, now=clock()
    )
    set_etag(response, avvikelse.version)
    return service.read(avvikelse)
