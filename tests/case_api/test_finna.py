"""Finding the child and the work (issue 14 item 3): the search by personnummer, the
mottagning's inbox, the ärende's timeline, the plan's versions, and 422 for a query parameter
a list does not read. Another enhet's ids answer as unknown ones."""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import TEST_PNR, Walk
from tests.case_api.steg import DAG, PLAN, Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


def pnr(fodd: str, nummer: str) -> str:
    """A fictitious 12-digit personnummer (YYYYMMDD + three digits) with its check digit."""
    digits = fodd[2:] + nummer
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (2 - i % 2)
        total += product // 10 + product % 10
    return fodd + nummer + str((10 - total % 10) % 10)


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def _audit(conn: AsyncConnection, objekt_typ: str) -> list[Any]:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = list(
        await conn.execute(
            text(
                "SELECT handling, objekt_id, person_id, arende_id, skal, enhet FROM audit_logg "
                "WHERE objekt_typ = :t ORDER BY id"
            ),
            {"t": objekt_typ},
        )
    )
    await conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
    return rows


async def test_search_finds_the_child_of_an_own_arende_only(
    walk: Walk, token: TokenFactory, case_conn: AsyncConnection
) -> None:
    akt = await Steg(walk).aktualisering()
    found = (await walk.get("handlaggare", "/v1/personer", personnummer=TEST_PNR, skal="Ny anmälan")).json()
    assert [p["personnummer"] for p in found["items"]] == [TEST_PNR] and found["next_cursor"] is None
    # Written with a hyphen, as people write it: the same person.
    dashed = f"{TEST_PNR[:8]}-{TEST_PNR[8:]}"
    assert (await walk.get("handlaggare", "/v1/personer", personnummer=dashed, skal="x")).json()["items"]
    # Another enhet: nothing, exactly as for a personnummer nobody has, never a hint.
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    other = await walk.client.get("/v1/personer", params={"personnummer": TEST_PNR, "skal": "x"}, headers=gun)
    unknown = await walk.client.get(
        "/v1/personer", params={"personnummer": pnr("20160101", "123"), "skal": "x"}, headers=gun
    )
    assert other.status_code == unknown.status_code == 200
    assert other.json() == unknown.json() == {"items": [], "next_cursor": None}
    # Every search is audited as a search with its skäl, the empty ones too (naming nobody).
    rows = await _audit(case_conn, "person")
    assert [(r.handling, r.skal, r.enhet) for r in rows] == [
        ("sok", "Ny anmälan", "bou-1"),
        ("sok", "x", "bou-1"),
        ("sok", "x", "bou-2"),
        ("sok", "x", "bou-2"),
    ]
    assert str(rows[0].person_id) == found["items"][0]["id"] and str(rows[0].arende_id) == akt["arende_id"]
    assert rows[2].person_id is None and rows[2].arende_id is None and rows[2].objekt_id is None


async def test_search_needs_a_valid_personnummer_and_a_skal(walk: Walk) -> None:
    headers = bearer(walk.tokens["handlaggare"])
    for params, field in (
        ({"personnummer": TEST_PNR}, "query.skal"),
        ({"personnummer": "201503142381", "skal": "x"}, "query.personnummer"),
    ):
        problem = assert_problem(await walk.client.get("/v1/personer", params=params, headers=headers), 422)
        assert problem["errors"][0]["field"] == field, problem
    # The utförare does not search the nämnd's register.
    assert_problem(
        await walk.client.get(
            "/v1/personer",
            params={"personnummer": TEST_PNR, "skal": "x"},
            headers=bearer(walk.tokens["utforare"]),
        ),
        403,
    )


async def test_the_inbox_lists_what_waits_oldest_first(
    walk: Walk, token: TokenFactory, case_conn: AsyncConnection
) -> None:
    steg = Steg(walk)
    barn = [pnr("20150301", n) for n in ("238", "246", "254", "262")]
    sent = await steg.aktualisering(inkom=f"{DAG}T11:00:00+01:00", barn={"personnummer": barn[0]})
    tidig = await steg.aktualisering(inkom="2026-03-09T08:00:00+01:00", barn={"personnummer": barn[1]})
    skyddsbedomd = await steg.aktualisering(inkom="2026-03-09T15:00:00+01:00", barn={"personnummer": barn[2]})
    await steg.skydd(skyddsbedomd["id"])
    klar = await steg.aktualisering(inkom="2026-03-08T15:00:00+01:00", barn={"personnummer": barn[3]})
    await steg.skydd(klar["id"])
    await steg.forhand(klar["id"], beslut="inled_ej_utredning")

    inbox = (await walk.get("handlaggare", "/v1/aktualiseringar")).json()
    assert [a["id"] for a in inbox["items"]] == [tidig["id"], skyddsbedomd["id"], sent["id"]]
    assert [a["status"] for a in inbox["items"]] == ["inkommen", "skyddsbedomd", "inkommen"]
    only = (await walk.get("handlaggare", "/v1/aktualiseringar", status="inkommen")).json()["items"]
    assert [a["id"] for a in only] == [tidig["id"], sent["id"]]
    several = await walk.get("handlaggare", "/v1/aktualiseringar", status=["ej_utredning", "skyddsbedomd"])
    assert [a["id"] for a in several.json()["items"]] == [klar["id"], skyddsbedomd["id"]]
    dag = await walk.get(
        "handlaggare", "/v1/aktualiseringar", inkom_fran="2026-03-09", inkom_till="2026-03-09"
    )
    assert [a["id"] for a in dag.json()["items"]] == [tidig["id"], skyddsbedomd["id"]]
    # Paged like every list.
    first = (await walk.get("handlaggare", "/v1/aktualiseringar", limit=2)).json()
    rest = (await walk.get("handlaggare", "/v1/aktualiseringar", limit=2, cursor=first["next_cursor"])).json()
    assert [a["id"] for a in first["items"] + rest["items"]] == [a["id"] for a in inbox["items"]]
    assert rest["next_cursor"] is None
    # Another enhet's inbox holds none of them.
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    assert (await walk.client.get("/v1/aktualiseringar", headers=gun)).json()["items"] == []
    problem = assert_problem(
        await walk.client.get("/v1/aktualiseringar", params={"status": "okand"}, headers=gun), 422
    )
    assert problem["errors"][0]["field"] == "query.status.0"
    rows = await _audit(case_conn, "aktualisering")
    assert {r.handling for r in rows} >= {"sok"}


async def test_the_timeline_is_every_event_of_the_arende_in_order(walk: Walk, token: TokenFactory) -> None:
    akt, _, _ = await Steg(walk).verkstallt_uppdrag()
    path = f"/v1/arenden/{akt['arende_id']}/handelser"
    items = (await walk.get("arbetsledare", path)).json()["items"]
    typer = [i["typ"] for i in items]
    assert typer[:2] == ["arende.oppnat", "aktualisering.registrerad"], typer
    for later, earlier in (
        ("beslut.fattat", "utredning.avslutad"),
        ("uppdrag.skickat", "beslut.fattat"),
        ("insats.verkstalld", "uppdrag.mottaget"),
    ):
        assert typer.index(later) > typer.index(earlier), typer
    assert [i["sekvens"] for i in items] == sorted(i["sekvens"] for i in items)
    assert all(i["data"]["arende_id"] == akt["arende_id"] for i in items)
    paged = (await walk.get("handlaggare", path, limit=3)).json()
    more = (await walk.get("handlaggare", path, limit=100, cursor=paged["next_cursor"])).json()
    assert [i["id"] for i in paged["items"] + more["items"]] == [i["id"] for i in items]
    # Another enhet, the utförare: as if the ärende did not exist, or not theirs to read.
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    assert_problem(await walk.client.get(path, headers=gun), 404)
    assert_problem(await walk.client.get(path, headers=bearer(walk.tokens["utforare"])), 403)


async def test_the_plan_versions_of_an_uppdrag(walk: Walk, token: TokenFactory) -> None:
    steg = Steg(walk)
    _, _, uppdrag = await steg.verkstallt_uppdrag()
    first = await steg.plan(uppdrag["id"])
    second = (
        await walk.post(
            "utforare",
            f"/v1/uppdrag/{uppdrag['id']}/genomforandeplaner",
            PLAN | {"aktiviteter": "Samtal och läxhjälp"},
            expect=201,
        )
    ).json()
    path = f"/v1/uppdrag/{uppdrag['id']}/genomforandeplaner"
    for who in ("utforare", "handlaggare"):
        items = (await walk.get(who, path)).json()["items"]
        assert [(p["id"], p["versionsnummer"]) for p in items] == [(first["id"], 1), (second["id"], 2)], who
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    ulla = bearer(token("utforare", sub="ulla", enhet=None, utforare="ov-9"))
    for headers in (gun, ulla):
        assert_problem(await walk.client.get(path, headers=headers), 404)


async def test_an_unknown_query_parameter_is_named_not_ignored(walk: Walk) -> None:
    await Steg(walk).aktualisering()
    headers = bearer(walk.tokens["handlaggare"])
    # It used to answer every ärende of the enhet, which reads as the search's result.
    for path, params in (
        ("/v1/arenden", {"personnummer": TEST_PNR}),
        ("/v1/bevakningar", {"arende": "x", "status": "oppen"}),
        ("/v1/aktualiseringar", {"inkom": DAG}),
    ):
        response = await walk.client.get(path, params=params, headers=headers)
        problem = assert_problem(response, 422, "validation-error")
        wanted = sorted(f"query.{name}" for name in params if name != "status")
        assert [e["field"] for e in problem["errors"]] == wanted, (path, problem)
