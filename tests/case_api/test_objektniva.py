"""Object-level access (issue 5): outside your enhet (or your utförare organisation) an object
does not exist. Every path of the case_api spec that names an object by id answers 404 (not
403) to a caller of another enhet and to an utförare of another organisation; lists never show
another enhet's objects; and row-level security alone hides them from the application role."""

import json
import uuid
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from case_api.access_matrix import MATRIX
from case_api.main import create_app
from case_api.settings import Settings as CaseSettings
from common.auth import Role
from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.case_api.flow import ANMALAN, Walk
from tests.case_api.steg import DAG, FASTSTALL, PLAN, UPPFOLJNING, Steg, frozen, people
from tests.conftest import REPO, TokenFactory, asgi_client
from tests.helpers import assert_problem, bearer

SPEC = json.loads((REPO / "openapi" / "case_api.json").read_text())
UUID_PATHS = [
    (path, method, op["operationId"])
    for path, ops in SPEC["paths"].items()
    for method, op in ops.items()
    if any(p["in"] == "path" and p["schema"].get("format") == "uuid" for p in op.get("parameters", []))
    # The outbox operator view belongs to `system`, which acts for every enhet.
    and MATRIX[op["operationId"]] != frozenset({Role.system})
]

# A valid body for every operation with one, so only the object's scope can refuse it.
BODIES: dict[str, dict[str, Any]] = {
    "decide_forhandsbedomning": {"beslut": "inled_utredning", "beslutsdatum": DAG, "motivering": "m"},
    "record_skyddsbedomning": {
        "bedomd_at": f"{DAG}T10:00:00+01:00",
        "omedelbart_skydd": False,
        "motivering": "m",
    },
    "close_arende": {"orsak": "o"},
    "assign_arende": {"handlaggare": "bo"},
    "establish_genomforandeplan": FASTSTALL,
    "close_insats": {"avslutad_datum": DAG, "orsak": "mal_uppnatt"},
    "report_ej_verkstallt": {"datum": DAG, "orsak": "o"},
    "report_forandrade_behov": {"beskrivning": "b"},
    "draft_genomforandeplan": PLAN,
    "receive_uppdrag": {"accepterat": True},
    "record_uppfoljning": UPPFOLJNING,
    "report_verkstallighet": {"verkstallighetsdatum": DAG},
    "close_utredning": {"avslutad_datum": DAG, "resultat": "ingen_insats", "motivering": "m"},
    "extend_utredning": {"beslutsdatum": DAG, "skal": "s", "ny_slutdatum": "2026-12-01"},
}
FOREIGN = {
    Role.handlaggare: {"sub": "gun", "enhet": "bou-2"},
    Role.arbetsledare: {"sub": "gert", "enhet": "bou-2"},
    Role.enhetschef: {"sub": "greta", "enhet": "bou-2"},
    Role.utforare: {"sub": "oskar", "enhet": None, "utforare": "ov-9"},
}
OWN = {
    Role.handlaggare: {"sub": "anna", "enhet": "bou-1"},
    Role.arbetsledare: {"sub": "berit", "enhet": "bou-1"},
    Role.enhetschef: {"sub": "eva", "enhet": "bou-1"},
    Role.utforare: {"sub": "olle", "enhet": None, "utforare": "ov-1"},
}


async def bou1_case(walk: Walk) -> dict[str, str]:
    """A bou-1 child with an object behind every id parameter in the spec."""
    s = Steg(walk)
    akt, insats, up = await s.verkstallt_uppdrag()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    plan = await s.plan(up["id"])
    return {
        "aktualisering_id": akt["id"],
        "arende_id": akt["arende_id"],
        "beslut_id": insats["beslut_id"],
        "plan_id": plan["id"],
        "insats_id": insats["id"],
        "uppdrag_id": up["id"],
        "utredning_id": arende["utredningar"][0]["id"],
    }


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


def test_the_spec_still_has_the_paths_this_covers() -> None:
    ops = {op for _, _, op in UUID_PATHS}
    assert len(ops) >= 22, sorted(ops)
    assert {op for op in ops if op.startswith(("record_", "report_", "close_", "establish_", "draft_"))} <= {
        *BODIES
    }


async def test_every_id_path_is_404_outside_scope(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk)
    checked = 0
    for path, method, op in UUID_PATHS:
        url = path.format(**ids)
        nowhere = path.format(**dict.fromkeys(ids, str(uuid.uuid4())))
        roles = [r for r in FOREIGN if r in MATRIX[op]]
        assert roles, op
        for role in roles:
            foreign = token(role.value, **FOREIGN[role])
            answers = []
            for target in (url, nowhere):
                if method == "get":
                    response = await walk.client.get(target, headers=bearer(foreign))
                else:
                    response = await walk.client.post(target, json=BODIES[op], headers=bearer(foreign))
                problem = assert_problem(response, 404, "not-found")
                answers.append({k: v for k, v in problem.items() if k not in ("instance", "request_id")})
            # Indistinguishable from an id that exists nowhere: nothing confirms the object.
            assert answers[0] == answers[1], (op, role, answers)
            checked += 1
        if method == "get":
            # The same id answers its own enhet (and the utförare it was sent to): the 404 above
            # was about scope, not a wrong id.
            for role in (r for r in OWN if r in MATRIX[op]):
                response = await walk.client.get(url, headers=bearer(token(role.value, **OWN[role])))
                assert response.status_code == 200, (op, role, response.text)
    assert checked >= 40


async def test_ids_in_bodies_are_404_outside_scope(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk)
    gun = bearer(token("handlaggare", **FOREIGN[Role.handlaggare]))
    beslut = {
        "arende_id": ids["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": DAG,
        "beslutsfattare": "gun",
        "motivering": "m",
    }
    assert_problem(await walk.client.post("/v1/beslut", json=beslut, headers=gun), 404)
    uppdrag = {
        "insats_id": ids["insats_id"],
        "utforare": "ov-2",
        "behovsbedomning": "b",
        "omfattning": "o",
        "mal": ["m"],
        "uppfoljningsform": "u",
        "kontaktuppgifter": {},
    }
    assert_problem(await walk.client.post("/v1/uppdrag", json=uppdrag, headers=gun), 404)
    # Registering for an enhet that is not yours is refused outright.
    anna_for_bou1 = ANMALAN | {"barn": {"personnummer": "191212121212"}}
    assert_problem(await walk.client.post("/v1/aktualiseringar", json=anna_for_bou1, headers=gun), 403)


async def test_lists_never_show_another_enhets_objects(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk)
    # bou-2 has a case of its own, so its lists are not trivially empty.
    bou2 = Walk(
        walk.client,
        people(token, enhet="bou-2", utforare="ov-9")
        | {
            "handlaggare": token("handlaggare", sub="gun", enhet="bou-2"),
        },
    )
    s2 = Steg(bou2)
    akt2 = await s2.aktualisering(enhet="bou-2", barn={"personnummer": "191304052390"})
    insats2 = await s2.beslut(akt2["arende_id"])
    await s2.uppdrag(insats2["id"], utforare="ov-9")
    for who in ("handlaggare", "arbetsledare"):
        arenden = (await bou2.get(who, "/v1/arenden")).json()["items"]
        assert [a["id"] for a in arenden] == [akt2["arende_id"]]
        bevakningar = (await bou2.get(who, "/v1/bevakningar")).json()["items"]
        assert bevakningar and {b["enhet"] for b in bevakningar} == {"bou-2"}
        assert (await bou2.get(who, "/v1/bevakningar", enhet="bou-1")).json()["items"] == []
        assert (await bou2.get(who, "/v1/bevakningar", arende_id=ids["arende_id"])).json()["items"] == []
        uppdrag = (await bou2.get(who, "/v1/uppdrag")).json()["items"]
        assert {u["enhet"] for u in uppdrag} == {"bou-2"}
    # The other organisation's utförare sees its own uppdrag, never ov-1's.
    ov9 = (await bou2.get("utforare", "/v1/uppdrag")).json()["items"]
    assert {u["utforare"] for u in ov9} == {"ov-9"}
    ov9_bev = (await bou2.get("utforare", "/v1/bevakningar")).json()["items"]
    assert {b["utforare"] for b in ov9_bev} == {"ov-9"}
    assert (await bou2.get("utforare", "/v1/bevakningar", utforare="ov-1")).json()["items"] == []
    # And bou-1 in turn sees none of bou-2's.
    own = (await walk.get("handlaggare", "/v1/arenden")).json()["items"]
    assert akt2["arende_id"] not in {a["id"] for a in own}


RLS_TABLES = ("person", "arende", "aktualisering", "bevakning", "uppdrag")


async def test_row_level_security_alone_hides_other_enheter(
    committed_case_db: ServiceDatabase, case_settings: CaseSettings, token: TokenFactory
) -> None:
    """No object checks in the way: plain SQL as the application role, scope set or not."""
    engine = make_engine(committed_case_db.app_url)
    app = create_app(case_settings, engine=engine)
    frozen(app)
    try:
        async with asgi_client(app) as client:
            walk = Walk(client, people(token))
            await Steg(walk).verkstallt_uppdrag()
    finally:
        await engine.dispose()
    dsn = (
        make_url(committed_case_db.app_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    conn = await asyncpg.connect(dsn)
    try:

        async def visible(scope: dict[str, str] | None) -> dict[str, int]:
            async with conn.transaction():
                if scope is not None:
                    for key, value in scope.items():
                        await conn.execute("SELECT set_config($1, $2, true)", key, value)
                counts = {}
                for table in RLS_TABLES:
                    # Asks for bou-1's rows outright: only the policy can say no.
                    column = "skapad_av_enhet" if table == "person" else "enhet"
                    counts[table] = await conn.fetchval(
                        f"SELECT count(*) FROM {table} WHERE {column} = 'bou-1'"
                    )
                return counts

        assert await visible(None) == dict.fromkeys(RLS_TABLES, 0)
        assert await visible({"app.enhet": "bou-2"}) == dict.fromkeys(RLS_TABLES, 0)
        assert await visible({"app.utforare": "ov-9"}) == dict.fromkeys(RLS_TABLES, 0)
        assert await visible({"app.alla": "off", "app.enhet": ""}) == dict.fromkeys(RLS_TABLES, 0)
        own = await visible({"app.enhet": "bou-1"})
        assert all(n >= 1 for n in own.values()), own
        # The utförare the uppdrag was sent to sees that uppdrag and its bevakningar, not the rest.
        ov1 = await visible({"app.utforare": "ov-1"})
        assert ov1["uppdrag"] == 1 and ov1["aktualisering"] == 0 and ov1["person"] == 1, ov1
        assert await conn.fetchval("SELECT current_user") == committed_case_db.app_role
        assert not await conn.fetchval("SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user")
    finally:
        await conn.close()
