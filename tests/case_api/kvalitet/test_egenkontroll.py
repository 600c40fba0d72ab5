"""Egenkontroll: five children through the lifecycle API and a lex Sarah report, every figure
checked against numbers worked out by hand from the dates below."""

from datetime import UTC, datetime
from typing import Any

import pytest

from common.clock import FrozenClock
from tests.case_api.flow import Walk, at
from tests.case_api.kvalitet.steps import anmalan, avsluta_utredning, forhandsbedomning, utredning_id
from tests.helpers import assert_problem, bearer

URL = "/v1/rapporter/egenkontroll"
H1 = {"fran": "2026-01-01", "till": "2026-06-30"}
ENHETER = ("bou-1", "bou-2", "bou-3", "bou-4", "bou-5")


@pytest.fixture
def walk(case_client: Any, case_app: Any, token: Any) -> Walk:
    case_app.state.clock = FrozenClock(datetime(2025, 10, 1, 8, 0, tzinfo=UTC))
    tokens = {e: token("handlaggare", sub=f"hl-{e}", enhet=e) for e in ENHETER}
    tokens |= {f"al-{e}": token("arbetsledare", sub=f"al-{e}", enhet=e) for e in ENHETER}
    tokens["kval"] = token("kvalitetssamordnare", sub="kim", enhet=None)
    return Walk(case_client, tokens)


@pytest.fixture
async def cases(walk: Walk, case_app: Any) -> Walk:
    clock = case_app.state.clock
    # E (bou-5): utredning from 2025-10-06, due 2026-02-06, extended to 2026-04-06, closed 2026-04-10.
    at(clock, "2025-10-01 10:00")
    e = await anmalan(walk, "bou-5", "2025-10-01T09:30:00+02:00", "2025-10-01T10:00:00+02:00")
    at(clock, "2025-10-06 10:00")
    await forhandsbedomning(walk, "bou-5", e, "inled_utredning", "2025-10-06")
    e_utr = await utredning_id(walk, "bou-5", e)
    at(clock, "2026-02-02 10:00")
    path = f"/v1/utredningar/{e_utr}"
    await walk.command(
        "al-bou-5",
        f"{path}/forlangning",
        path,
        {"beslutsdatum": "2026-02-02", "skal": "Väntar på BUP.", "ny_slutdatum": "2026-04-06"},
    )
    # A (bou-1): all on time; utredning 2026-02-10 .. due 2026-06-10, closed 2026-06-01.
    at(clock, "2026-02-03 10:00")
    a = await anmalan(walk, "bou-1", "2026-02-03T09:30:00+01:00", "2026-02-03T10:00:00+01:00")
    at(clock, "2026-02-10 10:00")
    await forhandsbedomning(walk, "bou-1", a, "inled_utredning", "2026-02-10")
    a_utr = await utredning_id(walk, "bou-1", a)
    # B (bou-2): skyddsbedömning a day late, förhandsbedömning 4 days late; utredning due 2026-07-20.
    at(clock, "2026-03-03 10:00")
    b = await anmalan(walk, "bou-2", "2026-03-02T09:30:00+01:00", "2026-03-03T09:00:00+01:00")
    at(clock, "2026-03-20 10:00")
    await forhandsbedomning(walk, "bou-2", b, "inled_utredning", "2026-03-20", sent=True)
    # C (bou-3): on time, no utredning.
    at(clock, "2026-04-01 11:00")
    c = await anmalan(walk, "bou-3", "2026-04-01T09:30:00+02:00", "2026-04-01T10:00:00+02:00")
    at(clock, "2026-04-14 10:00")
    await forhandsbedomning(walk, "bou-3", c, "inled_ej_utredning", "2026-04-14")
    at(clock, "2026-04-10 10:00")
    await avsluta_utredning(walk, "bou-5", e_utr, "2026-04-10")
    # D (bou-4): förhandsbedömning due 2026-05-18, never decided.
    at(clock, "2026-05-04 11:00")
    await anmalan(walk, "bou-4", "2026-05-04T09:30:00+02:00", "2026-05-04T10:00:00+02:00")
    at(clock, "2026-06-01 10:00")
    await avsluta_utredning(walk, "bou-1", a_utr, "2026-06-01")
    # A lex Sarah report about A's ärende on 2026-06-10: due 2026-06-24, never investigated.
    at(clock, "2026-06-10 10:00")
    await walk.post(
        "kval",
        "/v1/avvikelser",
        {
            "typ": "lex_sarah",
            "lex_sarah_typ": "patalig_risk",
            "inkommen_fran": "personal",
            "form": "skriftlig",
            "enhet": "bou-1",
            "orsakskategori": "handlaggning",
            "beskrivning": "Risk.",
            "arende_id": a["arende_id"],
        },
        expect=201,
    )
    at(clock, "2026-07-02 10:00")
    return walk


def figures(report: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {
        r["typ"]: (
            r["antal"],
            r["i_tid"],
            r["sent_uppfyllda"],
            r["forsenade_ej_uppfyllda"],
            r["ej_forfallna"],
            r["avbrutna"],
            r["andel_i_tid"],
            r["max_dagar_sen"],
            r["forlangda"],
            r["inom_regelns_tid"],
        )
        for r in report["per_typ"]
    }


def late(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {r["typ"]: {k: v for k, v in r["dagar_sena"].items() if v} for r in report["per_typ"]}


ZERO = (0, 0, 0, 0, 0, 0, None, None, None, None)


async def test_every_figure_of_the_half_year(cases: Walk) -> None:
    report = (await cases.get("kval", URL, **H1)).json()
    assert report["period"] == {"fran": "2026-01-01", "till": "2026-06-30"}
    assert report["per_dag"] == "2026-07-02"
    #           antal i_tid sent forsenade ej_forfallna avbrutna andel max forlangda inom_regelns_tid
    assert figures(report) == {
        "skyddsbedomning": (4, 3, 1, 0, 0, 0, 75.0, 1, None, None),
        "forhandsbedomning": (4, 2, 1, 1, 0, 0, 50.0, 45, None, None),
        "utredning": (2, 1, 1, 0, 0, 0, 50.0, 4, 1, 1),
        "verkstallighet": ZERO,
        "genomforandeplan": ZERO,
        "uppfoljning": (*ZERO[:8], None, None),
        "lex_sarah_utredning": (1, 0, 0, 1, 0, 0, 0.0, 8, None, None),
        # No anmälare asked for återkoppling in this half-year: the rules are listed, at zero.
        "aterkoppling_anmalare": (0, 0, 0, 0, 0, 0, None, None, None, None),
        "aterkoppling_anmalare_genast": (0, 0, 0, 0, 0, 0, None, None, None, None),
        "omprovning": ZERO,
        # No child was placed: the placement rules are listed, at zero.
        "overvagande": ZERO,
        "omprovning_lvu": ZERO,
        "vardnadsoverflyttning": ZERO,
        "jourhem": ZERO,
        "uppfoljning_efter_vard": ZERO,
        "ej_nyttjad": ZERO,
        # No SIP was drawn up.
        "sip_uppfoljning": ZERO,
        "vardplan": ZERO,
        "vardplan_revidering": ZERO,
    }
    assert late(report) == {
        "skyddsbedomning": {"1-7": 1},
        "forhandsbedomning": {"1-7": 1, "31-90": 1},
        "utredning": {"1-7": 1},
        "verkstallighet": {},
        "genomforandeplan": {},
        "uppfoljning": {},
        "lex_sarah_utredning": {"8-14": 1},
        "aterkoppling_anmalare": {},
        "aterkoppling_anmalare_genast": {},
        "omprovning": {},
        "overvagande": {},
        "omprovning_lvu": {},
        "vardnadsoverflyttning": {},
        "jourhem": {},
        "uppfoljning_efter_vard": {},
        "ej_nyttjad": {},
        "sip_uppfoljning": {},
        "vardplan": {},
        "vardplan_revidering": {},
    }


async def test_a_period_reaching_past_today(cases: Walk) -> None:
    report = (await cases.get("kval", URL, fran="2026-07-01", till="2026-12-31")).json()
    # B's utredning, due 2026-07-20, is open and not yet due on 2026-07-02.
    assert figures(report)["utredning"] == (1, 0, 0, 0, 1, 0, None, None, 0, 0)


async def test_one_unit_and_the_enhetschef(cases: Walk, token: Any) -> None:
    bou1 = figures((await cases.get("kval", URL, enhet="bou-1", **H1)).json())
    assert bou1["skyddsbedomning"] == (1, 1, 0, 0, 0, 0, 100.0, None, None, None)
    assert bou1["forhandsbedomning"] == (1, 1, 0, 0, 0, 0, 100.0, None, None, None)
    assert bou1["utredning"] == (1, 1, 0, 0, 0, 0, 100.0, None, 0, 1)
    assert bou1["lex_sarah_utredning"] == (1, 0, 0, 1, 0, 0, 0.0, 8, None, None)
    cases.tokens["chef"] = token("enhetschef", sub="cecilia", enhet="bou-2")
    chef = (await cases.get("chef", URL, **H1)).json()
    assert chef["enhet"] == "bou-2"
    assert figures(chef)["skyddsbedomning"] == (1, 0, 1, 0, 0, 0, 0.0, 1, None, None)
    assert figures(chef)["forhandsbedomning"] == (1, 0, 1, 0, 0, 0, 0.0, 4, None, None)
    refused = await cases.client.get(URL, params={"enhet": "bou-1"}, headers=bearer(cases.tokens["chef"]))
    assert_problem(refused, 403, "enhet-ej-tillaten")


async def test_csv(cases: Walk) -> None:
    response = await cases.client.get(
        URL, params={**H1, "format": "csv"}, headers=bearer(cases.tokens["kval"])
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0].startswith("fran,till,typ,antal,i_tid")
    assert "2026-01-01,2026-06-30,forhandsbedomning,4,2,1,1,0,0,50.0,,,1,0,0,1,0,45" in lines


@pytest.mark.parametrize("role", ["handlaggare", "arbetsledare", "utforare", "system"])
async def test_other_roles_are_refused(case_client: Any, token: Any, role: str) -> None:
    response = await case_client.get(URL, headers=bearer(token(role, enhet="bou-1")))
    assert_problem(response, 403, "forbidden")
