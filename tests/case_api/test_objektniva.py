"""Object-level access (issue 5): outside your enhet (or your utförare organisation) an object
does not exist. Every path of the case_api spec that names an object by id (generated from the
spec; the few no scoped role can call are listed in EXCLUDED with their reason) answers 404 (not
403) to a caller of another enhet, to a token naming no enhet and to an utförare of another
organisation; lists never show another enhet's objects; and row-level security alone hides them
from the application role."""

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
from tests.case_api.steg import DAG, FASTSTALL, PLAN, SIP, UPPFOLJNING, Steg, frozen, people
from tests.conftest import REPO, TokenFactory, asgi_client
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer

SPEC = json.loads((REPO / "openapi" / "case_api.json").read_text())
ID_PATHS = [
    (path, method, op["operationId"], op)
    for path, ops in SPEC["paths"].items()
    for method, op in ops.items()
    if any(p["in"] == "path" for p in op.get("parameters", []))
]
# Roles that act for every enhet: nothing they can reach is "outside scope".
EVERY_ENHET = frozenset({Role.kvalitetssamordnare, Role.system})
# Id paths no scoped role can call, or whose object has no enhet. Each is a conscious choice:
# a new one must be added here with its reason, or the test below fails.
EXCLUDED = {
    # The outbox operator view: `system` only, and integrations act for every enhet.
    "replay_dodsbrev": "system only",
    # GDPR art. 15 review: the kvalitetssamordnare's alone, who sees every enhet.
    "get_registerutdrag": "kvalitetssamordnare only",
    # The rule table is national law, the same for every enhet: no object of anyone's.
    "get_regel": "no enhet: the rule table",
    "get_berakning": "no enhet: a rule's date computed from a given start, no stored object",
}
COVERED = [(path, method, op, spec) for path, method, op, spec in ID_PATHS if op not in EXCLUDED]
# Commands on objects without a version take no If-Match: for their own enhet they go through.
UNVERSIONED_COMMANDS = {"withdraw_behorighet"}

SAMTYCKE = {
    "givet_av": "vardnadshavare",
    "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
    "omfattning": ["utforare:ov-1"],
    "giltigt_fran": "2026-03-01",
    "giltigt_till": "2026-12-31",
}
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
    "record_overvagande": {"regel": "overvagande", "datum": DAG, "utfall": "fortsatt", "motivering": "m"},
    "record_efteruppfoljning": {"handelse": "inledd", "datum": DAG, "motivering": "m"},
    "report_ej_verkstallt": {"datum": DAG, "orsak": "o"},
    "report_forandrade_behov": {"beskrivning": "b"},
    "withdraw_uppdrag": {"skal": "s"},
    "report_ej_nyttjad": {"senast_nyttjad": DAG, "orsak": "o"},
    "draft_genomforandeplan": PLAN,
    "receive_uppdrag": {"accepterat": True},
    "record_uppfoljning": UPPFOLJNING,
    "report_verkstallighet": {"verkstallighetsdatum": DAG},
    "close_utredning": {
        "avslutad_datum": DAG,
        "resultat": "ingen_insats",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
    },
    "extend_utredning": {"beslutsdatum": DAG, "skal": "s", "ny_slutdatum": "2026-12-01"},
    "request_aterkoppling": {"begard_datum": DAG},
    "record_aterkoppling": {"datum": DAG, "lamnad": True},
    "extend_forhandsbedomning": {
        "beslutsdatum": DAG,
        "synnerliga_skal": "s",
        "ny_forfallodatum": "2026-12-01",
    },
    "investigate_avvikelse": {"utredare": "Kim", "iakttagelser": "i", "atgarder": "a", "befogad": True},
    "decide_ivo_avvikelse": {"anmals_till_ivo": False, "beslutsfattare": "Sara", "motivering": "m"},
    "close_avvikelse": {"kommentar": "k"},
    "record_utredningssteg": {"steg": "intervju", "datum": DAG, "resultat": "positivt"},
    "record_avtal": {"fran": DAG, "till": "2027-03-09"},
    "close_kontaktfamilj": {"orsak": "o"},
    "close_omprovning": {"avslutad_datum": DAG, "motivering": "m"},
    "register_samtycke": SAMTYCKE,
    "grant_behorighet": {"sub": "anna", "skal": "Handlägger barnets ärende."},
    "create_arende_journalanteckning": {"datum": DAG, "slag": "samtal", "text": "t"},
    "create_uppdrag_journalanteckning": {"datum": DAG, "slag": "samtal", "text": "t"},
    # The samtycke of the ärende's child (bou1_case records it); "{...}" is filled from the ids.
    "create_sip": SIP | {"samtycke_id": "{barn_samtycke_id}"},
    "record_sip_uppfoljning": {"datum": DAG},
    "record_vardplan": {"upprattad": DAG, "mal": "m", "insatser": "i", "umgange": "u", "synpunkter": "s"},
    "establish_vardplan": {"faststalld": DAG, "kommunicerad": DAG},
}
# bou-2's staff, and its in-house utförare team ov-9 (kontaktfamiljer belong to an enhet,
# uppdrag to an utförare).
BOU2 = {
    Role.handlaggare: {"sub": "gun", "enhet": "bou-2"},
    Role.arbetsledare: {"sub": "gert", "enhet": "bou-2"},
    Role.enhetschef: {"sub": "greta", "enhet": "bou-2"},
    Role.utforare: {"sub": "ulla", "enhet": "bou-2", "utforare": "ov-9"},
}
# Foreign to bou-1: bou-2's people, and the same roles with no enhet in the token (an external
# utförare organisation; staff whose token names none).
FOREIGN = {
    role: [claims, {"sub": f"{role.value}-utan-enhet", "enhet": None, "utforare": claims.get("utforare")}]
    for role, claims in BOU2.items()
}
# bou-1's own; its utförare is bou-1's in-house team ov-1, the one the uppdrag was sent to.
OWN = {
    Role.handlaggare: {"sub": "anna", "enhet": "bou-1"},
    Role.arbetsledare: {"sub": "berit", "enhet": "bou-1"},
    Role.enhetschef: {"sub": "eva", "enhet": "bou-1"},
    Role.utforare: {"sub": "olle", "enhet": "bou-1", "utforare": "ov-1"},
}


async def bou1_case(walk: Walk, token: TokenFactory) -> dict[str, str]:
    """A bou-1 child with an object behind every id parameter in the spec."""
    s = Steg(walk)
    akt, insats, up = await s.verkstallt_uppdrag()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    plan = await s.plan(up["id"])
    up_path = f"/v1/uppdrag/{up['id']}"
    behov = await walk.command("utforare", f"{up_path}/forandrade-behov", up_path, {"beskrivning": "b"})
    anna = bearer(token("handlaggare", **OWN[Role.handlaggare]))
    # The person behind personer/{person_id}: a second bou-1 child, with skyddad identitet, so
    # that granting access to them (behorigheter) is a command that can succeed.
    skyddad = await s.aktualisering(barn={"personnummer": "201212121212", "skyddad_identitet": True})
    barn = (await walk.get("handlaggare", f"/v1/arenden/{skyddad['arende_id']}")).json()["barn"]
    assert barn["skyddad_identitet"] is True
    person_id = barn["id"]
    samtycke = await walk.client.post(f"/v1/personer/{person_id}/samtycken", json=SAMTYCKE, headers=anna)
    avvikelse = await walk.client.post(
        "/v1/avvikelser",
        json={
            "typ": "klagomal",
            "inkommen_fran": "vardnadshavare",
            "form": "skriftlig",
            "enhet": "bou-1",
            "orsakskategori": "handlaggning",
            "beskrivning": "b",
            "arende_id": akt["arende_id"],
        },
        headers=anna,
    )
    familj = await walk.client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Berg"}, headers=anna)
    eva = bearer(token("enhetschef", **OWN[Role.enhetschef]))
    behorighet = await walk.client.post(
        f"/v1/personer/{person_id}/behorigheter", json={"sub": "berit", "skal": "Vikarierar."}, headers=eva
    )
    barn_samtycke = await s.samtycke(akt["arende_id"])
    sip = await s.sip(akt["arende_id"], barn_samtycke["id"])
    for created in (samtycke, avvikelse, familj, behorighet):
        assert created.status_code == 201, created.text
    assert familj.json()["enhet"] == avvikelse.json()["enhet"] == "bou-1"
    return {
        "aktualisering_id": akt["id"],
        "arende_id": akt["arende_id"],
        "avvikelse_id": avvikelse.json()["id"],
        "behorighet_id": behorighet.json()["id"],
        "beslut_id": insats["beslut_id"],
        "kontaktfamilj_id": familj.json()["id"],
        "omprovning_id": behov["omprovning_id"],
        "person_id": person_id,
        "plan_id": plan["id"],
        "insats_id": insats["id"],
        "samtycke_id": samtycke.json()["id"],
        "barn_samtycke_id": barn_samtycke["id"],
        "sip_id": sip["id"],
        "version": "1",
        "uppdrag_id": up["id"],
        "utredning_id": arende["utredningar"][0]["id"],
    }


def _fill(body: dict[str, Any] | None, ids: dict[str, str]) -> dict[str, Any] | None:
    """The body with each "{name}" value replaced by that id of the case."""
    if body is None:
        return None
    return {k: v.format(**ids) if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


def test_the_spec_still_has_the_paths_this_covers() -> None:
    ops = {op for _, _, op, _ in COVERED}
    assert len(ops) >= 36, sorted(ops)
    # Every operation with a body has a valid one here, and no body is left over.
    assert {op for _, _, op, spec in COVERED if "requestBody" in spec} == set(BODIES)
    assert {m for _, m, _, _ in COVERED} == {"get", "post", "put"}
    # The exclusions are exactly the id paths no scoped role may call, plus the rule table.
    only_every_enhet = {op for _, _, op, _ in ID_PATHS if MATRIX[op] <= EVERY_ENHET}
    assert only_every_enhet | {"get_regel", "get_berakning"} == set(EXCLUDED), only_every_enhet
    # And every covered one has a scoped role to be foreign with.
    assert all(MATRIX[op] & set(FOREIGN) for _, _, op, _ in COVERED)


async def test_every_id_path_is_404_outside_scope(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk, token)
    checked: set[tuple[str, str]] = set()
    for path, method, op, spec in COVERED:
        url = path.format(**ids)
        # A vårdplan is named by its insats and a version number, which exists for any insats.
        nowhere = path.format(**(dict.fromkeys(ids, str(uuid.uuid4())) | {"version": "1"}))
        body = _fill(BODIES.get(op), ids)
        for role in (r for r in FOREIGN if r in MATRIX[op]):
            for claims in FOREIGN[role]:
                foreign = bearer(token(role.value, **claims))
                answers = []
                for target in (url, nowhere):
                    response = await walk.client.request(method, target, json=body, headers=foreign)
                    assert response.status_code == 404, (op, role, claims, response.text)
                    problem = assert_problem(response, 404)
                    answers.append({k: v for k, v in problem.items() if k not in ("instance", "request_id")})
                # Indistinguishable from an id that exists nowhere: nothing confirms the object.
                assert answers[0] == answers[1], (op, role, claims, answers)
                checked.add((op, f"{role}:{claims['sub']}"))
        # The same id and body pass their own enhet (and the utförare it was sent to): the 404
        # above was about scope, not a wrong id or a bad body. A command stops at its missing
        # If-Match (428), which comes after scope; a create goes through.
        own = [r for r in OWN if r in MATRIX[op]]
        assert own, op
        for role in own:
            headers = bearer(token(role.value, **OWN[role]))
            response = await walk.client.request(method, url, json=body, headers=headers)
            expected = 200 if method == "get" else 428 if "428" in spec["responses"] else 201
            if op in UNVERSIONED_COMMANDS:
                expected = 200
            assert response.status_code == expected, (op, role, response.text)
    assert {op for op, _ in checked} == {op for _, _, op, _ in COVERED}
    assert len(checked) >= 150, len(checked)


async def test_ids_in_bodies_are_404_outside_scope(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk, token)
    gun = bearer(token("handlaggare", **BOU2[Role.handlaggare]))
    beslut = {
        "arende_id": ids["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": DAG,
        "beslutsfattare": "gun",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
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
    anna_for_bou1 = ANMALAN | {"barn": {"personnummer": "201212121212"}}
    assert_problem(await walk.client.post("/v1/aktualiseringar", json=anna_for_bou1, headers=gun), 403)


async def test_avvikelse_arende_id_of_another_enhet_is_as_unknown(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk, token)
    gun = bearer(token("handlaggare", **BOU2[Role.handlaggare]))
    body = {
        "typ": "klagomal",
        "inkommen_fran": "personal",
        "form": "skriftlig",
        "enhet": "bou-2",
        "orsakskategori": "handlaggning",
        "beskrivning": "b",
    }
    answers = []
    # The reporter picks the avvikelse's enhet, so naming bou-1 must not open bou-1's ärenden.
    for enhet in ("bou-2", "bou-1"):
        for arende_id in (ids["arende_id"], str(uuid.uuid4())):
            response = await walk.client.post(
                "/v1/avvikelser", json=body | {"enhet": enhet, "arende_id": arende_id}, headers=gun
            )
            problem = assert_problem(response, 422)
            answers.append({k: v for k, v in problem.items() if k not in ("instance", "request_id")})
    # It used to link (201) while an unknown id was a 422: the answer confirmed the ärende.
    assert all(answer == answers[0] for answer in answers), answers
    # Whoever could see the ärende may name it: its own handläggare (about another enhet too),
    # the utförare its uppdrag went to, and the kvalitetssamordnare.
    for role, claims in [
        (Role.handlaggare, OWN[Role.handlaggare]),
        (Role.utforare, OWN[Role.utforare]),
        (Role.kvalitetssamordnare, {"sub": "kim", "enhet": None}),
    ]:
        headers = bearer(token(role.value, **claims))
        response = await walk.client.post(
            "/v1/avvikelser", json=body | {"arende_id": ids["arende_id"]}, headers=headers
        )
        assert response.status_code == 201, (role, response.text)
        assert response.json()["arende_id"] == ids["arende_id"]


async def test_lists_never_show_another_enhets_objects(walk: Walk, token: TokenFactory) -> None:
    ids = await bou1_case(walk, token)
    # bou-2 has a case of its own, so its lists are not trivially empty.
    bou2 = Walk(
        walk.client,
        people(token, enhet="bou-2", utforare="ov-9")
        | {
            "handlaggare": token("handlaggare", sub="gun", enhet="bou-2"),
        },
    )
    s2 = Steg(bou2)
    akt2 = await s2.aktualisering("ansokan", enhet="bou-2", barn={"personnummer": "201304052390"})
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


async def test_quality_lists_never_show_another_enhets_objects(walk: Walk, token: TokenFactory) -> None:
    """GET /v1/avvikelser and /v1/kontaktfamiljer: each enhet its own; the kvalitetssamordnare,
    who acts for every enhet, sees both (so the lists are not empty for want of rows)."""
    ids = await bou1_case(walk, token)
    gun = bearer(token("handlaggare", **BOU2[Role.handlaggare]))
    avvikelse2 = await walk.client.post(
        "/v1/avvikelser",
        json={
            "typ": "klagomal",
            "inkommen_fran": "personal",
            "form": "skriftlig",
            "enhet": "bou-2",
            "orsakskategori": "handlaggning",
            "beskrivning": "b",
        },
        headers=gun,
    )
    familj2 = await walk.client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=gun)
    assert avvikelse2.status_code == familj2.status_code == 201, (avvikelse2.text, familj2.text)

    async def listed(path: str, role: Role, claims: dict[str, Any]) -> list[str]:
        response = await walk.client.get(path, headers=bearer(token(role.value, **claims)))
        assert response.status_code == 200, (path, role, response.text)
        return [item["id"] for item in response.json()["items"]]

    staff = {"bou-1": OWN, "bou-2": BOU2}
    mine = {
        "list_avvikelser": (
            "/v1/avvikelser",
            {"bou-1": ids["avvikelse_id"], "bou-2": avvikelse2.json()["id"]},
        ),
        "list_kontaktfamiljer": (
            "/v1/kontaktfamiljer",
            {"bou-1": ids["kontaktfamilj_id"], "bou-2": familj2.json()["id"]},
        ),
    }
    seen = 0
    for op, (path, by_enhet) in mine.items():
        for enhet, claims_by_role in staff.items():
            for role in MATRIX[op] & set(claims_by_role):
                claims = claims_by_role[role]
                assert claims["enhet"] == enhet
                assert await listed(path, role, claims) == [by_enhet[enhet]], (path, role, enhet)
                seen += 1
    # The enhetschef of each enhet for avvikelser; four roles of each enhet for kontaktfamiljer.
    assert seen == 2 * 1 + 2 * 4
    every = await listed("/v1/avvikelser", Role.kvalitetssamordnare, {"sub": "kim", "enhet": None})
    assert set(every) == set(mine["list_avvikelser"][1].values())
    # Asking for the other enhet's avvikelser by filter is refused, without naming any.
    chef2 = bearer(token("enhetschef", **BOU2[Role.enhetschef]))
    refused = await walk.client.get("/v1/avvikelser", params={"enhet": "bou-1"}, headers=chef2)
    assert_problem(refused, 403, "enhet-ej-tillaten")


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
