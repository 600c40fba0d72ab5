"""Every illegal command we could find answers 409 problem+json naming the state and the
commands it accepts, and changes nothing: not the object, not its ETag, not one row of any
lifecycle table, not the outbox."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
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
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer


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
U_AVSLUT = {
    "avslutad_datum": DAG,
    "resultat": "ingen_insats",
    "motivering": "Klar.",
    "barnperspektiv": BARNPERSPEKTIV,
}
I_AVSLUT = {"avslutad_datum": DAG, "orsak": "mal_uppnatt"}
VERK = {"verkstallighetsdatum": DAG}


def akt_cmd(akt: dict[str, Any], cmd: str, body: dict[str, Any], tillstand: str, ok: list[str]) -> Refusal:
    path = f"/v1/aktualiseringar/{akt['id']}"
    return Refusal("handlaggare", f"{path}/{cmd}", body, path, tillstand, ok)


async def skyddsbedomning_twice(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    await s.skydd(akt["id"])
    return akt_cmd(
        akt, "skyddsbedomning", SKYDD, "skyddsbedomd", ["anslut", "forhandsbedomning", "forlangning"]
    )


async def forhandsbedomning_before_skyddsbedomning(s: Steg) -> Refusal:
    akt = await s.aktualisering()
    return akt_cmd(
        akt, "forhandsbedomning", FORHAND, "inkommen", ["anslut", "forlangning", "skyddsbedomning"]
    )


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
    return Refusal(
        "utforare", f"{path}/verkstallighet", VERK, path, "skickat", ["aterkallelse", "avslut", "mottagande"]
    )


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
        ["aterkallelse", "avslut", "ej_verkstallt", "verkstallighet"],
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
        ["aterkallelse", "avslut", "mottagande"],
    )


async def ej_verkstallt_before_mottagande(s: Steg) -> Refusal:
    _, up = await sent_uppdrag(s)
    path = f"/v1/uppdrag/{up['id']}"
    body = {"datum": DAG, "orsak": "Ej påbörjad."}
    return Refusal(
        "utforare", f"{path}/ej-verkstallt", body, path, "skickat", ["aterkallelse", "avslut", "mottagande"]
    )


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
        ["aterkallelse", "avslut", "ej_verkstallt", "verkstallighet"],
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
        ["aterkallelse", "avslut", "ej_verkstallt", "verkstallighet"],
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
        "barnperspektiv": BARNPERSPEKTIV,
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
        "samtycke": {
            "givet_av": "vardnadshavare",
            "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
            "omfattning": ["personuppgifter"],
            "giltigt_fran": DAG,
        },
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


# --- The strongest proof: random command sequences against a model of what is legal. ---------
#
# Every command is sent whatever the state. The model below is written from the machines in
# DESIGN.md plus the cross-object rules (an open ärende for the aktualisering's commands and for
# beslut; no open utredning or insats when the ärende closes; one active uppdrag per insats; an
# established plan needs a running uppdrag). Legal -> 2xx and the model advances; illegal ->
# 409 and nothing changed. After every command the API's states must equal the model's.

ACTIVE_UPPDRAG = ("skickat", "mottaget", "ej_verkstallt", "verkstallt", "avbrutet")


@dataclass
class Kommando:
    who: str
    path: str
    body: dict[str, Any]
    obj_path: str
    legal: bool
    apply: Callable[[dict[str, Any]], None]
    etag: bool = True


@dataclass
class Modell:
    arende_id: str
    akt_id: str
    akt: str
    utredning: str | None
    arende: str = "oppet"
    utredning_id: str | None = None
    forlangningar: int = 0
    insatser: list[dict[str, Any]] = field(default_factory=list)
    # Omprövningar by id (found on the ärende after the report that opened them) and how many
    # reports opened one not yet found.
    omprovningar: dict[str, str] = field(default_factory=dict)
    nya_omprovningar: int = 0

    def insats(self) -> dict[str, Any] | None:
        return self.insatser[-1] if self.insatser else None

    def uppdrag(self) -> dict[str, Any] | None:
        i = self.insats()
        return i["uppdrag"][-1] if i and i["uppdrag"] else None

    def plan(self) -> dict[str, Any] | None:
        u = self.uppdrag()
        return u["planer"][-1] if u and u["planer"] else None


def _set(obj: dict[str, Any], **values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda _: obj.update(values)


def k_skydd(m: Modell) -> Kommando:
    def apply(_: dict[str, Any]) -> None:
        m.akt = {"inkommen": "skyddsbedomd", "ansluten": "ansluten_skyddsbedomd"}[m.akt]

    path = f"/v1/aktualiseringar/{m.akt_id}"
    legal = m.akt in ("inkommen", "ansluten") and m.arende == "oppet"
    return Kommando("handlaggare", f"{path}/skyddsbedomning", SKYDD, path, legal, apply)


def k_forhand(beslut: str) -> Callable[[Modell], Kommando]:
    def make(m: Modell) -> Kommando:
        def apply(_: dict[str, Any]) -> None:
            if beslut == "inled_utredning":
                m.akt, m.utredning = "utredning_inledd", "pagaende"
            else:
                m.akt = "ej_utredning"

        path = f"/v1/aktualiseringar/{m.akt_id}"
        legal = m.akt in ("skyddsbedomd", "registrerad") and m.arende == "oppet"
        return Kommando(
            "handlaggare", f"{path}/forhandsbedomning", FORHAND | {"beslut": beslut}, path, legal, apply
        )

    return make


def k_forlang(m: Modell) -> Kommando | None:
    if m.utredning_id is None:
        return None
    path = f"/v1/utredningar/{m.utredning_id}"
    # Each extension a day later than the last, past any end date the rule gives.
    body = FORLANG | {"ny_slutdatum": (date(2030, 1, 1) + timedelta(days=m.forlangningar)).isoformat()}

    def apply(_: dict[str, Any]) -> None:
        m.forlangningar += 1

    return Kommando("arbetsledare", f"{path}/forlangning", body, path, m.utredning == "pagaende", apply)


def k_utredning_avslut(m: Modell) -> Kommando | None:
    if m.utredning_id is None:
        return None

    def apply(_: dict[str, Any]) -> None:
        m.utredning = "avslutad"

    path = f"/v1/utredningar/{m.utredning_id}"
    return Kommando("handlaggare", f"{path}/avslut", U_AVSLUT, path, m.utredning == "pagaende", apply)


def k_beslut(m: Modell) -> Kommando | None:
    if m.utredning is None:
        return None  # a bifall rests on an utredning: without one it is a 422 (test_motsagande_datum)

    def apply(body: dict[str, Any]) -> None:
        m.insatser.append({"id": body["insats"]["id"], "status": "beslutad", "uppdrag": []})

    body = {
        "arende_id": m.arende_id,
        "utfall": "bifall",
        "insatstyp": "oppenvard",
        "rattslig_grund": "4 kap. 1 §",
        "beslutsdatum": DAG,
        "beslutsfattare": "anna",
        "motivering": "m",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    path = f"/v1/arenden/{m.arende_id}"
    return Kommando("handlaggare", "/v1/beslut", body, path, m.arende == "oppet", apply, etag=False)


def k_insats_avslut(m: Modell) -> Kommando | None:
    i = m.insats()
    if i is None:
        return None

    def apply(_: dict[str, Any]) -> None:
        i["status"] = "avslutad"
        for u in i["uppdrag"]:
            if u["status"] in ACTIVE_UPPDRAG:
                u["status"] = "avslutat"

    path = f"/v1/insatser/{i['id']}"
    return Kommando("handlaggare", f"{path}/avslut", I_AVSLUT, path, i["status"] != "avslutad", apply)


def k_skicka(m: Modell) -> Kommando | None:
    i = m.insats()
    if i is None:
        return None

    def apply(body: dict[str, Any]) -> None:
        i["uppdrag"].append({"id": body["id"], "status": "skickat", "planer": []})

    body = {
        "insats_id": i["id"],
        "utforare": "ov-1",
        "behovsbedomning": "b",
        "omfattning": "o",
        # The goal a later uppföljning (steg.UPPFOLJNING) reports on: with another, the model
        # took that uppföljning for legal and the service refused it (422, unknown_mal), which
        # hypothesis found only now and then (draws: verkstallt, beslut, uppdrag, mottagande_ja,
        # verkstallighet, uppfoljning).
        "mal": ["Trygg skolgång"],
        "uppfoljningsform": "u",
        "kontaktuppgifter": {},
    }
    legal = i["status"] in ("beslutad", "ej_verkstalld") and not any(
        u["status"] in ACTIVE_UPPDRAG for u in i["uppdrag"]
    )
    return Kommando("handlaggare", "/v1/uppdrag", body, f"/v1/insatser/{i['id']}", legal, apply, etag=False)


def k_uppdrag(
    cmd: str,
    body: dict[str, Any],
    legal_from: tuple[str, ...],
    to: Callable[[str], tuple[str, str | None]],
    *,
    etag: bool = True,
) -> Callable[[Modell], Kommando | None]:
    """A command on the latest uppdrag; `to` maps its state to (new uppdrag state, new insats state)."""

    def make(m: Modell) -> Kommando | None:
        i, u = m.insats(), m.uppdrag()
        if i is None or u is None:
            return None

        def apply(_: dict[str, Any]) -> None:
            uppdrag_state, insats_state = to(u["status"])
            u["status"] = uppdrag_state
            if insats_state is not None:
                i["status"] = insats_state

        path = f"/v1/uppdrag/{u['id']}"
        return Kommando("utforare", f"{path}/{cmd}", body, path, u["status"] in legal_from, apply, etag=etag)

    return make


def k_plan(m: Modell) -> Kommando | None:
    u = m.uppdrag()
    if u is None:
        return None

    def apply(body: dict[str, Any]) -> None:
        for p in u["planer"]:
            if p["status"] != "ersatt":
                p["status"] = "ersatt"
        u["planer"].append({"id": body["id"], "status": "utkast"})

    path = f"/v1/uppdrag/{u['id']}"
    return Kommando(
        "utforare", f"{path}/genomforandeplaner", PLAN, path, u["status"] == "verkstallt", apply, etag=False
    )


def k_faststall(m: Modell) -> Kommando | None:
    u, p = m.uppdrag(), m.plan()
    if u is None or p is None:
        return None
    path = f"/v1/genomforandeplaner/{p['id']}"
    legal = p["status"] == "utkast" and u["status"] == "verkstallt"
    return Kommando("utforare", f"{path}/faststallande", FASTSTALL, path, legal, _set(p, status="faststalld"))


def oppnar_omprovning(make: Callable[[Modell], Kommando | None]) -> Callable[[Modell], Kommando | None]:
    """The report also opens an omprövning (ej verkställt, förändrade behov)."""

    def wrapped(m: Modell) -> Kommando | None:
        k = make(m)
        if k is None:
            return None
        inner = k.apply

        def apply(body: dict[str, Any]) -> None:
            inner(body)
            m.nya_omprovningar += 1

        k.apply = apply
        return k

    return wrapped


def k_omprovning_avslut(m: Modell) -> Kommando | None:
    if not m.omprovningar:
        return None
    oppna = [i for i, st_ in m.omprovningar.items() if st_ == "oppen"]
    target = oppna[0] if oppna else next(iter(m.omprovningar))
    path = f"/v1/omprovningar/{target}"
    body = {"avslutad_datum": DAG, "motivering": "Inget nytt beslut behövs."}
    legal = m.omprovningar[target] == "oppen"
    return Kommando(
        "handlaggare", f"{path}/avslut", body, path, legal, _set_key(m.omprovningar, target, "avslutad")
    )


def _set_key(d: dict[str, str], key: str, value: str) -> Callable[[dict[str, Any]], None]:
    return lambda _: d.update({key: value})


def k_arende_avslut(m: Modell) -> Kommando:
    def apply(_: dict[str, Any]) -> None:
        m.arende = "avslutat"

    path = f"/v1/arenden/{m.arende_id}"
    legal = (
        m.arende == "oppet"
        and m.utredning != "pagaende"
        and all(i["status"] == "avslutad" for i in m.insatser)
        and all(st_ != "oppen" for st_ in m.omprovningar.values())
    )
    return Kommando("handlaggare", f"{path}/avslut", {"orsak": "Klart."}, path, legal, apply)


def k_tilldelning(m: Modell) -> Kommando:
    path = f"/v1/arenden/{m.arende_id}"
    return Kommando(
        "arbetsledare",
        f"{path}/tilldelning",
        {"handlaggare": "bo"},
        path,
        m.arende == "oppet",
        lambda _: None,
    )


KOMMANDON: dict[str, Callable[[Modell], Kommando | None]] = {
    "skyddsbedomning": k_skydd,
    "forhandsbedomning_inled": k_forhand("inled_utredning"),
    "forhandsbedomning_ej": k_forhand("inled_ej_utredning"),
    "forlangning": k_forlang,
    "utredning_avslut": k_utredning_avslut,
    "beslut": k_beslut,
    "insats_avslut": k_insats_avslut,
    "uppdrag": k_skicka,
    "mottagande_ja": k_uppdrag(
        "mottagande", {"accepterat": True}, ("skickat",), lambda s: ("mottaget", None)
    ),
    "mottagande_nej": k_uppdrag(
        "mottagande", {"accepterat": False, "orsak": "Ingen plats."}, ("skickat",), lambda s: ("avbojt", None)
    ),
    "verkstallighet": k_uppdrag(
        "verkstallighet",
        VERK,
        ("mottaget", "ej_verkstallt", "avbrutet"),
        lambda s: ("verkstallt", "verkstalld"),
    ),
    "ej_verkstallt": oppnar_omprovning(
        k_uppdrag(
            "ej-verkstallt",
            {"datum": DAG, "orsak": "Ej påbörjad."},
            ("mottaget", "verkstallt"),
            lambda s: ("ej_verkstallt", "ej_verkstalld") if s == "mottaget" else ("avbrutet", "avbruten"),
        )
    ),
    "forandrade_behov": oppnar_omprovning(
        k_uppdrag(
            "forandrade-behov", {"beskrivning": "Mer stöd."}, ("verkstallt", "avbrutet"), lambda s: (s, None)
        )
    ),
    "omprovning_avslut": k_omprovning_avslut,
    "uppfoljning": k_uppdrag("uppfoljningar", UPPFOLJNING, ("verkstallt",), lambda s: (s, None), etag=False),
    "genomforandeplan": k_plan,
    "faststallande": k_faststall,
    "arende_avslut": k_arende_avslut,
    "tilldelning": k_tilldelning,
}
START = {
    "anmalan": ("inkommen", None),
    "ansokan": ("utredning_inledd", "pagaende"),
    "ovrig_information": ("registrerad", None),
}


async def check_model(walk: Walk, m: Modell) -> None:
    """The API's states equal the model's, object by object."""
    arende = (await walk.get("handlaggare", f"/v1/arenden/{m.arende_id}")).json()
    assert arende["status"] == m.arende
    assert [a["status"] for a in arende["aktualiseringar"]] == [m.akt]
    assert [u["status"] for u in arende["utredningar"]] == ([m.utredning] if m.utredning else [])
    if m.utredning and m.utredning_id is None:
        m.utredning_id = arende["utredningar"][0]["id"]
    assert {i["id"]: i["status"] for i in arende["insatser"]} == {i["id"]: i["status"] for i in m.insatser}
    expected_uppdrag = {u["id"]: u["status"] for i in m.insatser for u in i["uppdrag"]}
    assert {u["id"]: u["status"] for u in arende["uppdrag"]} == expected_uppdrag
    # The reports since the last check opened exactly that many new omprövningar, each open
    # (opened on the same frozen instant, so their order says nothing).
    nya = [o["id"] for o in arende["omprovningar"] if o["id"] not in m.omprovningar]
    assert len(nya) == m.nya_omprovningar, (nya, m.omprovningar)
    for oid in nya:
        m.omprovningar[oid] = "oppen"
    m.nya_omprovningar = 0
    assert {o["id"]: o["status"] for o in arende["omprovningar"]} == m.omprovningar
    u = m.uppdrag()
    for p in u["planer"] if u else []:
        assert (await walk.get("utforare", f"/v1/genomforandeplaner/{p['id']}")).json()["status"] == p[
            "status"
        ]


async def send(walk: Walk, conn: AsyncConnection, k: Kommando) -> None:
    before = await walk.get(k.who, k.obj_path)
    rows_before = None if k.legal else (await fingerprint(conn), await outbox_count(conn))
    headers = bearer(walk.tokens[k.who]) | ({"If-Match": before.headers["ETag"]} if k.etag else {})
    response = await walk.client.post(k.path, json=k.body, headers=headers)
    if k.legal:
        assert response.status_code in (200, 201), f"{k.path}: {response.text}"
        k.apply(response.json())
        return
    problem = assert_problem(response, 409)
    assert isinstance(problem["tillstand"], str) and isinstance(problem["tillatna_kommandon"], list), problem
    after = await walk.get(k.who, k.obj_path)
    assert (after.json(), after.headers["ETag"]) == (before.json(), before.headers["ETag"])
    assert (await fingerprint(conn), await outbox_count(conn)) == rows_before


# Where an example starts: a fresh aktualisering, or one already walked (through the same
# checked commands) to a started uppdrag with a draft plan, so sequences reach the deep states.
PREFIX = {
    "anmalan": [],
    "ansokan": [],
    "ovrig_information": [],
    "verkstallt": [
        "skyddsbedomning",
        "forhandsbedomning_inled",
        "utredning_avslut",
        "beslut",
        "uppdrag",
        "mottagande_ja",
        "verkstallighet",
        "genomforandeplan",
    ],
}


async def step(walk: Walk, conn: AsyncConnection, m: Modell, name: str) -> None:
    kommando = KOMMANDON[name](m)
    if kommando is None:
        return  # its object does not exist yet
    event(f"{name}: {'legal' if kommando.legal else 'refused'}")
    await send(walk, conn, kommando)
    await check_model(walk, m)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_command_sequences_follow_the_model(
    data: st.DataObject, walk: Walk, case_conn: AsyncConnection
) -> None:
    savepoint = await case_conn.begin_nested()  # each example starts from the same empty case
    try:
        start = data.draw(st.sampled_from(sorted(PREFIX)), label="start")
        typ = start if start in START else "anmalan"
        akt = await Steg(walk).aktualisering(typ)
        m = Modell(arende_id=akt["arende_id"], akt_id=akt["id"], akt=START[typ][0], utredning=START[typ][1])
        await check_model(walk, m)
        for name in PREFIX[start]:
            await step(walk, case_conn, m, name)
        for _ in range(data.draw(st.integers(min_value=4, max_value=14), label="length")):
            # Mostly a command the model says is legal, so sequences get deep; otherwise any.
            legal = [n for n, f in KOMMANDON.items() if (k := f(m)) is not None and k.legal]
            prefer_legal = data.draw(st.integers(0, 2), label="prefer legal") > 0
            pool = legal if legal and prefer_legal else sorted(KOMMANDON)
            await step(walk, case_conn, m, data.draw(st.sampled_from(pool), label="command"))
    finally:
        await savepoint.rollback()
