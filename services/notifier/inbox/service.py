"""Ingest: store each CloudEvent once; the fan-out worker turns it into deliveries later."""

from collections.abc import Mapping

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import Clock
from notifier.inbox import cloudevent
from notifier.inbox import repository as inbox_repository
from notifier.inbox.schemas import IngestResult

WAKE_CHANNEL = "notifier_inbox"


async def ingest(
    session: AsyncSession, *, headers: Mapping[str, str], body: bytes, clock: Clock
) -> IngestResult:
    event = cloudevent.parse(headers, body)
    stored = await inbox_repository.insert_once(session, event=event, received_at=clock())
    if stored:
        # Delivered at commit: wakes fan-out workers without waiting for their next poll.
        await session.execute(text(f"NOTIFY {WAKE_CHANNEL}"))
    return IngestResult(id=event.id, source=event.source, duplicate=not stored)
