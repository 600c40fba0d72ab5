"""Every row that names one person, found from the catalog so a new table is never left out.

A table belongs in the extract when it has a `person_id` column, or an `arende_id` column
(an ärende is about one person). The audit log is read separately, through the audit module.
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

EXCLUDED = ("person", "audit_logg")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class PersonTabell:
    namn: str
    har_person_id: bool
    har_arende_id: bool


async def person_rad(session: AsyncSession, *, person_id: uuid.UUID) -> dict[str, Any] | None:
    query = text("SELECT to_jsonb(p) AS rad FROM person p WHERE p.id = :p").columns(rad=JSONB)
    rad: dict[str, Any] | None = (await session.execute(query, {"p": person_id})).scalar_one_or_none()
    return rad


async def person_tabeller(session: AsyncSession) -> list[PersonTabell]:
    rows = (
        await session.execute(
            text(
                "SELECT c.table_name, bool_or(c.column_name = 'person_id') AS p, "
                "bool_or(c.column_name = 'arende_id') AS a "
                "FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
                "AND c.column_name IN ('person_id', 'arende_id') "
                "AND c.table_name <> ALL(:excluded) "
                "GROUP BY c.table_name ORDER BY c.table_name"
            ),
            {"excluded": list(EXCLUDED)},
        )
    ).all()
    return [PersonTabell(str(r.table_name), bool(r.p), bool(r.a)) for r in rows]


async def rader(
    session: AsyncSession, *, tabell: PersonTabell, person_id: uuid.UUID
) -> Sequence[dict[str, Any]]:
    if not _IDENTIFIER.fullmatch(tabell.namn):
        raise ValueError(f"unexpected table name {tabell.namn!r}")
    villkor = []
    if tabell.har_person_id:
        villkor.append("t.person_id = :p")
    if tabell.har_arende_id:
        villkor.append("t.arende_id IN (SELECT a.id FROM arende a WHERE a.person_id = :p)")
    # The name comes from the catalog and is checked above; the person id is a bound parameter.
    sql = f'SELECT to_jsonb(t) AS rad FROM "{tabell.namn}" t WHERE {" OR ".join(villkor)}'  # noqa: S608
    result = await session.execute(text(sql).columns(rad=JSONB), {"p": person_id})
    return [dict(rad) for rad in result.scalars()]
