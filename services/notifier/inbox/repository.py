import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.inbox.models import InboxEvent
from notifier.inbox.schemas import ParsedEvent


async def insert_once(session: AsyncSession, *, event: ParsedEvent, received_at: datetime) -> bool:
    """Insert the event unless (source, id) is stored; True when this call stored it."""
    table = InboxEvent.__table__  # type: ignore[attr-defined]
    statement = (
        pg_insert(table)
        .values(
            id=uuid.uuid4(),
            source=event.source,
            event_id=event.id,
            type=event.type,
            subject=event.subject,
            enhet=event.enhet,
            arende_id=event.arende_id,
            sekvens=event.sekvens,
            event=event.structured,
            received_at=received_at,
        )
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(table.c.id)
    )
    stored = (await session.execute(statement)).scalar_one_or_none()
    return stored is not None
