"""The bevakning list: keyset-paged by (forfallodatum, id), every filter an index can serve.

The worklist is the request every socialsekreterare makes first thing in the morning, so its
query is SQL sent straight to the driver (common.db.driver): the ORM's compile, row and
identity-map work was most of its cost (docs/bench.md). The caller's scope is in the WHERE
clause as well as in row-level security, so the planner picks the (enhet, ...) or
(utforare, ...) index and reads one page in order.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from case_api.kontext import Scope


@dataclass(frozen=True)
class BevakningFilter:
    arende_id: uuid.UUID | None = None
    enhet: str | None = None
    handlaggare: str | None = None
    utforare: str | None = None
    typ: str | None = None
    status: str | None = None
    forfaller_fore: date | None = None
    forfaller_efter: date | None = None


# What the list answers with (schemas.BevakningOut) and what its link needs.
LIST_COLUMNS = (
    "b.id, b.typ, b.arende_id, b.enhet, b.handlaggare, b.utforare, b.objekt_typ, b.objekt_id, "
    "b.startdatum, b.forfallodatum, b.status, b.uppfylld_at, b.uppfylld_datum, b.avbruten_orsak, "
    "b.insatstyp, b.darefter"
)

_EQUALS = ("arende_id", "enhet", "handlaggare", "utforare", "typ", "status")


def list_sql(
    scope: Scope, f: BevakningFilter, *, after: tuple[date, uuid.UUID] | None, limit: int
) -> tuple[str, list[Any]]:
    """The page's SELECT with $n placeholders and its arguments, for this scope and filter."""
    f = _own_enhet(scope, f)
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where = [f"b.{name} = {arg(getattr(f, name))}" for name in _EQUALS if getattr(f, name) is not None]
    if f.forfaller_fore is not None:
        where.append(f"b.forfallodatum < {arg(f.forfaller_fore)}")
    if f.forfaller_efter is not None:
        where.append(f"b.forfallodatum > {arg(f.forfaller_efter)}")
    if after is not None:
        where.append(f"(b.forfallodatum, b.id) > ({arg(after[0])}, {arg(after[1])})")
    if not scope.alla:
        # Only the parts of the scope the caller has: an OR with `utforare = ''` (which never
        # matches) made the planner combine two indexes and sort every row of the enhet before
        # the date on each page, instead of reading (enhet, forfallodatum, id) in order.
        parts = [f"b.{column} = {arg(value)}" for column, value in _scope_parts(scope) if value]
        where.append("(" + " OR ".join(parts) + ")" if parts else "false")
    # Only column names and $n placeholders are put together here; every value is an argument.
    page = (
        f"SELECT {LIST_COLUMNS} FROM bevakning b"  # noqa: S608
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY b.forfallodatum, b.id LIMIT {arg(limit)}"
    )
    # The child of each ärende on the page, for the audit rows, in the same statement: looked up
    # by primary key for the page's rows only. A join of the whole query let the planner hash
    # every ärende of the enhet (row-level security evaluated on each) when it misjudged how
    # many bevakningar a rare status has (39 ms instead of 1 ms, tests/case_api/test_bevakning_plan.py).
    sql = (
        "SELECT p.*, (SELECT a.person_id FROM arende a WHERE a.id = p.arende_id) AS person_id "  # noqa: S608
        f"FROM ({page}) p ORDER BY p.forfallodatum, p.id"
    )
    return sql, args


def _own_enhet(scope: Scope, f: BevakningFilter) -> BevakningFilter:
    # A unit role's list is its own enhet's: say so in the query, so the (enhet, due) index serves it.
    if scope.enhet is not None and f.enhet is None and scope.utforare is None:
        return BevakningFilter(**{**f.__dict__, "enhet": scope.enhet})
    return f


def _scope_parts(scope: Scope) -> tuple[tuple[str, str | None], ...]:
    return (("enhet", scope.enhet), ("utforare", scope.utforare))
