"""Writing domain events to the outbox. The relay sends them after commit."""

import uuid
from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.events.models import OutboxEvent
from common.tracing import current_traceparent

TYPE_PREFIX = "se.socialtjanst."


async def emit(
    session: AsyncSession,
    *,
    type: str,
    arende_id: uuid.UUID | None,
    data: dict[str, Any],
    occurred_at: datetime,
    subject: str | None = None,
) -> OutboxEvent:
    """Add an event (type like "aktualisering.registrerad") to the current transaction."""
    event = OutboxEvent(
        type=TYPE_PREFIX + type,
        subject=subject or (str(arende_id) if arende_id else "-"),
        arende_id=arende_id,
        data=jsonable_encoder(data),
        occurred_at=occurred_at,
        traceparent=current_traceparent(),
    )
    session.add(event)
    await session.flush()
    return event
