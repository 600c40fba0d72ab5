"""GET /v1/regler/{id}/berakning and datum.berakna: the due date with the steps that led to it.

Expected dates are worked out by hand in the comments (weekday, holiday, month length), not
with the product's code; the steps are read as a person would read them.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from case_api.bevakning.models import Bevakning
from case_api.bevakning.router import berakning_lank
from case_api.regler import datum
from case_api.regler.tabell import REGLER, regel
from common.auth import Role
from tests.helpers import assert_problem, bearer


def typer(b: datum.Berakning) -> list[str]:
    return [s.typ for s in b.steg]


def test_julafton_passes_each_day_by_name() -> None:
    # Wednesday 10 December 2025 + 14 days = Wednesday 24 December, julafton; 25 juldagen,
    # 26 annandag jul, 27 Saturday, 28 Sunday -> Monday 29 December.
    b = datum.berakna(regel("forhandsbedomning"), date(2025, 12, 10))
    assert b.forfallodatum == date(2025, 12, 29)
    assert typer(b) == ["startdag", "langd", "fridag", "fridag", "fridag", "fridag", "fridag", "flyttad"]
    assert [s.namn for s in b.steg if s.typ == "fridag"] == [
        "julafton",
        "juldagen",
        "annandag jul",
        "lördag",
        "söndag",
    ]
    assert "lag (1930:173) 2 §" in b.steg[-1].text and "29 december 2025" in b.steg[-1].text
    assert "14 dagar" in b.steg[1].text


def test_a_month_end_is_clamped_then_moved() -> None:
    # 31 October 2025 + 4 months: February 2026 has no 31st -> Saturday 28 February, then
    # Sunday 1 March -> Monday 2 March.
    b = datum.berakna(regel("utredning"), date(2025, 10, 31))
    assert b.forfallodatum == date(2026, 3, 2)
    assert typer(b) == ["startdag", "langd", "manadsslut", "fridag", "fridag", "flyttad"]
    klamp = b.steg[2]
    assert klamp.datum == date(2026, 2, 28) and "ingen dag 31" in klamp.text


def test_an_instant_is_read_as_its_day_in_stockholm() -> None:
    # 23:30 UTC on Saturday 14 March 2026 is 00:30 on Sunday 15 March in Stockholm (CET).
    b = datum.berakna(regel("skyddsbedomning"), datetime(2026, 3, 14, 23, 30, tzinfo=UTC))
    assert b.startdag == date(2026, 3, 15) == b.forfallodatum
    assert "Europe/Stockholm" in b.steg[0].text and "15 mars 2026" in b.steg[0].text
    # Genast on a Sunday: not moved, and the step says why.
    assert typer(b) == ["startdag", "langd", "ej_flyttad"]
    assert b.steg[-1].namn == "söndag" and "samma dag" in b.steg[-1].text


def test_a_vardag_needs_no_move_and_says_so() -> None:
    # Wednesday 22 April 2026 + 14 = Wednesday 6 May 2026.
    b = datum.berakna(regel("forhandsbedomning"), date(2026, 4, 22))
    assert b.forfallodatum == date(2026, 5, 6)
    assert typer(b) == ["startdag", "langd", "vardag"]


def test_the_nämnds_own_rule_is_not_moved_on_a_saturday() -> None:
    # 30 July 2026 + 6 months = Saturday 30 January 2027: a quality requirement, so it stands.
    b = datum.berakna(regel("uppfoljning"), date(2026, 7, 30))
    assert b.forfallodatum == date(2027, 1, 30)
    assert b.steg[-1].typ == "ej_flyttad" and b.steg[-1].namn == "lördag"
    assert "kvalitetskrav" in b.steg[-1].text
    # Kontaktfamilj: 12 months, 30 July 2027, a Friday.
    assert datum.berakna(
        regel("uppfoljning"), date(2026, 7, 30), insatstyp="kontaktfamilj"
    ).forfallodatum == (date(2027, 7, 30))


@pytest.mark.parametrize("regel_id", sorted(REGLER))
def test_every_rule_explains_exactly_the_date_it_watches(regel_id: str) -> None:
    r = regel(regel_id)
    for start in (date(2025, 12, 10), date(2026, 1, 31), date(2026, 6, 19)):
        b = datum.berakna(r, start)
        assert b.forfallodatum == datum.forfallodatum(r, start)
        assert b.steg[0].typ == "startdag" and b.steg[-1].datum == b.forfallodatum
        assert all(s.text.endswith(".") and len(s.text) > 20 for s in b.steg)
        assert (b.steg[-1].typ == "ej_flyttad") is (not r.lag_1930_173)


@pytest.mark.parametrize("regel_id", sorted(REGLER))
async def test_the_endpoint_answers_for_every_rule(case_client: Any, token: Any, regel_id: str) -> None:
    response = await case_client.get(
        f"/v1/regler/{regel_id}/berakning",
        params={"start": "2026-01-31"},
        headers=bearer(token("utforare", utforare="utf-1")),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "regel_id",
        "start",
        "startdag",
        "insatstyp",
        "darefter",
        "forfallodatum",
        "steg",
        "kallor",
    }
    assert body["regel_id"] == regel_id and body["start"] == "2026-01-31"
    assert body["forfallodatum"] == datum.forfallodatum(regel(regel_id), date(2026, 1, 31)).isoformat()
    assert body["steg"][-1]["datum"] == body["forfallodatum"]
    assert body["kallor"] == list(regel(regel_id).kallor)


async def test_the_endpoint_reads_a_time_with_offset(case_client: Any, token: Any) -> None:
    response = await case_client.get(
        "/v1/regler/forhandsbedomning/berakning",
        params={"start": "2026-03-14T23:30:00Z"},
        headers=bearer(token("handlaggare")),
    )
    body = response.json()
    # Sunday 15 March + 14 = Sunday 29 March -> Monday 30 March.
    assert (body["startdag"], body["forfallodatum"]) == ("2026-03-15", "2026-03-30")
    assert [s["typ"] for s in body["steg"]] == ["startdag", "langd", "fridag", "flyttad"]
    assert body["steg"][2]["namn"] == "söndag"


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_every_role_may_call_it(case_client: Any, token: Any, role: str) -> None:
    response = await case_client.get(
        "/v1/regler/utredning/berakning",
        params={"start": "2026-02-10"},
        headers=bearer(token(role, utforare="utf-1")),
    )
    assert response.status_code == 200, response.text


async def test_who_may_not(case_client: Any, token: Any) -> None:
    path, params = "/v1/regler/utredning/berakning", {"start": "2026-02-10"}
    assert_problem(await case_client.get(path, params=params), 401)
    assert_problem(await case_client.get(path, params=params, headers=bearer(token("medborgare"))), 403)


@pytest.mark.parametrize(
    ("params", "falt"),
    [
        ({"start": "2026-02-10T10:00:00"}, "start"),  # naive: names no instant
        ({"start": "10 februari 2026"}, "start"),
        ({"start": "2026-02-30"}, "start"),
        ({"start": "2026-02-10", "insatstyp": "okand"}, "insatstyp"),
        ({"start": "2026-02-10", "fran": "2026-01-01"}, "fran"),  # unknown parameter
        ({}, "start"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    case_client: Any, token: Any, params: dict[str, str], falt: str
) -> None:
    response = await case_client.get(
        "/v1/regler/utredning/berakning", params=params, headers=bearer(token("handlaggare"))
    )
    body = assert_problem(response, 422)
    assert falt in response.text, body


async def test_unknown_rule_is_404(case_client: Any, token: Any) -> None:
    response = await case_client.get(
        "/v1/regler/finns_inte/berakning",
        params={"start": "2026-02-10"},
        headers=bearer(token("handlaggare")),
    )
    assert_problem(response, 404, "regel-not-found")


async def test_a_bevakning_link_carries_its_insatstyp(case_client: Any, token: Any) -> None:
    b = Bevakning(
        typ="uppfoljning",
        enhet="bou-1",
        objekt_typ="uppdrag",
        objekt_id=uuid.uuid4(),
        startdatum=date(2026, 7, 30),
        forfallodatum=date(2027, 7, 30),
        insatstyp="kontaktfamilj",
    )
    lank = berakning_lank(b)
    assert lank == "/v1/regler/uppfoljning/berakning?start=2026-07-30&insatstyp=kontaktfamilj"
    svar = (await case_client.get(lank, headers=bearer(token("handlaggare")))).json()
    assert svar["forfallodatum"] == "2027-07-30"


async def test_a_later_interval_of_a_recurring_rule(case_client: Any, token: Any) -> None:
    path, headers = "/v1/regler/vardnadsoverflyttning/berakning", bearer(token("handlaggare"))
    first = (await case_client.get(path, params={"start": "2026-01-31"}, headers=headers)).json()
    # Two years from the placement: Monday 31 January 2028, a vardag.
    assert (first["darefter"], first["forfallodatum"]) == (False, "2028-01-31")
    later = (
        await case_client.get(path, params={"start": "2026-01-31", "darefter": "true"}, headers=headers)
    ).json()
    # A year from the last övervägande: Sunday 31 January 2027 -> Monday 1 February (1930:173 2 §).
    assert (later["darefter"], later["forfallodatum"]) == (True, "2027-02-01")
    assert [s["typ"] for s in later["steg"]] == ["startdag", "langd", "fridag", "flyttad"]
    assert "12 månader" in later["steg"][1]["text"]
