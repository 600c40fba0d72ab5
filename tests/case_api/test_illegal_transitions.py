"""Every illegal command we could find answers 409 problem+json naming the state and the
commands it accepts, and changes nothing: not the object, not its ETag, not one row of any
lifecycle table, not the outbox."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from case_api.tillstand import tillatna
from tests.case_api.flow import Walk
from tests.case_api.steg import (
    DAG,
    FASTSTALL,
    PLAN,
    UPPFOLJNING,
    Steg,
    fingerprint,
    frozen,
    outbox_count,
    people,
)
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@dataclass
class Refusal:
    who: str
    path: str
    body: dict[str, Any]
    obj_path: str  # the object whose GET and ETag must not change
    tillstand: str
    tillatna_kommandon: list[str]
    slug: str = "invalid-transition"
    etag: bool = True  # commands carry If-Match; creates under an object do not
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def assert_refused(walk: Walk, conn: AsyncConnection, r: Refusal) -> dict[str, Any]:
    before = await walk.get(r.who, r.obj_path)
    rows_before, outbox_before = await fingerprint(conn), await outbox_count(conn)
    headers = bearer(walk.tokens[r.who]) | ({"If-Match": before.headers["ETag"]} if r.etag else {})
    response = await walk.client.post(r.path, json=r.body, headers=headers)
    problem = assert_problem(response, 409, r.slug)
    assert problem["tillstand"] == r.tillstand, problem
    assert problem["tillatna_kommandon"] == r.tillatna_kommandon, problem
    if r.slug == "invalid-transition":
        assert problem["tillatna_kommandon"] == tillatna(problem["objekt"], r.tillstand)
    for key, value in r.extra.items():
        assert problem[key] == value, problem
    after = await walk.get(r.who, r.obj_path)
    assert after.json() == before.json()
    assert after.headers["ETag"] == before.headers["ETag"]
    assert await outbox_count(conn) == outbox_before
    assert await fingerprint(conn) == rows_before
    return problem


Scenario = Callable[[Steg], Awaitable[Refusal]]
SKYDD = {"bedomd_at": f"{DAG}T11:00:00+01:00", "omedelbart_skydd": False, "motivering": "Igen."}
FORHAND = {"beslut": "inled_utredning", "beslutsdatum": DAG, "motivering": "Igen."}
FORLANG = {"beslutsdatum": DAG, "skal": "Särskilda skäl.", "ny_slutdatum": "2026-12-01"}
U_AVSLUT = {"avslutad_datum": DAG, "resultat": "ingen_insats", "motivering": "Klar."}
I_AVSLUT = {"avslutad_datum": DAG, "orsak": "mal_uppnatt"}
VERK = {"verkstallighetsdatum": DAG}


def akt_cmd(akt: dict[str, Any], cmd: str, body: dict[str, Any], tillstand: str, ok: list[str]) -> Refusal:
    path = f"/v1/aktualiseringar/{akt['id']}"
    return Refusal("handlaggare", f"{path}/{cmd}", body, path, tillstand, ok)


async def skyddsbedomning_twice(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    await s.skydd(akt["id"])
    return akt_cmd(akt, "skyddsbedomning", SKYDD, "skyddsbedomd", ["anslut", "forhandsbedomning"])


async def forhandsbedomning_before_skyddsbedomning(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    return akt_cmd(akt, "forhandsbedomning", FORHAND, "inkommen", ["anslut", "skyddsbedomning"])


async def forhandsbedomning_on_an_ansokan(s: Steg) -> Refusal:
    akt = await s.aktualisering("ansokan")
    return akt_cmd(akt, "forhandsbedomning", FORHAND, "utredning_inledd", [])


async def skyddsbedomning_on_an_ansokan(s: Steg) -> Refusal:
    akt = await s.aktualisering("ansokan")
    return akt_cmd(akt, "skyddsbedomning", SKYDD, "utredning_inledd", [])


async def skyddsbedomning_on_ovrig_information(s: Steg) -> Refusal:
    akt = await s.aktualisering("ovrig_information")
    return akt_cmd(akt, "skyddsbedomning", SKYDD, "registrerad", ["anslut", "forhandsbedomning"])


async def forhandsbedomning_twice(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    await s.skydd(akt["id"])
    await s.forhand(akt["id"], "inled_ej_utredning")
    return akt_cmd(akt, "forhandsbedomning", FORHAND, "ej_utredning", [])


async def closed_utredning(s: Steg) -> str:
    akt = await s.aktualisering("ansokan")
    utredning_id = await s.utredning_id(akt["arende_id"])
    await s.avsluta_utredning(utredning_id)
    return f"/v1/utredningar/{utredning_id}"


async def forlangning_of_a_closed_utredning(s: Steg) -> Refusal:
    path = await closed_utredning(s)
    return Refusal("arbetsledare", f"{path}/forlangning", FORLANG, path, "avslutad", [])


async def avslut_of_a_closed_utredning(s: Steg) -> Refusal:
    path = await closed_utredning(s)
    return Refusal("handlaggare", f"{path}/avslut", U_AVSLUT, path, "avslutad", [])


async def sent_uppdrag(s: Steg) -> tuple[dict[str, Any], dict[str, Any]]:
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    return insats, await s.uppdrag(insats["id"])


async def verkstallighet_before_mottagande(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal("utforare", f"{path}/verkstallighet", VERK, path, "skickat", ["avslut", "mottagande"])


async def mottagande_twice(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    await s.motta(up["id"])
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal(
        "utforare",
        f"{path}/mottagande",
        {"accepterat": True},
        path,
        "mottaget",
        ["avslut", "ej_verkstallt", "verkstallighet"],
    )


async def verkstallighet_of_a_declined_uppdrag(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    await s.motta(up["id"], accepterat=False)
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal("utforare", f"{path}/verkstallighet", VERK, path, "avbojt", [])


async def forandrade_behov_before_start(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal(
        "utforare",
        f"{path}/forandrade-behov",
        {"beskrivning": "Mer stöd."},
        path,
        "skickat",
        ["avslut", "mottagande"],
    )


async def ej_verkstallt_before_mottagande(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    path = f"/v1/uppdrag/{up['id']}"
    body = {"datum": DAG, "orsak": "Ej påbörjad."}
    return Refusal("utforare", f"{path}/ej-verkstallt", body, path, "skickat", ["avslut", "mottagande"])


async def plan_before_verkstallighet(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    await s.motta(up["id"])
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal(
        "utforare",
        f"{path}/genomforandeplaner",
        PLAN,
        path,
        "mottaget",
        ["avslut", "ej_verkstallt", "verkstallighet"],
        etag=False,
    )


async def uppfoljning_before_verkstallighet(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    await s.motta(up["id"])
    path = f"/v1/uppdrag/{up['id']}"
    return Refusal(
        "utforare",
        f"{path}/uppfoljningar",
        UPPFOLJNING,
        path,
        "mottaget",
        ["avslut", "ej_verkstallt", "verkstallighet"],
        etag=False,
    )


async def establishing_an_established_plan(s: Steg) -> Refusal:
    _, _, up = await s.verkstallt_uppdrag()
    plan = await s.plan(up["id"])
    await s.faststall(plan["id"])
    path = f"/v1/genomforandeplaner/{plan['id']}"
    return Refusal("utforare", f"{path}/faststallande", FASTSTALL, path, "faststalld", ["ersatt"])


async def establishing_a_replaced_plan(s: Steg) -> Refusal:
    _, _, up = await s.verkstallt_uppdrag()
    plan = await s.plan(up["id"])
    await s.plan(up["id"])
    path = f"/v1/genomforandeplaner/{plan['id']}"
    return Refusal("utforare", f"{path}/faststallande", FASTSTALL, path, "ersatt", [])


async def establishing_a_draft_after_the_insats_ended(s: Steg) -> Refusal:
    # Found by this suite: the draft could be established after its uppdrag was closed, which
    # opened a new uppföljning bevakning for an insats that had ended.
    _, insats, up = await s.verkstallt_uppdrag()
    plan = await s.plan(up["id"])
    await s.avsluta_insats(insats["id"])
    path = f"/v1/genomforandeplaner/{plan['id']}"
    return Refusal(
        "utforare", f"{path}/faststallande", FASTSTALL, path, "avslutat", [], extra={"objekt": "uppdrag"}
    )


async def avslut_of_an_avslutad_insats(s: Steg) -> Refusal:
    insats, _ = await sent_uppdrag(s)
    await s.avsluta_insats(insats["id"])
    path = f"/v1/insatser/{insats['id']}"
    return Refusal("handlaggare", f"{path}/avslut", I_AVSLUT, path, "avslutad", [])


async def uppdrag_for_an_avslutad_insats(s: Steg) -> Refusal:
    insats, _ = await sent_uppdrag(s)
    await s.avsluta_insats(insats["id"])
    body = {
        "insats_id": insats["id"],
        "utforare": "ov-1",
        "behovsbedomning": "b",
        "omfattning": "o",
        "mal": ["m"],
        "uppfoljningsform": "u",
        "kontaktuppgifter": {},
    }
    return Refusal(
        "handlaggare", "/v1/uppdrag", body, f"/v1/insatser/{insats['id']}", "avslutad", [], etag=False
    )


async def a_second_uppdrag_while_one_is_active(s: Steg) -> Refusal:
    insats, _ = await sent_uppdrag(s)
    body = {
        "insats_id": insats["id"],
        "utforare": "ov-2",
        "behovsbedomning": "b",
        "omfattning": "o",
        "mal": ["m"],
        "uppfoljningsform": "u",
        "kontaktuppgifter": {},
    }
    return Refusal(
        "handlaggare",
        "/v1/uppdrag",
        body,
        f"/v1/insatser/{insats['id']}",
        "beslutad",
        ["avslut", "ej_verkstallt", "verkstallighet"],
        slug="uppdrag-already-active",
        etag=False,
    )


async def closing_an_arende_with_a_pagaende_utredning(s: Steg) -> Refusal:
    akt = await s.aktualisering("ansokan")
    path = f"/v1/arenden/{akt['arende_id']}"
    return Refusal(
        "handlaggare",
        f"{path}/avslut",
        {"orsak": "Klart."},
        path,
        "oppet",
        ["andring"],
        slug="arende-has-open-work",
    )


async def closing_an_arende_with_an_open_insats(s: Steg) -> Refusal:
    insats, _ = await sent_uppdrag(s)
    path = f"/v1/arenden/{insats['arende_id']}"
    await s.avsluta_utredning(await s.utredning_id(insats["arende_id"]))
    return Refusal(
        "handlaggare",
        f"{path}/avslut",
        {"orsak": "Klart."},
        path,
        "oppet",
        ["andring"],
        slug="arende-has-open-work",
    )


async def closed_arende(s: Steg) -> dict[str, Any]:
    akt = await s.aktualisering()
    path = f"/v1/arenden/{akt['arende_id']}"
    await s.w.command("handlaggare", f"{path}/avslut", path, {"orsak": "Ingen åtgärd."})
    return akt


async def closing_a_closed_arende(s: Steg) -> Refusal:
    akt = await closed_arende(s)
    path = f"/v1/arenden/{akt['arende_id']}"
    return Refusal("handlaggare", f"{path}/avslut", {"orsak": "Igen."}, path, "avslutat", [])


async def reassigning_a_closed_arende(s: Steg) -> Refusal:
    akt = await closed_arende(s)
    path = f"/v1/arenden/{akt['arende_id']}"
    return Refusal("arbetsledare", f"{path}/tilldelning", {"handlaggare": "bo"}, path, "avslutat", [])


async def beslut_in_a_closed_arende(s: Steg) -> Refusal:
    akt = await closed_arende(s)
    body = {
        "arende_id": akt["arende_id"],
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": DAG,
        "beslutsfattare": "anna",
        "motivering": "m",
    }
    path = f"/v1/arenden/{akt['arende_id']}"
    return Refusal("handlaggare", "/v1/beslut", body, path, "avslutat", [], etag=False)


async def skyddsbedomning_in_a_closed_arende(s: Steg) -> Refusal:
    # Found by this suite: an anmälan left waiting when its ärende closed still accepted its
    # assessments, and an inled_utredning then opened an utredning inside the closed ärende.
    akt = await closed_arende(s)
    return akt_cmd(akt, "skyddsbedomning", SKYDD, "avslutat", [])


async def forhandsbedomning_in_a_closed_arende(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    await s.skydd(akt["id"])
    path = f"/v1/arenden/{akt['arende_id']}"
    await s.w.command("handlaggare", f"{path}/avslut", path, {"orsak": "Flyttat."})
    return akt_cmd(akt, "forhandsbedomning", FORHAND, "avslutat", [])


async def serviceinsats_ended_twice(s: Steg) -> Refusal:
    body = {
        "enhet": "bou-1",
        "barn": {"personnummer": "201203152002"},
        "startdatum": DAG,
        "beskrivning": "Grupp.",
        "samtycke": {"givet_av": "vardnadshavare", "omfattning": ["personuppgifter"], "giltigt_fran": DAG},
    }
    insats = (await s.w.post("handlaggare", "/v1/serviceinsatser", body, expect=201)).json()
    await s.avsluta_insats(insats["id"])
    path = f"/v1/insatser/{insats['id']}"
    return Refusal("handlaggare", f"{path}/avslut", I_AVSLUT, path, "avslutad", [])


SCENARIOS: list[Scenario] = [
    skyddsbedomning_twice,
    forhandsbedomning_before_skyddsbedomning,
    forhandsbedomning_on_an_ansokan,
    skyddsbedomning_on_an_ansokan,
    skyddsbedomning_on_ovrig_information,
    forhandsbedomning_twice,
    forlangning_of_a_closed_utredning,
    avslut_of_a_closed_utredning,
    verkstallighet_before_mottagande,
    mottagande_twice,
    verkstallighet_of_a_declined_uppdrag,
    forandrade_behov_before_start,
    ej_verkstallt_before_mottagande,
    plan_before_verkstallighet,
    uppfoljning_before_verkstallighet,
    establishing_an_established_plan,
    establishing_a_replaced_plan,
    establishing_a_draft_after_the_insats_ended,
    avslut_of_an_avslutad_insats,
    uppdrag_for_an_avslutad_insats,
    a_second_uppdrag_while_one_is_active,
    closing_an_arende_with_a_pagaende_utredning,
    closing_an_arende_with_an_open_insats,
    closing_a_closed_arende,
    reassigning_a_closed_arende,
    beslut_in_a_closed_arende,
    skyddsbedomning_in_a_closed_arende,
    forhandsbedomning_in_a_closed_arende,
    serviceinsats_ended_twice,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
async def test_illegal_command_is_409_and_changes_nothing(
    scenario: Scenario, walk: Walk, case_conn: AsyncConnection
) -> None:
    await assert_refused(walk, case_conn, await scenario(Steg(walk)))
