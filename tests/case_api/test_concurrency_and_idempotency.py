"""Idempotency-Key on every create, If-Match on every command, one ärende when two anmälningar
for a new child race (real commits, a real server), and 422s that name the field."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.case_api.flow import ANMALAN, STHLM, Walk
from tests.case_api.steg import DAG, FASTSTALL, PLAN, UPPFOLJNING, Steg, fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer
from tests.servers import running_service


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def count(conn: AsyncConnection, table: str) -> int:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


# --- Idempotency-Key --------------------------------------------------------------------------


@dataclass
class Create:
    who: str
    path: str
    body: dict[str, Any]
    other: dict[str, Any]
    table: str


def _uppdrag_body(insats_id: str) -> dict[str, Any]:
    return {
        "insats_id": insats_id,
        "utforare": "ov-1",
        "behovsbedomning": "b",
        "omfattning": "o",
        "mal": ["m"],
        "uppfoljningsform": "u",
        "kontaktuppgifter": {},
    }


async def c_aktualisering(s: Steg) -> Create:
    body = ANMALAN | {"inkom": f"{DAG}T09:00:00+01:00"}
    return Create(
        "handlaggare", "/v1/aktualiseringar", body, body | {"beskrivning": "Annan."}, "aktualisering"
    )


async def c_beslut(s: Steg) -> Create:
    akt = await s.aktualisering("ansokan")
    body = {
        "arende_id": akt["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": DAG,
        "beslutsfattare": "anna",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    return Create("handlaggare", "/v1/beslut", body, body | {"insatstyp": "kontaktperson"}, "beslut")


async def c_serviceinsats(s: Steg) -> Create:
    body = {
        "enhet": "bou-1",
        "barn": {"personnummer": "201203152002"},
        "startdatum": DAG,
        "beskrivning": "Grupp.",
        "samtycke": {
            "givet_av": "vardnadshavare",
            "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
            "omfattning": ["personuppgifter"],
            "giltigt_fran": DAG,
        },
    }
    return Create("handlaggare", "/v1/serviceinsatser", body, body | {"beskrivning": "Annan."}, "insats")


async def c_uppdrag(s: Steg) -> Create:
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    body = _uppdrag_body(insats["id"])
    return Create("handlaggare", "/v1/uppdrag", body, body | {"utforare": "ov-2"}, "uppdrag")


async def c_plan(s: Steg) -> Create:
    _, _, up = await s.verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}/genomforandeplaner"
    return Create("utforare", path, PLAN, PLAN | {"aktiviteter": "Annat."}, "genomforandeplan")


async def c_uppfoljning(s: Steg) -> Create:
    _, _, up = await s.verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}/uppfoljningar"
    return Create("utforare", path, UPPFOLJNING, UPPFOLJNING | {"sammanfattning": "Annat."}, "uppfoljning")


CREATES: list[Callable[[Steg], Awaitable[Create]]] = [
    c_aktualisering,
    c_beslut,
    c_serviceinsats,
    c_uppdrag,
    c_plan,
    c_uppfoljning,
]


@pytest.mark.parametrize("setup", CREATES, ids=lambda f: f.__name__[2:])
async def test_idempotency_key_on_every_create(
    setup: Callable[[Steg], Awaitable[Create]], walk: Walk, case_conn: AsyncConnection
) -> None:
    c = await setup(Steg(walk))
    rows = await count(case_conn, c.table)
    headers = bearer(walk.tokens[c.who]) | {"Idempotency-Key": f"key-{c.table}"}
    first = await walk.client.post(c.path, json=c.body, headers=headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    after_first = await fingerprint(case_conn)
    again = await walk.client.post(c.path, json=c.body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers.get("Location") == first.headers.get("Location")
    assert await count(case_conn, c.table) == rows + 1
    assert await fingerprint(case_conn) == after_first  # the replay wrote nothing at all
    other = await walk.client.post(c.path, json=c.other, headers=headers)
    problem = assert_problem(other, 422, "idempotency-key-reused")
    assert problem["detail"]
    assert await fingerprint(case_conn) == after_first
    # Another key is another request.
    fresh = await walk.client.post(c.path, json=c.other, headers=headers | {"Idempotency-Key": "key-2"})
    assert fresh.status_code in (201, 409), fresh.text  # 409: a second active uppdrag is refused


# --- If-Match -----------------------------------------------------------------------------------


@dataclass
class Command:
    who: str
    path: str
    body: dict[str, Any]
    obj_path: str


async def m_skydd(s: Steg) -> Command:
    akt = await s.aktualisering()
    p = f"/v1/aktualiseringar/{akt['id']}"
    return Command(
        "handlaggare",
        f"{p}/skyddsbedomning",
        {"bedomd_at": f"{DAG}T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "m"},
        p,
    )


async def m_forhand(s: Steg) -> Command:
    akt = await s.aktualisering()
    await s.skydd(akt["id"])
    p = f"/v1/aktualiseringar/{akt['id']}"
    return Command(
        "handlaggare",
        f"{p}/forhandsbedomning",
        {"beslut": "inled_utredning", "beslutsdatum": DAG, "motivering": "m"},
        p,
    )


async def m_arende_avslut(s: Steg) -> Command:
    akt = await s.aktualisering()
    p = f"/v1/arenden/{akt['arende_id']}"
    return Command("handlaggare", f"{p}/avslut", {"orsak": "Klart."}, p)


async def m_tilldelning(s: Steg) -> Command:
    akt = await s.aktualisering()
    p = f"/v1/arenden/{akt['arende_id']}"
    return Command("arbetsledare", f"{p}/tilldelning", {"handlaggare": "bo"}, p)


async def _utredning(s: Steg) -> str:
    akt = await s.aktualisering("ansokan")
    return f"/v1/utredningar/{await s.utredning_id(akt['arende_id'])}"


async def m_forlangning(s: Steg) -> Command:
    p = await _utredning(s)
    return Command(
        "arbetsledare",
        f"{p}/forlangning",
        {"beslutsdatum": DAG, "skal": "s", "ny_slutdatum": "2026-12-01"},
        p,
    )


async def m_utredning_avslut(s: Steg) -> Command:
    p = await _utredning(s)
    return Command(
        "handlaggare",
        f"{p}/avslut",
        {
            "avslutad_datum": DAG,
            "resultat": "ingen_insats",
            "motivering": "m",
            "barnperspektiv": BARNPERSPEKTIV,
        },
        p,
    )


async def m_insats_avslut(s: Steg) -> Command:
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    p = f"/v1/insatser/{insats['id']}"
    return Command("handlaggare", f"{p}/avslut", {"avslutad_datum": DAG, "orsak": "mal_uppnatt"}, p)


async def _skickat(s: Steg) -> str:
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    return f"/v1/uppdrag/{(await s.uppdrag(insats['id']))['id']}"


async def m_mottagande(s: Steg) -> Command:
    p = await _skickat(s)
    return Command("utforare", f"{p}/mottagande", {"accepterat": True}, p)


async def m_verkstallighet(s: Steg) -> Command:
    p = await _skickat(s)
    await s.motta(p.rsplit("/", 1)[1])
    return Command("utforare", f"{p}/verkstallighet", {"verkstallighetsdatum": DAG}, p)


async def m_ej_verkstallt(s: Steg) -> Command:
    p = await _skickat(s)
    await s.motta(p.rsplit("/", 1)[1])
    return Command("utforare", f"{p}/ej-verkstallt", {"datum": DAG, "orsak": "o"}, p)


async def m_forandrade_behov(s: Steg) -> Command:
    _, _, up = await s.verkstallt_uppdrag()
    p = f"/v1/uppdrag/{up['id']}"
    return Command("utforare", f"{p}/forandrade-behov", {"beskrivning": "b"}, p)


async def m_faststallande(s: Steg) -> Command:
    _, _, up = await s.verkstallt_uppdrag()
    plan = await s.plan(up["id"])
    p = f"/v1/genomforandeplaner/{plan['id']}"
    return Command("utforare", f"{p}/faststallande", FASTSTALL, p)


COMMANDS: list[Callable[[Steg], Awaitable[Command]]] = [
    m_skydd,
    m_forhand,
    m_arende_avslut,
    m_tilldelning,
    m_forlangning,
    m_utredning_avslut,
    m_insats_avslut,
    m_mottagande,
    m_verkstallighet,
    m_ej_verkstallt,
    m_forandrade_behov,
    m_faststallande,
]


@pytest.mark.parametrize("setup", COMMANDS, ids=lambda f: f.__name__[2:])
async def test_if_match_on_every_command(
    setup: Callable[[Steg], Awaitable[Command]], walk: Walk, case_conn: AsyncConnection
) -> None:
    c = await setup(Steg(walk))
    current = (await walk.get(c.who, c.obj_path)).headers["ETag"]
    before = await fingerprint(case_conn)
    missing = await walk.client.post(c.path, json=c.body, headers=bearer(walk.tokens[c.who]))
    assert_problem(missing, 428, "precondition-required")
    for stale in ('"0"', '"999"', "*", ""):
        response = await walk.client.post(
            c.path, json=c.body, headers=bearer(walk.tokens[c.who]) | {"If-Match": stale}
        )
        if stale == "":
            assert_problem(response, 428)
            continue
        problem = assert_problem(response, 412, "precondition-failed")
        assert problem["current_etag"] == current
    assert await fingerprint(case_conn) == before
    ok = await walk.client.post(
        c.path, json=c.body, headers=bearer(walk.tokens[c.who]) | {"If-Match": current}
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] != current
    # The ETag just used is stale now.
    replay = await walk.client.post(
        c.path, json=c.body, headers=bearer(walk.tokens[c.who]) | {"If-Match": current}
    )
    assert_problem(replay, 412)


# --- Two anmälningar for the same new child at once ---------------------------------------------


async def test_concurrent_anmalningar_open_one_arende(
    committed_case_db: ServiceDatabase, test_data_dir: Path, token: TokenFactory
) -> None:
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    headers = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    children = ["201304052390", "201211152390", "201303192387", "201212302382"]
    with running_service("case_api.main:create_app", env) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for pnr in children:
                body = ANMALAN | {"barn": {"personnummer": pnr}, "inkom": "2026-02-03T09:30:00+01:00"}
                answers = await asyncio.gather(
                    *(
                        client.post(
                            "/v1/aktualiseringar", json=body | {"beskrivning": f"Oro {n}"}, headers=headers
                        )
                        for n in range(6)
                    )
                )
                assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
                assert len({a.json()["arende_id"] for a in answers}) == 1, pnr
    engine = make_engine(committed_case_db.owner_url)
    try:
        async with engine.connect() as conn:
            per_child = (
                await conn.execute(
                    text(
                        "SELECT p.personnummer, count(DISTINCT a.id), count(DISTINCT p.id), count(k.id) "
                        "FROM person p JOIN arende a ON a.person_id = p.id "
                        "JOIN aktualisering k ON k.arende_id = a.id GROUP BY p.personnummer"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert sorted((r[0], r[1], r[2], r[3]) for r in per_child) == sorted((p, 1, 1, 6) for p in children)


# --- 422s that name the field ------------------------------------------------------------------


def fields(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem.get("errors") or []}


async def post(
    walk: Walk, path: str, body: dict[str, Any], who: str = "handlaggare", **h: str
) -> httpx.Response:
    return await walk.client.post(path, json=body, headers=bearer(walk.tokens[who]) | h)


async def test_invalid_personnummer_check_digit(walk: Walk) -> None:
    r = await post(walk, "/v1/aktualiseringar", ANMALAN | {"barn": {"personnummer": "201212121213"}})
    assert fields(assert_problem(r, 422)) == {"barn.personnummer"}


async def test_birth_date_in_the_future(case_app: Any, walk: Walk) -> None:
    # Travel to 2012, before the test child 20121212-1212 was born.
    frozen(case_app, datetime(2012, 12, 1, 12, 0, tzinfo=STHLM))
    body = ANMALAN | {"barn": {"personnummer": "201212121212"}, "inkom": "2012-11-30T10:00:00+01:00"}
    problem = assert_problem(await post(walk, "/v1/aktualiseringar", body), 422)
    assert fields(problem) == {"barn.personnummer"} and "future" in problem["errors"][0]["message"]


async def test_samordningsnummer_is_accepted(walk: Walk) -> None:
    r = await post(walk, "/v1/aktualiseringar", ANMALAN | {"barn": {"personnummer": "201212721219"}})
    assert r.status_code == 201, r.text
    barn = (await walk.get("handlaggare", f"/v1/arenden/{r.json()['arende_id']}")).json()["barn"]
    assert (barn["identitet_typ"], barn["personnummer"], barn["fodelsedatum"]) == (
        "samordningsnummer",
        "201212721219",
        "2012-12-12",
    )


async def test_unknown_identity_needs_a_birth_date(walk: Walk) -> None:
    barn = {"fornamn": "Okänd", "efternamn": "Barnsson"}
    problem = assert_problem(await post(walk, "/v1/aktualiseringar", ANMALAN | {"barn": barn}), 422)
    assert fields(problem) == {"barn"} and "fodelsedatum" in problem["errors"][0]["message"]
    ok = await post(walk, "/v1/aktualiseringar", ANMALAN | {"barn": barn | {"fodelsedatum": "2015-03-14"}})
    assert ok.status_code == 201, ok.text


async def test_inkom_without_offset(walk: Walk) -> None:
    problem = assert_problem(
        await post(walk, "/v1/aktualiseringar", ANMALAN | {"inkom": "2026-02-03T09:30:00"}), 422
    )
    assert fields(problem) == {"inkom"}


async def test_late_forhandsbedomning_needs_synnerliga_skal(case_app: Any, walk: Walk) -> None:
    akt = await Steg(walk).aktualisering(inkom="2026-02-03T09:30:00+01:00")  # due 17 Feb
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{path}/skyddsbedomning",
        path,
        {"bedomd_at": "2026-02-03T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "m"},
    )
    body = {"beslut": "inled_utredning", "beslutsdatum": "2026-02-18", "motivering": "m"}
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    problem = assert_problem(await post(walk, f"{path}/forhandsbedomning", body, **{"If-Match": etag}), 422)
    assert fields(problem) == {"synnerliga_skal"}
    on_time = await post(
        walk, f"{path}/forhandsbedomning", body | {"beslutsdatum": "2026-02-17"}, **{"If-Match": etag}
    )
    assert on_time.status_code == 200, on_time.text


async def test_late_forhandsbedomning_with_synnerliga_skal(walk: Walk) -> None:
    s = Steg(walk)
    akt = await s.aktualisering(inkom="2026-02-03T09:30:00+01:00")
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{path}/skyddsbedomning",
        path,
        {"bedomd_at": "2026-02-03T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "m"},
    )
    body = {
        "beslut": "inled_utredning",
        "beslutsdatum": "2026-02-18",
        "motivering": "m",
        "synnerliga_skal": "Barnet var utomlands.",
    }
    done = await walk.command("handlaggare", f"{path}/forhandsbedomning", path, body)
    assert done["forhandsbedomning"]["synnerliga_skal"] == "Barnet var utomlands."


async def test_forlangning_without_ny_slutdatum(walk: Walk) -> None:
    akt = await Steg(walk).aktualisering("ansokan")
    path = f"/v1/utredningar/{await Steg(walk).utredning_id(akt['arende_id'])}"
    etag = (await walk.get("arbetsledare", path)).headers["ETag"]
    body = {"beslutsdatum": DAG, "skal": "Särskilda skäl."}
    problem = assert_problem(
        await post(walk, f"{path}/forlangning", body, "arbetsledare", **{"If-Match": etag}), 422
    )
    assert fields(problem) == {"ny_slutdatum"}
