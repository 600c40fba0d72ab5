"""Bevakning dates through the API at the edges. Every expected date is worked out by hand in
the comment beside it (weekday, holiday, month length), not computed with the product's code."""

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.case_api.flow import ANMALAN, Walk
from tests.case_api.steg import Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> Walk:
    return Walk(case_client, people(token))


def at_utc(case_app: Any, text: str) -> None:
    frozen(case_app, datetime.fromisoformat(text).astimezone(UTC))


async def anmalan(walk: Walk, inkom: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    akt = (
        await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN | {"inkom": inkom}, expect=201)
    ).json()
    bev = {typ: items[0] for typ, items in (await walk.bevakningar(akt["arende_id"])).items()}
    return akt, bev


async def test_late_evening_utc_is_the_next_day_in_stockholm(case_app: Any, walk: Walk) -> None:
    at_utc(case_app, "2026-03-15T08:00:00+00:00")
    # 23:30 UTC on Saturday 14 March is 00:30 CET on Sunday 15 March.
    akt, bev = await anmalan(walk, "2026-03-14T23:30:00Z")
    assert akt["inkom_dag"] == "2026-03-15"
    # Skyddsbedömning: genast, the same day, never moved, even on a Sunday.
    assert (bev["skyddsbedomning"]["startdatum"], bev["skyddsbedomning"]["forfallodatum"]) == (
        "2026-03-15",
        "2026-03-15",
    )
    # Förhandsbedömning: 15 March + 14 days = Sunday 29 March -> Monday 30 March (lag 1930:173).
    assert bev["forhandsbedomning"]["forfallodatum"] == "2026-03-30"


async def test_the_day_before_is_still_14_march(case_app: Any, walk: Walk) -> None:
    at_utc(case_app, "2026-03-15T08:00:00+00:00")
    # 22:59 UTC is 23:59 CET: still Saturday 14 March. +14 = Saturday 28 March -> Monday 30 March.
    akt, bev = await anmalan(walk, "2026-03-14T22:59:00Z")
    assert akt["inkom_dag"] == "2026-03-14"
    assert bev["skyddsbedomning"]["forfallodatum"] == "2026-03-14"
    assert bev["forhandsbedomning"]["forfallodatum"] == "2026-03-30"


async def test_midnight_after_the_switch_to_summer_time(case_app: Any, walk: Walk) -> None:
    at_utc(case_app, "2026-03-30T08:00:00+00:00")
    # Clocks go to CEST (UTC+2) at 01:00 UTC on Sunday 29 March: 22:30 UTC on 29 March is 00:30
    # on Monday 30 March in Stockholm (it would still be the 29th at UTC+1).
    akt, bev = await anmalan(walk, "2026-03-29T22:30:00Z")
    assert akt["inkom_dag"] == "2026-03-30"
    # 30 March + 14 = Monday 13 April: annandag påsk 2026 (Easter Sunday is 5 April, so
    # annandag påsk is 6 April); 13 April is an ordinary Monday and does not move.
    assert bev["forhandsbedomning"]["forfallodatum"] == "2026-04-13"


@pytest.mark.parametrize(
    ("inkom", "due", "why"),
    [
        # Saturday 7 March + 14 = Saturday 21 March -> Monday 23 March.
        ("2026-03-07T10:00:00+01:00", "2026-03-23", "saturday"),
        # Friday 5 June + 14 = Friday 19 June, midsommarafton; Saturday 20 June is midsommardagen,
        # then Sunday 21 June -> Monday 22 June.
        ("2026-06-05T10:00:00+02:00", "2026-06-22", "midsommarafton"),
        # Thursday 10 December + 14 = Thursday 24 December, julafton; 25 juldagen, 26 annandag jul
        # (Saturday), 27 Sunday -> Monday 28 December.
        ("2026-12-10T10:00:00+01:00", "2026-12-28", "julafton"),
        # Thursday 17 December + 14 = Thursday 31 December, nyårsafton; 1 January nyårsdagen,
        # 2-3 January weekend -> Monday 4 January 2027.
        ("2026-12-17T10:00:00+01:00", "2027-01-04", "nyarsafton"),
        # Wednesday 22 April + 14 = Wednesday 6 May: an ordinary weekday, not moved.
        ("2026-04-22T10:00:00+02:00", "2026-05-06", "weekday"),
        # Monday 20 April + 14 = Monday 4 May; 1 May (Friday) lies inside the period, which moves
        # nothing: only the last day counts.
        ("2026-04-20T10:00:00+02:00", "2026-05-04", "holiday-inside"),
    ],
)
async def test_forhandsbedomning_last_day_moves_to_the_next_weekday(
    case_app: Any, walk: Walk, inkom: str, due: str, why: str
) -> None:
    at_utc(case_app, inkom)
    _, bev = await anmalan(walk, inkom)
    assert bev["forhandsbedomning"]["forfallodatum"] == due, why
    assert bev["skyddsbedomning"]["forfallodatum"] == inkom[:10]


@pytest.mark.parametrize(
    ("inkom", "due"),
    [
        # Saturday 31 October 2026 + 4 months: February 2027 has 28 days, so 28 February, a
        # Sunday -> Monday 1 March 2027 (lag 1930:173 applies to the utredning).
        ("2026-10-31T10:00:00+01:00", "2027-03-01"),
        # Sunday 31 October 2027 + 4 months: 2028 is a leap year, so Tuesday 29 February 2028.
        ("2027-10-31T10:00:00+01:00", "2028-02-29"),
        # Wednesday 30 September 2026 + 4 months = Saturday 30 January 2027 -> Monday 1 February.
        ("2026-09-30T10:00:00+02:00", "2027-02-01"),
    ],
)
async def test_utredning_months_clamp_to_the_month_end(
    case_app: Any, walk: Walk, inkom: str, due: str
) -> None:
    at_utc(case_app, inkom)
    akt = (
        await walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"typ": "ansokan", "inkom": inkom}, expect=201
        )
    ).json()
    bev = (await walk.bevakningar(akt["arende_id"]))["utredning"][0]
    assert (bev["startdatum"], bev["forfallodatum"]) == (inkom[:10], due)
    utredning = (await walk.get("handlaggare", f"/v1/utredningar/{bev['objekt_id']}")).json()
    assert utredning["slutdatum"] == due


@pytest.mark.parametrize(
    ("beslutsdatum", "due"),
    [
        # Saturday 28 March + 3 months = Sunday 28 June: the verkställighet limit is a reporting
        # threshold, lag (1930:173) does not apply, the date stays.
        ("2026-03-28", "2026-06-28"),
        # Thursday 24 September + 3 months = Thursday 24 December, julafton: stays.
        ("2026-09-24", "2026-12-24"),
        # Saturday 31 October + 3 months = 31 January 2027, a Sunday: stays.
        ("2026-10-31", "2027-01-31"),
        # Monday 30 November + 3 months: February 2027 has 28 days -> Sunday 28 February, stays.
        ("2026-11-30", "2027-02-28"),
    ],
)
async def test_verkstallighet_is_never_moved(case_app: Any, walk: Walk, beslutsdatum: str, due: str) -> None:
    at_utc(case_app, f"{beslutsdatum}T12:00:00+01:00")
    s = Steg(walk)
    akt = await s.aktualisering("ansokan", inkom=f"{beslutsdatum}T09:00:00+01:00")
    body = {
        "arende_id": akt["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": beslutsdatum,
        "beslutsfattare": "anna",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    await walk.post("handlaggare", "/v1/beslut", body, expect=201)
    bev = (await walk.bevakningar(akt["arende_id"]))["verkstallighet"][0]
    assert (bev["startdatum"], bev["forfallodatum"], bev["status"]) == (beslutsdatum, due, "oppen")


async def test_genomforandeplan_three_weeks_not_moved(case_app: Any, walk: Walk) -> None:
    # Verkställd Saturday 5 December 2026 + 3 weeks = Saturday 26 December (annandag jul): the
    # nämnd's own requirement, not statute, so the date stays.
    at_utc(case_app, "2026-12-05T12:00:00+01:00")
    s = Steg(walk)
    akt = await s.aktualisering("ansokan", inkom="2026-12-05T09:00:00+01:00")
    body = {
        "arende_id": akt["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": "2026-12-05",
        "beslutsfattare": "anna",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    insats = (await walk.post("handlaggare", "/v1/beslut", body, expect=201)).json()["insats"]
    up = await s.uppdrag(insats["id"])
    await s.motta(up["id"])
    path = f"/v1/uppdrag/{up['id']}"
    await walk.command("utforare", f"{path}/verkstallighet", path, {"verkstallighetsdatum": "2026-12-05"})
    bev = (await walk.bevakningar(akt["arende_id"]))["genomforandeplan"][0]
    assert (bev["startdatum"], bev["forfallodatum"]) == ("2026-12-05", "2026-12-26")
