"""Queries on audit_logg and its chain. Appends wait for the commit (case_api.pending_writes);
the sealer chains them."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit.models import AuditKedja, AuditLogg
from case_api.events.service import TYPE_PREFIX

ANCHOR_EVENT_TYPE = TYPE_PREFIX + "audit.forankrad"

_table = AuditLogg.__table__  # type: ignore[attr-defined]
_kedja = AuditKedja.__table__  # type: ignore[attr-defined]


async def chain_batch(session: AsyncSession, *, after_position: int, limit: int) -> Sequence[Row[Any]]:
    """Sealed rows in chain order: the audit row's content with its position and hashes."""
    query = (
        select(_table, _kedja.c.position, _kedja.c.prev_hash, _kedja.c.hash)
        .join(_kedja, _kedja.c.audit_id == _table.c.id)
        .where(_kedja.c.position > after_position)
        .order_by(_kedja.c.position)
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def unsealed(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many rows are not in the chain yet, and when the oldest was written."""
    row = (
        await session.execute(
            text(
                "SELECT count(*), min(a.at) FROM audit_logg a "
                "WHERE NOT EXISTS (SELECT 1 FROM audit_kedja k WHERE k.audit_id = a.id)"
            )
        )
    ).one()
    return int(row[0]), row[1]


async def latest_anchor(session: AsyncSession) -> Row[Any] | None:
    """The newest audit.forankrad event in the outbox: (position, hash) as the sealer sent them."""
    return (
        await session.execute(
            text(
                "SELECT (data->>'position')::bigint AS position, data->>'hash' AS hash "
                "FROM outbox_event WHERE type = :type ORDER BY seq DESC LIMIT 1"
            ),
            {"type": ANCHOR_EVENT_TYPE},
        )
    ).one_or_none()


async def chain_entry(session: AsyncSession, *, position: int) -> str | None:
    query = select(_kedja.c.hash).where(_kedja.c.position == position)
    return (await session.execute(query)).scalar_one_or_none()


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
    query = (
        select(_table, _kedja.c.position, _kedja.c.hash)
        .outerjoin(_kedja, _kedja.c.audit_id == c.id)
        .order_by(c.id.desc())
        .limit(limit)
    )
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
    query = (
        select(_table, _kedja.c.position, _kedja.c.hash)
        .outerjoin(_kedja, _kedja.c.audit_id == _table.c.id)
        .where(_table.c.person_id == person_id)
        .order_by(_table.c.id)
    )
    return (await session.execute(query)).all()
