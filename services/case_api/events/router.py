"""An ärende's timeline: every event about it, in the order it happened (the outbox's own order)."""

import uuid
from datetime import datetime
from typing import Any, cast

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.events.models import OutboxEvent
from case_api.events.service import TYPE_PREFIX
from case_api.kontext import Ctx
from case_api.laddning import hamta
from case_api.responses import LIST, READ
from case_api.schemas_base import Utdata
from common.pagination import CursorParam, LimitParam, Page, number_keyed_page

router = APIRouter(prefix="/v1", tags=["arenden"])


class HandelseOut(Utdata):
    id: uuid.UUID
    typ: str = Field(description='The event type without its prefix, e.g. "beslut.fattat".')
    sekvens: int = Field(description="Orders the ärende's events: a later event has a higher number.")
    occurred_at: datetime
    data: dict[str, Any] = Field(description="As sent to subscribers (the event catalogue's schema).")


class HandelsePage(Page[HandelseOut]):
    """The ärende's events, in order."""


@router.get(
    "/arenden/{arende_id}/handelser",
    response_model=HandelsePage,
    responses=LIST | {404: READ[404]},
    summary="The ärende's timeline: every event about it, in order",
    description="The ärende's enhet (handläggare, arbetsledare, enhetschef). The events are those the "
    "relay sends (no personal data in them); another enhet's ärende answers 404.",
)
async def list_arende_handelser(
    k: Ctx, arende_id: uuid.UUID, cursor: CursorParam = None, limit: LimitParam = 100
) -> HandelsePage:
    arende = await hamta(k, Arende, arende_id, objekt="ärende")
    query = select(OutboxEvent).where(col(OutboxEvent.arende_id) == arende.id)
    page, nasta = await number_keyed_page(
        k.session, query, key=cast("Mapped[int]", OutboxEvent.seq), cursor=cursor, limit=limit
    )
    await k.logga("handelser", arende)
    return HandelsePage(
        items=[
            HandelseOut(
                id=e.id,
                typ=e.type.removeprefix(TYPE_PREFIX),
                sekvens=e.seq or 0,
                occurred_at=e.occurred_at,
                data=e.data,
            )
            for e in page
        ],
        next_cursor=nasta,
    )
