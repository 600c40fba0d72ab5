import uuid
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from sqlalchemy import false, or_
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning.models import Bevakning
from case_api.bevakning.repository import BevakningFilter, list_query
from case_api.bevakning.schemas import BevakningOut, BevakningPage, BevakningStatus, RegelRef
from case_api.kontext import Ctx, Kontext
from case_api.regler import tabell
from case_api.responses import LIST
from common.pagination import CursorParam, IsoDate, LimitParam, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/bevakningar", tags=["bevakningar"])


def berakning_lank(b: Bevakning) -> str:
    """The explanation of b's own due date: the same rule, start and insatstyp it was computed from."""
    query = {"start": b.startdatum.isoformat()} | ({"insatstyp": b.insatstyp} if b.insatstyp else {})
    if b.darefter:
        query["darefter"] = "true"
    return f"/v1/regler/{b.typ}/berakning?{urlencode(query)}"


def ut(b: Bevakning) -> BevakningOut:
    regel = tabell.regel(b.typ)
    return BevakningOut.model_validate(
        {
            **b.model_dump(),
            "regel": RegelRef(id=regel.id, namn=regel.namn, kallor=list(regel.kallor)),
            "berakning": berakning_lank(b),
        }
    )


@router.get(
    "",
    response_model=BevakningPage,
    responses=LIST,
    summary="Bevakningar by due date: what is due, what is late",
)
async def list_bevakningar(
    k: Ctx,
    arende_id: uuid.UUID | None = None,
    enhet: str | None = None,
    handlaggare: str | None = None,
    utforare: str | None = None,
    typ: str | None = None,
    status: Annotated[BevakningStatus | None, Query()] = None,
    forfaller_fran: Annotated[IsoDate | None, Query(description="Due on or after this day.")] = None,
    forfaller_till: Annotated[IsoDate | None, Query(description="Due on or before this day.")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 100,
) -> BevakningPage:
    # `fran`/`till` are inclusive days in the API (docs/api.md); the filter's bounds are exclusive.
    fore = forfaller_till + timedelta(days=1) if forfaller_till else None
    efter = forfaller_fran - timedelta(days=1) if forfaller_fran else None
    f = BevakningFilter(arende_id, enhet, handlaggare, utforare, typ, status, fore, efter)
    after = decode_cursor(cursor, 2)
    query = list_query(
        _scoped(k, f),
        after=(date.fromisoformat(after[0]), uuid.UUID(after[1])) if after else None,
        limit=limit + 1,
    )
    query = _scope_where(k, query)
    # The child of each ärende in the same statement: the audit rows name it, and a second
    # query for it would cost every worklist page a round trip.
    query = query.add_columns(col(Arende.person_id)).outerjoin(
        Arende, col(Arende.id) == col(Bevakning.arende_id)
    )
    rows = []
    for b, person_id in (await k.session.execute(query)).all():
        if b.arende_id is not None and person_id is not None:
            k.kand_person(b.arende_id, person_id)
        rows.append(b)
    page = rows[:limit]
    nasta = (
        encode_cursor([page[-1].forfallodatum.isoformat(), str(page[-1].id)]) if len(rows) > limit else None
    )
    await k.logga_lista("bevakning", page)
    return BevakningPage(items=[ut(b) for b in page], next_cursor=nasta)


def _scoped(k: Kontext, f: BevakningFilter) -> BevakningFilter:
    # A unit role's list is its own enhet's: say so in the query, so the (enhet, due) index serves it.
    if k.scope.enhet is not None and f.enhet is None and k.scope.utforare is None:
        return replace(f, enhet=k.scope.enhet)
    return f


def _scope_where(k: Kontext, query):  # type: ignore[no-untyped-def]
    # Only the parts of the scope the caller has: an OR with `utforare = ''` (which never
    # matches) made the planner combine two indexes and sort every row of the enhet before the
    # date on each page, instead of reading (enhet, forfallodatum, id) in order (docs/bench.md).
    if k.scope.alla:
        return query
    scope = ((col(Bevakning.enhet), k.scope.enhet), (col(Bevakning.utforare), k.scope.utforare))
    parts = [column == value for column, value in scope if value]
    return query.where(or_(*parts) if parts else false())
