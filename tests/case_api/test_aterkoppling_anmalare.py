"""Återkoppling till anmälaren (19 kap. 6 § SoL (2025:400), SFS 2025:1501): the request recorded on
the aktualisering, a bevakning a week after the förhandsbedömning's beslut (or genast for a later
request), met when the återkoppling is recorded. Dates worked out by hand in the comments."""

from typing import Any

import pytest

from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, Walk, at
from tests.case_api.steg import frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    return frozen(case_app)


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> Walk:
    return Walk(case_client, people(token))


async def anmalan(walk: Walk, clock: FrozenClock, dag: str = "2026-02-03") -> tuple[dict[str, Any], str]:
    at(clock, f"{dag} 10:00")
    akt = (
        await walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"inkom": f"{dag}T09:30:00+01:00"}, expect=201
        )
    ).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{path}/skyddsbedomning",
        path,
        {"bedomd_at": f"{dag}T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "Ingen akut fara."},
    )
    return akt, path


async def besluta(walk: Walk, path: str, dag: str) -> None:
    body = {"beslut": "inled_ej_utredning", "beslutsdatum": dag, "motivering": "Ingen oro kvar."}
    await walk.command("handlaggare", f"{path}/forhandsbedomning", path, body)


async def aterkoppling(walk: Walk, arende_id: str) -> dict[str, list[dict[str, Any]]]:
    b = await walk.bevakningar(arende_id)
    return {t: b.get(t, []) for t in ("aterkoppling_anmalare", "aterkoppling_anmalare_genast")}


async def test_a_week_after_the_beslut_met_when_recorded(walk: Walk, clock: FrozenClock) -> None:
    akt, path = await anmalan(walk, clock)
    at(clock, "2026-02-04 09:00")
    asked = await walk.command(
        "handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-02-04"}
    )
    assert asked["aterkoppling"]["status"] == "begard"
    # The week starts with the beslut: nothing is due yet.
    assert await aterkoppling(walk, akt["arende_id"]) == {
        "aterkoppling_anmalare": [],
        "aterkoppling_anmalare_genast": [],
    }

    # Tuesday 10 February + 1 week = Tuesday 17 February.
    at(clock, "2026-02-10 09:00")
    await besluta(walk, path, "2026-02-10")
    [bev] = (await aterkoppling(walk, akt["arende_id"]))["aterkoppling_anmalare"]
    assert (bev["startdatum"], bev["forfallodatum"], bev["status"]) == ("2026-02-10", "2026-02-17", "oppen")
    explained = (await walk.client.get(bev["berakning"], headers=bearer(walk.tokens["handlaggare"]))).json()
    assert explained["forfallodatum"] == "2026-02-17"

    at(clock, "2026-02-13 09:00")
    done = await walk.command(
        "handlaggare", f"{path}/aterkoppling", path, {"datum": "2026-02-13", "lamnad": True}
    )
    assert (done["aterkoppling"]["status"], done["aterkoppling"]["lamnad_datum"]) == ("lamnad", "2026-02-13")
    [bev] = (await aterkoppling(walk, akt["arende_id"]))["aterkoppling_anmalare"]
    assert (bev["status"], bev["uppfylld_datum"]) == ("uppfylld", "2026-02-13")
    # Given once: a second record is refused by the request's state.
    again = await walk.command(
        "handlaggare", f"{path}/aterkoppling", path, {"datum": "2026-02-13", "lamnad": True}, expect=409
    )
    assert (again["objekt"], again["tillstand"]) == ("aterkoppling", "lamnad")


async def test_the_week_is_a_statutory_time_and_moves_past_easter(walk: Walk, clock: FrozenClock) -> None:
    # Saturday 28 March 2026 + 1 week = Saturday 4 April, påskafton; 5 April påskdagen, 6 April
    # annandag påsk -> Tuesday 7 April (lag 1930:173 2 §).
    akt, path = await anmalan(walk, clock, "2026-03-23")
    await walk.command("handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-03-23"})
    at(clock, "2026-03-28 09:00")
    await besluta(walk, path, "2026-03-28")
    [bev] = (await aterkoppling(walk, akt["arende_id"]))["aterkoppling_anmalare"]
    assert bev["forfallodatum"] == "2026-04-07"


async def test_a_request_after_the_beslut_is_due_genast(walk: Walk, clock: FrozenClock) -> None:
    akt, path = await anmalan(walk, clock)
    at(clock, "2026-02-10 09:00")
    await besluta(walk, path, "2026-02-10")
    # Asked on Saturday 21 February: genast, that same day, not moved.
    at(clock, "2026-02-21 09:00")
    await walk.command("handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-02-21"})
    got = await aterkoppling(walk, akt["arende_id"])
    assert got["aterkoppling_anmalare"] == []
    [bev] = got["aterkoppling_anmalare_genast"]
    assert (bev["startdatum"], bev["forfallodatum"]) == ("2026-02-21", "2026-02-21")
    # Not given, because olämpligt: recorded with its reason, and the bevakning is met.
    done = await walk.command(
        "handlaggare",
        f"{path}/aterkoppling",
        path,
        {"datum": "2026-02-21", "lamnad": False, "skal_ej_lamnad": "Polisen har begärt att inget lämnas ut."},
    )
    assert done["aterkoppling"]["status"] == "ej_lamnad"
    [bev] = (await aterkoppling(walk, akt["arende_id"]))["aterkoppling_anmalare_genast"]
    assert bev["status"] == "uppfylld"


async def test_refusals(walk: Walk, clock: FrozenClock, case_client: Any, token: TokenFactory) -> None:
    _, path = await anmalan(walk, clock)
    # Nothing to tell before the förhandsbedömning, and nothing was asked.
    r = await walk.command(
        "handlaggare", f"{path}/aterkoppling", path, {"datum": "2026-02-03", "lamnad": True}, expect=422
    )
    assert "not_requested" in str(r)
    await walk.command("handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-02-03"})
    r = await walk.command(
        "handlaggare", f"{path}/aterkoppling", path, {"datum": "2026-02-03", "lamnad": True}, expect=422
    )
    assert "too_early" in str(r)
    # One request per anmälan.
    await walk.command(
        "handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-02-03"}, expect=409
    )
    # Not given needs its reason.
    await walk.command(
        "handlaggare", f"{path}/aterkoppling", path, {"datum": "2026-02-03", "lamnad": False}, expect=422
    )
    # An utförare is not the nämnd.
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    response = await case_client.post(
        f"{path}/aterkopplingsbegaran",
        json={"begard_datum": "2026-02-03"},
        headers=bearer(token("utforare", utforare="ov-1")) | {"If-Match": etag},
    )
    assert_problem(response, 403)


async def test_only_an_anmalan_has_an_anmalare(walk: Walk, clock: FrozenClock) -> None:
    at(clock, "2026-02-03 10:00")
    akt = (
        await walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"typ": "ovrig_information"}, expect=201
        )
    ).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    r = await walk.command(
        "handlaggare", f"{path}/aterkopplingsbegaran", path, {"begard_datum": "2026-02-03"}, expect=422
    )
    assert "not_anmalan" in str(r)
