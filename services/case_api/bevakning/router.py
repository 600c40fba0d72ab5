import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Response

from case_api.bevakning.models import Bevakning
from case_api.bevakning.repository import BevakningFilter, list_sql
from case_api.bevakning.schemas import BevakningOut, BevakningPage, BevakningStatus, RegelRef
from case_api.kontext import Ctx
from case_api.regler import tabell
from case_api.responses import LIST
from common.db import driver, json_default
from common.pagination import CursorParam, IsoDate, LimitParam, decode_cursor, encode_cursor

router = APIRouter(prefix="/v1/bevakningar", tags=["bevakningar"])


def berakning_lank(b: Bevakning) -> str:
    """The explanation of b's own due date: the same rule, start and insatstyp it was computed from."""
    return _lank(b.typ, b.startdatum, b.insatstyp, b.darefter)


def _lank(typ: str, startdatum: date, insatstyp: str | None, darefter: bool) -> str:
    query = {"start": startdatum.isoformat()} | ({"insatstyp": insatstyp} if insatstyp else {})
    if darefter:
        query["darefter"] = "true"
    return f"/v1/regler/{typ}/berakning?{urlencode(query)}"


_OUT_FIELDS = tuple(name for name in BevakningOut.model_fields if name not in ("regel", "berakning"))


@cache
def regel_ref(typ: str) -> RegelRef:
    regel = tabell.regel(typ)
    return RegelRef(id=regel.id, namn=regel.namn, kallor=list(regel.kallor))


def ut(b: Bevakning) -> BevakningOut:
    return ut_rad({name: getattr(b, name) for name in (*_OUT_FIELDS, "insatstyp", "darefter")})


def ut_rad(row: Mapping[str, Any]) -> BevakningOut:
    """A bevakning's answer from its columns (an ORM object's, or a driver row's)."""
    # Built without validation: every value comes typed from its column.
    return BevakningOut.model_construct(
        **{name: row[name] for name in _OUT_FIELDS},
        regel=regel_ref(row["typ"]),
        berakning=_lank(row["typ"], row["startdatum"], row["insatstyp"], row["darefter"]),
    )


class _Rad(NamedTuple):
    """What the audit rows of a listed bevakning need (Kontext.logga_lista)."""

    id: uuid.UUID
    arende_id: uuid.UUID | None
    person_id: uuid.UUID | None


@cache
def _regel_json(typ: str) -> dict[str, Any]:
    return regel_ref(typ).model_dump(mode="json")


def page_json(page: Sequence[Mapping[str, Any]], next_cursor: str | None) -> bytes:
    """The worklist's BevakningPage as JSON, straight from the driver's rows: the same bytes
    pydantic writes for BevakningPage (tests/case_api/test_bevakning_page_json.py), without
    making 50 models and serialising them again (a fifth of the worklist's CPU)."""
    items = [
        {name: row[name] for name in _OUT_FIELDS}
        | {
            "regel": _regel_json(row["typ"]),
            "berakning": _lank(row["typ"], row["startdatum"], row["insatstyp"], row["darefter"]),
        }
        for row in page
    ]
    return orjson.dumps(
        {"items": items, "next_cursor": next_cursor}, default=json_default, option=orjson.OPT_UTC_Z
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
) -> Response:
    # `fran`/`till` are inclusive days in the API (docs/api.md); the filter's bounds are exclusive.
    fore = forfaller_till + timedelta(days=1) if forfaller_till else None
    efter = forfaller_fran - timedelta(days=1) if forfaller_fran else None
    f = BevakningFilter(arende_id, enhet, handlaggare, utforare, typ, status, fore, efter)
    after = decode_cursor(cursor, 2)
    sql, args = list_sql(
        k.scope,
        f,
        after=(date.fromisoformat(after[0]), uuid.UUID(after[1])) if after else None,
        limit=limit + 1,
    )
    rows = await (await driver(k.session)).fetch(sql, *args)
    page = rows[:limit]
    nasta = (
        encode_cursor([page[-1]["forfallodatum"].isoformat(), str(page[-1]["id"])])
        if len(rows) > limit
        else None
    )
    # The child of each ärende came with the page: the audit rows need no lookup.
    await k.logga_lista("bevakning", [_Rad(r["id"], r["arende_id"], r["person_id"]) for r in page])
    return Response(page_json(page, nasta), media_type="application/json")
