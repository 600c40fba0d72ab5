"""Writing domain events to the outbox. The relay sends them after commit."""

import uuid
from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.ext.asyncio import AsyncSession

from common.deferred_writes import defer
from common.tracing import current_traceparent

TYPE_PREFIX = "se.socialtjanst."

# In emit order: `seq` is taken in the order jsonb_to_recordset yields the rows, and the relay
# orders an ärende's events by it.
_OUTBOX_INSERT = """
    INSERT INTO outbox_event (id, type, subject, arende_id, data, occurred_at, traceparent)
    SELECT id, type, subject, arende_id, data, occurred_at, traceparent
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS e(
        id uuid, type text, subject text, arende_id uuid, data jsonb, occurred_at timestamptz,
        traceparent text)
"""


async def emit(
    session: AsyncSession,
    *,
    type: str,
    arende_id: uuid.UUID | None,
    data: dict[str, Any],
    occurred_at: datetime,
    subject: str | None = None,
) -> uuid.UUID:
    """Add an event (type like "aktualisering.registrerad") to the current transaction: it is
    written with the transaction's other events and audit rows as it commits (deferred_writes).
    Returns the event's id."""
    event_id = uuid.uuid4()
    defer(session, "outbox_event", _OUTBOX_INSERT, rows=True).rows.append(  # type: ignore[union-attr]
        {
            "id": event_id,
            "type": TYPE_PREFIX + type,
            "subject": subject or (str(arende_id) if arende_id else "-"),
            "arende_id": arende_id,
            "data": jsonable_encoder(data),
            "occurred_at": occurred_at,
            "traceparent": current_traceparent(),
        }
    )
    return event_id
