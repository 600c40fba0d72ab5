import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.leveranser.models import PENDING, Leverans, Leveransforsok

# Claims run one at a time across replicas (a transaction-scoped advisory lock), so the
# per-subscription cap below counts every replica's leases, not only this one's.
CLAIM_LOCK = 0x6C657665  # "leve"

# Due, not leased, and not behind an earlier event of the same ärende to the same subscription
# that is still pending or retrying (dead letters and cancelled deliveries do not block); and per
# subscription no more than :cap leased at once, counting the leases already out, so one slow
# receiver holds at most :cap connections and never the slots other subscriptions need.
_CLAIM = text(
    """
    WITH in_flight AS (
        SELECT prenumeration_id, count(*) AS n FROM leverans
        WHERE status IN ('vantar', 'misslyckad') AND lease_until >= :now
        GROUP BY prenumeration_id
    ),
    due AS (
        SELECT l.id, l.next_attempt_at, l.sekvens,
               row_number() OVER (
                   PARTITION BY l.prenumeration_id ORDER BY l.next_attempt_at, l.sekvens NULLS FIRST
               ) AS plats,
               coalesce(f.n, 0) AS upptagna
        FROM leverans l
        LEFT JOIN in_flight f ON f.prenumeration_id = l.prenumeration_id
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
    ),
    picked AS (
        SELECT l.id FROM leverans l JOIN due d ON d.id = l.id
        WHERE d.plats <= :cap - d.upptagna
        ORDER BY d.next_attempt_at, d.sekvens NULLS FIRST
        LIMIT :limit
        FOR UPDATE OF l SKIP LOCKED
    )
    UPDATE leverans SET lease_until = :lease_until, lease_token = :token
    FROM picked WHERE leverans.id = picked.id
    RETURNING leverans.id
    """
)


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int, cap: int
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    token = uuid.uuid4()
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLAIM_LOCK})
    result = await session.execute(
        _CLAIM, {"now": now, "limit": limit, "cap": cap, "lease_until": now + lease, "token": token}
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


async def release(session: AsyncSession, *, ids: list[uuid.UUID], tokens: list[uuid.UUID]) -> int:
    """Give back leases a stopping worker holds on sends it cut off: due again at once for any
    worker, with no attempt counted (none was recorded; the receiver may have it, and the
    webhook-id lets it see the repeat)."""
    result = await session.execute(
        text(
            "UPDATE leverans SET lease_until = NULL, lease_token = NULL "
            "WHERE id = ANY(:ids) AND lease_token = ANY(:tokens)"
        ),
        {"ids": ids, "tokens": tokens},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
