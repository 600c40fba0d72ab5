"""Operator view of the outbox relay (role `system`): backlog, dead letters, replay."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from case_api.dependencies import Caller
from case_api.relay import service as relay_service
from case_api.relay.schemas import DodsbrevPage, UtkorgHandelse, UtkorgStatus
from common.clock import ClockDep
from common.db import SessionDep
from common.problems import Problem

router = APIRouter(prefix="/v1/drift/utkorg", tags=["drift"])


@router.get("", response_model=UtkorgStatus, summary="Outbox backlog, oldest pending age, dead letters")
async def get_utkorg(session: SessionDep, _caller: Caller, clock: ClockDep) -> UtkorgStatus:
    return await relay_service.utkorg_status(session=session, clock=clock)


@router.get("/dodsbrev", response_model=DodsbrevPage, summary="Dead letters, oldest first")
async def list_dodsbrev(
    session: SessionDep,
    _caller: Caller,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="next_cursor of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DodsbrevPage:
    return await relay_service.list_dodsbrev(
        session=session, cursor=int(cursor) if cursor is not None else None, limit=limit
    )


@router.post(
    "/{id}/omforsok",
    response_model=UtkorgHandelse,
    summary="Replay a dead letter (it goes first in its ärende's line again)",
    responses={409: {"model": Problem, "description": "The event is not a dead letter"}},
)
async def replay_dodsbrev(id: uuid.UUID, session: SessionDep, _caller: Caller) -> UtkorgHandelse:
    return await relay_service.omforsok(session=session, id=id)
