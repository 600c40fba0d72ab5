"""The relay's queries. Claims lock with SKIP LOCKED and commit at once: no lock outlives them."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ClaimedEvent:
    id: uuid.UUID
    seq: int
    arende_id: uuid.UUID | None
    attempts: int
    type: str
    subject: str
    data: dict[str, Any]
    occurred_at: datetime
    traceparent: str | None = None


@dataclass(frozen=True)
class DeliveryRow:
    id: uuid.UUID
    seq: int
    arende_id: uuid.UUID | None
    type: str
    subject: str
    occurred_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    lease_until: datetime | None
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class BacklogFigures:
    pending: int
    in_flight: int
    oldest_pending_at: datetime | None
    dead: int


# Eligible: pending, due, not leased (or the lease expired), and - for an ärende - no earlier
# event of the same ärende still unsent (pending, leased or dead). Only each ärende's oldest
# unsent event can be claimed, so a later event never overtakes an earlier one.
_CLAIM = text(
    """
    WITH candidate AS (
        SELECT d.outbox_id
        FROM outbox_delivery d
        WHERE d.status = 'pending'
          AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= :now)
          AND (d.lease_until IS NULL OR d.lease_until < :now)
          AND (d.arende_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox_delivery p
                WHERE p.arende_id = d.arende_id AND p.seq < d.seq AND p.status <> 'sent'))
        ORDER BY d.seq
        LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE outbox_delivery d
    SET lease_until = :lease_until, lease_owner = :owner, attempts = d.attempts + 1
    FROM candidate c, outbox_event e
    WHERE d.outbox_id = c.outbox_id AND e.id = d.outbox_id
    RETURNING d.outbox_id, d.seq, d.arende_id, d.attempts, e.type, e.subject, e.data, e.occurred_at,
        e.traceparent
    """
)


async def claim(
    session: AsyncSession, *, now: datetime, lease_until: datetime, owner: str, limit: int
) -> list[ClaimedEvent]:
    rows = await session.execute(
        _CLAIM, {"now": now, "lease_until": lease_until, "owner": owner, "limit": limit}
    )
    claimed = [
        ClaimedEvent(
            id=r.outbox_id,
            seq=r.seq,
            arende_id=r.arende_id,
            attempts=r.attempts,
            type=r.type,
            subject=r.subject,
            data=r.data,
            occurred_at=r.occurred_at,
            traceparent=r.traceparent,
        )
        for r in rows
    ]
    claimed.sort(key=lambda c: c.seq)
    return claimed


async def bury_exhausted(session: AsyncSession, *, now: datetime, max_attempts: int) -> int:
    """Dead-letter events whose last allowed attempt crashed (its lease ran out unanswered)."""
    result = await session.execute(
        text(
            "UPDATE outbox_delivery SET status = 'dead', lease_until = NULL, lease_owner = NULL, "
            "last_error = coalesce(last_error || '; ', '') || 'lease expired on the last attempt' "
            "WHERE status = 'pending' AND attempts >= :max AND lease_until < :now"
        ),
        {"now": now, "max": max_attempts},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, *, ids: Sequence[uuid.UUID], now: datetime) -> None:
    # Also from 'dead': a reply that came after the lease ran out still proves delivery.
    await session.execute(
        text(
            "UPDATE outbox_delivery SET status = 'sent', sent_at = :now, lease_until = NULL, "
            "lease_owner = NULL, next_attempt_at = NULL "
            "WHERE outbox_id = ANY(:ids) AND status <> 'sent'"
        ),
        {"ids": list(ids), "now": now},
    )


async def mark_failed(
    session: AsyncSession,
    *,
    id: uuid.UUID,
    owner: str,
    error: str,
    next_attempt_at: datetime | None,
    dead: bool,
    counted: bool = True,
) -> None:
    # Only the lease holder records a failure: a relay whose lease ran out and was re-claimed
    # must not push back an attempt that another relay now owns. The claim counted the attempt;
    # one that never reached the notifier (counted=False) is given back.
    await session.execute(
        text(
            "UPDATE outbox_delivery SET status = :status, last_error = :error, "
            "next_attempt_at = :next, lease_until = NULL, lease_owner = NULL, "
            "attempts = CASE WHEN :counted THEN attempts ELSE greatest(attempts - 1, 0) END "
            "WHERE outbox_id = :id AND status = 'pending' AND lease_owner = :owner"
        ),
        {
            "id": id,
            "owner": owner,
            "error": error[:1000],
            "next": next_attempt_at,
            "status": "dead" if dead else "pending",
            "counted": counted,
        },
    )


async def backlog(session: AsyncSession, *, now: datetime) -> BacklogFigures:
    pending = (
        await session.execute(
            text(
                "SELECT count(*) AS pending, "
                "count(*) FILTER (WHERE d.lease_until >= :now) AS in_flight, "
                "min(e.occurred_at) AS oldest "
                "FROM outbox_delivery d JOIN outbox_event e ON e.id = d.outbox_id "
                "WHERE d.status = 'pending'"
            ),
            {"now": now},
        )
    ).one()
    dead = (
        await session.execute(text("SELECT count(*) FROM outbox_delivery WHERE status = 'dead'"))
    ).scalar_one()
    return BacklogFigures(
        pending=pending.pending, in_flight=pending.in_flight, oldest_pending_at=pending.oldest, dead=dead
    )


_DEAD_LETTERS = text(
    "SELECT d.outbox_id AS id, d.seq, d.arende_id, e.type, e.subject, e.occurred_at, d.status, "
    "d.attempts, d.next_attempt_at, d.lease_until, d.sent_at, d.last_error "
    "FROM outbox_delivery d JOIN outbox_event e ON e.id = d.outbox_id "
    "WHERE d.status = 'dead' AND d.seq > :after ORDER BY d.seq LIMIT :limit"
)
_ONE_FOR_UPDATE = text(
    "SELECT d.outbox_id AS id, d.seq, d.arende_id, e.type, e.subject, e.occurred_at, d.status, "
    "d.attempts, d.next_attempt_at, d.lease_until, d.sent_at, d.last_error "
    "FROM outbox_delivery d JOIN outbox_event e ON e.id = d.outbox_id "
    "WHERE d.outbox_id = :id FOR UPDATE OF d"
)


async def dead_letters(session: AsyncSession, *, after_seq: int | None, limit: int) -> list[DeliveryRow]:
    rows = await session.execute(
        _DEAD_LETTERS,
        {"after": after_seq if after_seq is not None else -1, "limit": limit},
    )
    return [DeliveryRow(**r._mapping) for r in rows]


async def get_for_update(session: AsyncSession, *, id: uuid.UUID) -> DeliveryRow | None:
    row = (
        await session.execute(
            _ONE_FOR_UPDATE,
            {"id": id},
        )
    ).one_or_none()
    return DeliveryRow(**row._mapping) if row else None


async def requeue(session: AsyncSession, *, id: uuid.UUID) -> None:
    await session.execute(
        text(
            "UPDATE outbox_delivery SET status = 'pending', attempts = 0, next_attempt_at = NULL, "
            "lease_until = NULL, lease_owner = NULL WHERE outbox_id = :id"
        ),
        {"id": id},
    )


async def release(session: AsyncSession, *, owner: str, ids: Sequence[uuid.UUID] | None = None) -> int:
    """Give back leases `owner` holds (all of them, or `ids`): claimable again at once, and the
    attempt the claim counted is returned (the event was never answered). A stopping relay
    does this, so its events wait for no lease to run out."""
    result = await session.execute(
        text(
            "UPDATE outbox_delivery SET lease_until = NULL, lease_owner = NULL, "
            "attempts = greatest(attempts - 1, 0) "
            "WHERE lease_owner = :owner AND status = 'pending' "
            "AND (CAST(:all AS boolean) OR outbox_id = ANY(:ids))"
        ),
        {"owner": owner, "all": ids is None, "ids": list(ids or [])},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
