"""Queries on audit_logg. Appends go through append_rows only, under the chain lock."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import kedja
from case_api.audit.models import AuditLogg

# pg_advisory_xact_lock key of the chain: "AUDITLOG" in ASCII. Held from a transaction's first
# append until it commits or rolls back, so appends (and their ids) follow commit order.
CHAIN_LOCK_KEY = 0x41554449544C4F47

_table = AuditLogg.__table__  # type: ignore[attr-defined]


class ChainNeedsReadCommitted(RuntimeError):
    """Under REPEATABLE READ or SERIALIZABLE the head read after the lock could be stale."""


async def lock_chain_head(session: AsyncSession) -> str:
    """Take the chain lock and return the hash of the last committed row (or GENESIS)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    # A separate statement: in READ COMMITTED its snapshot is taken after the lock was granted,
    # so it sees the row the previous holder committed. One statement would fork the chain.
    head, isolation = (
        await session.execute(
            text(
                "SELECT (SELECT hash FROM audit_logg ORDER BY id DESC LIMIT 1), "
                "current_setting('transaction_isolation')"
            )
        )
    ).one()
    if isolation != "read committed":
        raise ChainNeedsReadCommitted(f"audit_logg appends need READ COMMITTED, not {isolation}")
    return str(head) if head is not None else kedja.GENESIS


async def append_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await session.execute(insert(_table), list(rows))


async def chain_batch(session: AsyncSession, *, after_id: int, limit: int) -> Sequence[Row[Any]]:
    query = select(_table).where(_table.c.id > after_id).order_by(_table.c.id).limit(limit)
    return (await session.execute(query)).all()


async def page(
    session: AsyncSession,
    *,
    person_id: uuid.UUID | None,
    arende_id: uuid.UUID | None,
    sub: str | None,
    fran: datetime | None,
    till: datetime | None,
    handling: str | None,
    utfall: str | None,
    before_id: int | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """Newest first; rows with id < before_id (the cursor)."""
    c = _table.c
    query = select(_table).order_by(c.id.desc()).limit(limit)
    filters: list[Any] = []
    if person_id is not None:
        filters.append(c.person_id == person_id)
    if arende_id is not None:
        filters.append(c.arende_id == arende_id)
    if sub is not None:
        filters.append(c.sub == sub)
    if fran is not None:
        filters.append(c.at >= fran)
    if till is not None:
        filters.append(c.at < till)
    if handling is not None:
        filters.append(c.handling == handling)
    if utfall is not None:
        filters.append(c.utfall == utfall)
    if before_id is not None:
        filters.append(c.id < before_id)
    if filters:
        query = query.where(*filters)
    return (await session.execute(query)).all()


async def protected_person_accesses(
    session: AsyncSession, *, fran: datetime, till: datetime
) -> Sequence[Row[Any]]:
    """Per protected person and user: how often, when, what, and how much was refused.

    Protected persons come from skyddade_person_ids(), a SECURITY DEFINER function that
    returns ids only: the kvalitetssamordnare has no enhet scope and sees no person row.
    """
    return (
        await session.execute(
            text(
                """
                SELECT a.person_id, a.sub,
                       count(*) FILTER (WHERE a.utfall = 'tillaten') AS tillatna,
                       count(*) FILTER (WHERE a.utfall = 'nekad') AS nekade,
                       min(a.at) AS forsta, max(a.at) AS senaste,
                       array_agg(DISTINCT a.handling ORDER BY a.handling) AS handlingar,
                       array_agg(DISTINCT a.enhet ORDER BY a.enhet)
                           FILTER (WHERE a.enhet IS NOT NULL) AS enheter
                FROM audit_logg a
                JOIN skyddade_person_ids() p(id) ON p.id = a.person_id
                WHERE a.at >= :fran AND a.at < :till
                GROUP BY a.person_id, a.sub
                ORDER BY a.person_id, count(*) DESC, a.sub
                """
            ),
            {"fran": fran, "till": till},
        )
    ).all()


async def distinct_persons_per_user(
    session: AsyncSession, *, fran: datetime, till: datetime, handling: str | None
) -> Sequence[Row[Any]]:
    c = _table.c
    query = (
        select(
            c.sub,
            func.count(c.person_id.distinct()).label("personer"),
            func.count().label("atkomster"),
        )
        .where(c.at >= fran, c.at < till, c.utfall == "tillaten", c.person_id.is_not(None))
        .group_by(c.sub)
        .order_by(func.count(c.person_id.distinct()).desc(), c.sub)
    )
    if handling is not None:
        query = query.where(c.handling == handling)
    return (await session.execute(query)).all()


async def for_person(session: AsyncSession, *, person_id: uuid.UUID) -> Sequence[Row[Any]]:
    query = select(_table).where(_table.c.person_id == person_id).order_by(_table.c.id)
    return (await session.execute(query)).all()
