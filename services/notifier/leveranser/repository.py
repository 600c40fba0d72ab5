import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.leveranser.models import PENDING, Leverans, Leveransforsok

# Due, not leased, and not behind an earlier event of the same ärende to the same subscription
# that is still pending or retrying (dead letters and cancelled deliveries do not block).
_CLAIM = text(
    """
    WITH due AS (
        SELECT l.id FROM leverans l
        WHERE l.status IN ('vantar', 'misslyckad')
          AND l.next_attempt_at <= :now
          AND (l.lease_until IS NULL OR l.lease_until < :now)
          AND NOT EXISTS (
              SELECT 1 FROM leverans e
              WHERE e.prenumeration_id = l.prenumeration_id
                AND e.arende_id = l.arende_id
                AND e.status IN ('vantar', 'misslyckad')
                AND e.sekvens < l.sekvens
          )
        ORDER BY l.next_attempt_at, l.sekvens NULLS FIRST
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE leverans SET lease_until = :lease_until, lease_token = :token
    FROM due WHERE leverans.id = due.id
    RETURNING leverans.id
    """
)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    token = uuid.uuid4()
    result = await session.execute(
        _CLAIM, {"now": now, "limit": limit, "lease_until": now + lease, "token": token}
    )
    return token, [row.id for row in result]


async def get(session: AsyncSession, leverans_id: uuid.UUID, *, for_update: bool = False) -> Leverans | None:
    statement = select(Leverans).where(Leverans.id == leverans_id)  # type: ignore[arg-type]
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def get_leased(session: AsyncSession, leverans_id: uuid.UUID, token: uuid.UUID) -> Leverans | None:
    statement = (
        select(Leverans)
        .where(Leverans.id == leverans_id, Leverans.lease_token == token)  # type: ignore[arg-type]
        .with_for_update()
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def attempts(session: AsyncSession, leverans_id: uuid.UUID) -> list[Leveransforsok]:
    statement = (
        select(Leveransforsok)
        .where(Leveransforsok.leverans_id == leverans_id)  # type: ignore[arg-type]
        .order_by(Leveransforsok.id)  # type: ignore[arg-type]
    )
    return list((await session.execute(statement)).scalars())


async def cancel_pending(session: AsyncSession, *, prenumeration_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(Leverans)
        .where(
            Leverans.prenumeration_id == prenumeration_id,  # type: ignore[arg-type]
            Leverans.status.in_(PENDING),  # type: ignore[attr-defined]
        )
        .values(status="avbruten", senaste_fel=reason, lease_until=None, lease_token=None)
    )


async def page(
    session: AsyncSession,
    *,
    status: str | None,
    prenumeration_id: uuid.UUID | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[Leverans]:
    statement: Any = select(Leverans).order_by(Leverans.id).limit(limit)  # type: ignore[arg-type]
    if status is not None:
        statement = statement.where(Leverans.status == status)
    if prenumeration_id is not None:
        statement = statement.where(Leverans.prenumeration_id == prenumeration_id)
    if after is not None:
        statement = statement.where(Leverans.id > after)
    return list((await session.execute(statement)).scalars())
