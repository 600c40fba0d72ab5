"""The journal's queries: one journal's entries in the order written, who corrected what."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.journal.models import Journalanteckning
from common.cursor import InvalidCursor
from common.pagination import decode_cursor, encode_cursor


def journal(*, arende_id: uuid.UUID, uppdrag_id: uuid.UUID | None) -> Select[Any]:
    """The handläggare's journal of the ärende (uppdrag_id None) or the utförare's of one uppdrag."""
    query = select(Journalanteckning).where(col(Journalanteckning.arende_id) == arende_id)
    if uppdrag_id is None:
        return query.where(col(Journalanteckning.uppdrag_id).is_(None))
    return query.where(col(Journalanteckning.uppdrag_id) == uppdrag_id)


def granskning(*, enhet: str | None, fran: date | None, till: date | None, slag: str | None) -> Select[Any]:
    query = select(Journalanteckning)
    if slag is not None:
        query = query.where(col(Journalanteckning.slag) == slag)
    if enhet is not None:
        query = query.where(col(Journalanteckning.enhet) == enhet)
    if fran is not None:
        query = query.where(col(Journalanteckning.datum) >= fran)
    if till is not None:
        query = query.where(col(Journalanteckning.datum) <= till)
    return query


async def sida(
    session: AsyncSession, query: Select[Any], *, cursor: str | None, limit: int
) -> tuple[list[Journalanteckning], str | None]:
    """One page in the order written, keyed by lopnummer, and the cursor of the next."""
    after = decode_cursor(cursor, 1)
    if after is not None:
        if not isinstance(after[0], int) or isinstance(after[0], bool):
            raise InvalidCursor(
                errors=[{"field": "query.cursor", "message": "not a journal position", "code": "cursor"}]
            )
        query = query.where(col(Journalanteckning.lopnummer) > after[0])
    rows = list(
        (await session.execute(query.order_by(col(Journalanteckning.lopnummer)).limit(limit + 1))).scalars()
    )
    page = rows[:limit]
    return page, encode_cursor([page[-1].lopnummer]) if len(rows) > limit else None


async def rattelser(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """For each of `ids`, the entries that correct it, oldest first."""
    if not ids:
        return {}
    rows = await session.execute(
        select(col(Journalanteckning.rattar_id), col(Journalanteckning.id))
        .where(col(Journalanteckning.rattar_id).in_(list(ids)))
        .order_by(col(Journalanteckning.lopnummer))
    )
    out: dict[uuid.UUID, list[uuid.UUID]] = {}
    for rattar_id, id_ in rows.all():
        assert rattar_id is not None
        out.setdefault(rattar_id, []).append(id_)
    return out
