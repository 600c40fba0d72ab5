import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from common.concurrency import IfMatch, set_etag
from common.db import SessionDep
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from notifier.dependencies import Caller, ClockDep, SettingsDep
from notifier.prenumerationer import service as prenumeration_service
from notifier.prenumerationer.schemas import (
    PrenumerationCreate,
    PrenumerationCreated,
    PrenumerationPage,
    PrenumerationRead,
    PrenumerationUpdate,
)

router = APIRouter(prefix="/v1/prenumerationer", tags=["prenumerationer"])


@router.post(
    "",
    status_code=201,
    response_model=PrenumerationCreated,
    summary="Subscribe a webhook or e-mail alerts",
    responses={409: {}, 422: {}},
)
async def create_prenumeration(
    data: PrenumerationCreate,
    caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        p, secret = await prenumeration_service.create(
            session, caller=caller, data=data, clock=clock, settings=settings
        )
        body = PrenumerationCreated(**prenumeration_service.read(p).model_dump(), hemlighet=secret)
        headers = {"ETag": f'"{p.version}"', "Location": f"/v1/prenumerationer/{p.id}"}
        return outcome(201, body, headers)

    return await run_idempotent(
        session,
        key=idempotency_key,
        principal=caller.sub,
        operation="create_prenumeration",
        body=data,
        work=work,
    )


@router.get("", response_model=PrenumerationPage, summary="List subscriptions")
async def list_prenumerationer(
    caller: Caller,
    session: SessionDep,
    kind: Literal["webhook", "epost"] | None = None,
    status: Literal["aktiv", "inaktiverad"] | None = None,
    enhet: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]+$")] = None,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PrenumerationPage:
    rows, next_cursor = await prenumeration_service.list_page(
        session, caller=caller, kind=kind, status=status, enhet=enhet, cursor=cursor, limit=limit
    )
    return PrenumerationPage(items=[prenumeration_service.read(p) for p in rows], next_cursor=next_cursor)


@router.get("/{prenumeration_id}", response_model=PrenumerationRead, summary="One subscription")
async def get_prenumeration(
    prenumeration_id: uuid.UUID, caller: Caller, session: SessionDep, response: Response
) -> PrenumerationRead:
    p = await prenumeration_service.get(session, caller=caller, prenumeration_id=prenumeration_id)
    set_etag(response, p.version)
    return prenumeration_service.read(p)


@router.patch(
    "/{prenumeration_id}",
    response_model=PrenumerationRead,
    summary="Change a subscription (or rotate its secret)",
    responses={409: {}, 412: {}, 428: {}},
)
async def update_prenumeration(
    prenumeration_id: uuid.UUID,
    data: PrenumerationUpdate,
    caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> PrenumerationRead:
    p = await prenumeration_service.update(
        session,
        caller=caller,
        prenumeration_id=prenumeration_id,
        data=data,
        if_match=if_match,
        clock=clock,
        settings=settings,
    )
    set_etag(response, p.version)
    return prenumeration_service.read(p)


@router.post(
    "/{prenumeration_id}/inaktivera",
    response_model=PrenumerationRead,
    summary="Disable a subscription; its pending deliveries are cancelled",
    responses={409: {}, 412: {}, 428: {}},
)
async def disable_prenumeration(
    prenumeration_id: uuid.UUID,
    caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> PrenumerationRead:
    p = await prenumeration_service.disable(
        session, caller=caller, prenumeration_id=prenumeration_id, if_match=if_match, clock=clock
    )
    set_etag(response, p.version)
    return prenumeration_service.read(p)
