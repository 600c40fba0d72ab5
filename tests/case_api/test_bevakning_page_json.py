"""The worklist writes its page straight from the driver's rows (bevakning.router.page_json). It
must be byte for byte what pydantic writes for the declared BevakningPage, for every value a row
can hold: the spec, the generated clients and the front ends read that model."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from asyncpg.pgproto.pgproto import UUID as DriverUUID

from case_api.bevakning.router import page_json, ut_rad
from case_api.bevakning.schemas import BevakningPage
from case_api.regler import tabell


def _row(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": DriverUUID(str(uuid.uuid4())),
        "typ": "forhandsbedomning",
        "arende_id": DriverUUID(str(uuid.uuid4())),
        "enhet": "bou-1",
        "handlaggare": "anna",
        "utforare": None,
        "objekt_typ": "aktualisering",
        "objekt_id": DriverUUID(str(uuid.uuid4())),
        "startdatum": date(2026, 3, 15),
        "forfallodatum": date(2026, 3, 29),
        "status": "oppen",
        "uppfylld_at": None,
        "uppfylld_datum": None,
        "avbruten_orsak": None,
        "insatstyp": None,
        "darefter": False,
        "person_id": DriverUUID(str(uuid.uuid4())),
    }
    return base | values


ROWS = [
    _row(),
    # Met: a time with and without microseconds, as the driver gives it (UTC) and in an offset.
    _row(
        status="uppfylld",
        uppfylld_at=datetime(2026, 3, 20, 8, 0, 0, tzinfo=UTC),
        uppfylld_datum=date(2026, 3, 20),
    ),
    _row(status="uppfylld", uppfylld_at=datetime(2026, 3, 20, 8, 0, 0, 123, tzinfo=UTC)),
    _row(uppfylld_at=datetime(2026, 3, 20, 9, 30, 1, 999999, tzinfo=timezone(timedelta(hours=1)))),
    _row(status="avbruten", avbruten_orsak='Ärendet avslutat "i förtid" \\ \n\t\u2028 🦉', arende_id=None),
    *(
        _row(typ=regel.id, insatstyp="familjehem", darefter=True, utforare="utf-1")
        for regel in tabell.REGLER.values()
    ),
]


@pytest.mark.parametrize("cursor", [None, "eyJhIjogMX0="])
def test_the_page_is_the_model_s_json(cursor: str | None) -> None:
    declared = BevakningPage(items=[ut_rad(row) for row in ROWS], next_cursor=cursor)
    assert page_json(ROWS, cursor) == declared.model_dump_json().encode()


def test_an_empty_page() -> None:
    assert page_json([], None) == BevakningPage(items=[], next_cursor=None).model_dump_json().encode()
