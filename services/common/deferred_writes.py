"""Writes that nothing in the transaction reads back, sent in one statement as it commits.

A request's outbox events, its audit rows and its Idempotency-Key's stored answer are writes
the request itself never reads; issued as they arose, each cost a round trip (three to six
per request). They wait in the session instead, as named parts, and the session's
before_commit sends them as one statement (one data-modifying CTE per part): a change and
everything written about it still commit together or not at all, and a rollback discards them
with the rest.

A part that collects rows passes them as one jsonb parameter (`:rows`, read with
jsonb_to_recordset, which yields them in order), so its SQL does not depend on how many there
are and one prepared statement serves every request of the same kind.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import TextClause, event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables

from common.db import json_default

_KEY = "common.deferred_writes"
_PARAM = re.compile(r"(?<!:):(\w+)")
# Tables whose deferred rows a later read in the same transaction must see.
_READ_BACK = frozenset({"outbox_event", "outbox_delivery", "audit_logg", "idempotency_key"})


@dataclass
class Part:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] | None = None

    def ready(self) -> bool:
        return self.rows is None or bool(self.rows)


def defer(session: AsyncSession | Session, name: str, sql: str, *, rows: bool = False) -> Part:
    """The transaction's part `name` (made on first use): append to `.rows` (when `rows`, the
    SQL reads them as `:rows`) or set `.params`."""
    parts: dict[str, Part] = session.info.setdefault(_KEY, {})
    part = parts.get(name)
    if part is None:
        part = parts[name] = Part(sql=sql, rows=[] if rows else None)
    return part


def _statement(parts: list[Part]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    bodies = []
    for n, part in enumerate(parts):
        values = dict(part.params)
        if part.rows is not None:
            values["rows"] = orjson.dumps(part.rows, default=json_default).decode()
        bodies.append(_PARAM.sub(lambda m, n=n: f":d{n}_{m.group(1)}", part.sql))  # type: ignore[misc]
        params.update({f"d{n}_{name}": value for name, value in values.items()})
    if len(bodies) == 1:
        return bodies[0], params
    ctes = ", ".join(f"d{n} AS ({body})" for n, body in enumerate(bodies))
    return f"WITH {ctes} SELECT 1", params


def _take(session: AsyncSession | Session) -> tuple[str, dict[str, Any]] | None:
    parts = [p for p in session.info.pop(_KEY, {}).values() if p.ready()]
    return _statement(parts) if parts else None


async def write_now(session: AsyncSession) -> None:
    """Send what waits now, for code that reads it back in the same transaction."""
    if (statement := _take(session)) is not None:
        await session.execute(text(statement[0]), statement[1])


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    # Runs inside AsyncSession's greenlet, so this synchronous execute is the async driver's.
    if (statement := _take(session)) is not None:
        session.execute(text(statement[0]), statement[1])


def _reads_back(statement: Any) -> bool:
    if isinstance(statement, TextClause):
        return any(table in statement.text for table in _READ_BACK)
    return any(getattr(t, "name", None) in _READ_BACK for t in find_tables(statement, include_joins=True))


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading_back(state: ORMExecuteState) -> None:
    # A transaction that reads the outbox or the audit log (the loggkontroll, a test) sees what
    # it wrote itself, as it did when every write went out at once. Only checked while
    # something waits, and only for reads.
    session = state.session
    # Text SQL may read whatever it names; the ORM's statements say whether they read.
    reads = state.is_select or isinstance(state.statement, TextClause)
    if _KEY not in session.info or not reads or not _reads_back(state.statement):
        return
    if (statement := _take(session)) is not None:
        session.execute(text(statement[0]), statement[1])


@event.listens_for(Session, "after_rollback")
def _discard_after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
