import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from common.db import SessionDep
from notifier.dependencies import Caller, ClockDep
from notifier.leveranser import service as leverans_service
from notifier.leveranser.models import Leverans
from notifier.leveranser.schemas import ForsokRead, LeveransDetail, LeveransPage, LeveransRead, Status

router = APIRouter(prefix="/v1/leveranser", tags=["leveranser"])


def _read(row: Leverans) -> LeveransRead:
    return LeveransRead.model_validate(row, from_attributes=True)


@router.get("", response_model=LeveransPage, summary="Deliveries, by status and subscription")
async def list_leveranser(
    _caller: Caller,
    session: SessionDep,
    status: Status | None = None,
    prenumeration_id: uuid.UUID | None = None,
    cursor: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LeveransPage:
    rows, next_cursor = await leverans_service.list_page(
        session, status=status, prenumeration_id=prenumeration_id, cursor=cursor, limit=limit
    )
    return LeveransPage(items=[_read(r) for r in rows], next_cursor=next_cursor)


@router.get("/{leverans_id}", response_model=LeveransDetail, summary="One delivery with its attempts")
async def get_leverans(leverans_id: uuid.UUID, _caller: Caller, session: SessionDep) -> LeveransDetail:
    row, attempts = await leverans_service.get(session, leverans_id=leverans_id)
    return LeveransDetail(
        **_read(row).model_dump(),
        attempts=[ForsokRead.model_validate(a, from_attributes=True) for a in attempts],
    )


@router.post(
    "/{leverans_id}/omleverans",
    status_code=202,
    response_model=LeveransRead,
    summary="Replay a dead letter: a fresh round of tries",
    responses={409: {}},
)
async def replay_leverans(
    leverans_id: uuid.UUID, _caller: Caller, session: SessionDep, clock: ClockDep
) -> LeveransRead:
    return _read(await leverans_service.replay(session, leverans_id=leverans_id, clock=clock))
