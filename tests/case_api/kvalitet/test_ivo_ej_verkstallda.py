"""The IVO report of ej verkställda beslut for two quarters, from six decisions taken through the
lifecycle API; every individrapport and statistic checked against dates worked out by hand."""

from datetime import UTC, datetime
from typing import Any

import pytest

from common.clock import FrozenClock
from tests.case_api.flow import Walk, at
from tests.case_api.kvalitet.steps import beslutad_insats, uppdrag
from tests.helpers import assert_problem, bearer

URL = "/v1/rapporter/ivo/ej-verkstallda"
ENHETER = tuple(f"bou-{n}" for n in range(1, 7))


@pytest.fixture
async def cases(case_client: Any, case_app: Any, token: Any) -> dict[str, Any]:
    clock = FrozenClock(datetime(2026, 1, 7, 8, 0, tzinfo=UTC))
    case_app.state.clock = clock
    tokens = {e: token("handlaggare", sub=f"hl-{e}", enhet=e) for e in ENHETER}
    tokens["utforare"] = token("utforare", sub="olle", enhet=None, utforare="ov-1")
    tokens["kval"] = token("kvalitetssamordnare", sub="kim", enhet=None)
    walk = Walk(case_client, tokens)
    ids: dict[str, Any] = {"walk": walk}

    async def on(day: str) -> None:
        at(clock, f"{day} 09:00")

    # U (bou-6): decided 2026-01-07, started 2026-02-02, interrupted 2026-05-11, never resumed.
    await on("2026-01-07")
    ids["U"] = await beslutad_insats(walk, "bou-6", "2026-01-07", "familjebehandling")
    u_path = await uppdrag(walk, "bou-6", ids["U"])
    # T (bou-5): decided 2026-01-15, started late on 2026-05-10.
    await on("2026-01-15")
    ids["T"] = await beslutad_insats(walk, "bou-5", "2026-01-15", "oppenvard")
    t_path = await uppdrag(walk, "bou-5", ids["T"])
    await on("2026-02-02")
    await walk.command("utforare", f"{u_path}/verkstallighet", u_path, {"verkstallighetsdatum": "2026-02-02"})
    # P (bou-1): decided 2026-03-02, never started; the utförare reports why.
    await on("2026-03-02")
    ids["P"] = await beslutad_insats(walk, "bou-1", "2026-03-02", "oppenvard")
    p_path = await uppdrag(walk, "bou-1", ids["P"])
    # Q (bou-2): decided 2026-05-04, started late on 2026-08-20.
    await on("2026-05-04")
    ids["Q"] = await beslutad_insats(walk, "bou-2", "2026-05-04", "kontaktperson")
    q_path = await uppdrag(walk, "bou-2", ids["Q"])
    await on("2026-05-10")
    await walk.command("utforare", f"{t_path}/verkstallighet", t_path, {"verkstallighetsdatum": "2026-05-10"})
    await on("2026-05-11")
    await walk.command(
        "utforare",
        f"{u_path}/ej-verkstallt",
        u_path,
        {"datum": "2026-05-11", "orsak": "Familjen har flyttat."},
    )
    # R (bou-3): decided 2026-06-01, started on time 2026-08-15.
    await on("2026-06-01")
    ids["R"] = await beslutad_insats(walk, "bou-3", "2026-06-01", "stodsamtal")
    r_path = await uppdrag(walk, "bou-3", ids["R"])
    await on("2026-06-05")
    await walk.command(
        "utforare",
        f"{p_path}/ej-verkstallt",
        p_path,
        {"datum": "2026-06-05", "orsak": "Familjen tackar nej."},
    )
    # S (bou-4): decided 2026-07-01, its three months end after Q3.
    await on("2026-07-01")
    ids["S"] = await beslutad_insats(walk, "bou-4", "2026-07-01", "oppenvard")
    await on("2026-08-15")
    await walk.command("utforare", f"{r_path}/verkstallighet", r_path, {"verkstallighetsdatum": "2026-08-15"})
    await on("2026-08-20")
    await walk.command("utforare", f"{q_path}/verkstallighet", q_path, {"verkstallighetsdatum": "2026-08-20"})
    await on("2026-10-05")
    return ids


def by_insats(report: dict[str, Any], walk: Walk) -> dict[str, dict[str, Any]]:
    return {r["beslutsdatum"]: r for r in report["individrapporter"]}


async def test_q3(cases: dict[str, Any]) -> None:
    walk: Walk = cases["walk"]
    report = (await walk.get("kval", URL, kvartal="2026-Q3")).json()
    assert (report["kvartal"], report["rapporteringsdatum"]) == ("2026-Q3", "2026-09-30")
    rows = by_insats(report, walk)
    assert sorted(rows) == ["2026-01-07", "2026-03-02", "2026-05-04"]  # U, P, Q
    p, q, u = rows["2026-03-02"], rows["2026-05-04"], rows["2026-01-07"]
    assert {k: p[k] for k in ("typ", "insatstyp", "enhet", "dagar", "verkstallighetsdatum", "skal")} == {
        "typ": "ej_paborjad",
        "insatstyp": "oppenvard",
        "enhet": "bou-1",
        "dagar": 212,
        "verkstallighetsdatum": None,
        "skal": "Familjen tackar nej.",
    }
    assert (p["forsta_kvartal"], p["tidigare_kvartal"]) == ("2026-Q2", ["2026-Q2"])
    assert (p["fodelsedatum"], p["kon"]) == ("2015-03-14", "K")
    assert "personnummer" not in p
    assert {k: q[k] for k in ("typ", "insatstyp", "dagar", "verkstallighetsdatum", "forsta_kvartal")} == {
        "typ": "ej_paborjad",
        "insatstyp": "kontaktperson",
        "dagar": 108,
        "verkstallighetsdatum": "2026-08-20",
        "forsta_kvartal": "2026-Q3",
    }
    assert {k: u[k] for k in ("typ", "avbrott_datum", "insatstyp", "dagar", "skal", "tidigare_kvartal")} == {
        "typ": "avbrott",
        "avbrott_datum": "2026-05-11",
        "insatstyp": "familjebehandling",
        "dagar": 142,
        "skal": "Familjen har flyttat.",
        "tidigare_kvartal": [],
    }
    assert report["statistik"] == [
        {"insatstyp": "familjebehandling", "typ": "avbrott", "antal": 1},
        {"insatstyp": "kontaktperson", "typ": "ej_paborjad", "antal": 1},
        {"insatstyp": "oppenvard", "typ": "ej_paborjad", "antal": 1},
    ]
    assert report["statistik_per_kon"] == {"K": 3}

    # Q2: P (not started, 120 days at the quarter's end) and T (started late on 2026-05-10).
    q2 = by_insats((await walk.get("kval", URL, kvartal="2026-Q2")).json(), walk)
    assert sorted(q2) == ["2026-01-15", "2026-03-02"]
    assert (q2["2026-03-02"]["dagar"], q2["2026-03-02"]["referens"]) == (120, p["referens"])
    assert (q2["2026-01-15"]["verkstallighetsdatum"], q2["2026-01-15"]["dagar"]) == ("2026-05-10", 115)


async def test_default_quarter_unit_and_csv(cases: dict[str, Any], token: Any) -> None:
    walk: Walk = cases["walk"]
    default = (await walk.get("kval", URL)).json()  # 2026-10-05: the last whole quarter is Q3
    assert default["kvartal"] == "2026-Q3"
    walk.tokens["chef"] = token("enhetschef", sub="cecilia", enhet="bou-1")
    own = (await walk.get("chef", URL, kvartal="2026-Q3")).json()
    assert [r["beslutsdatum"] for r in own["individrapporter"]] == ["2026-03-02"]
    refused = await walk.client.get(URL, params={"enhet": "bou-2"}, headers=bearer(walk.tokens["chef"]))
    assert_problem(refused, 403, "enhet-ej-tillaten")
    csv_text = (
        await walk.client.get(
            URL, params={"kvartal": "2026-Q3", "format": "csv"}, headers=bearer(walk.tokens["kval"])
        )
    ).text
    lines = csv_text.splitlines()
    assert lines[0].startswith("kvartal,referens,forsta_kvartal")
    assert len(lines) == 4
    assert any(",2026-Q2,2026-Q2,ej_paborjad,2026-03-02,,oppenvard," in line for line in lines)


@pytest.mark.parametrize("role", ["handlaggare", "arbetsledare", "utforare", "system"])
async def test_other_roles_are_refused(case_client: Any, token: Any, role: str) -> None:
    response = await case_client.get(URL, headers=bearer(token(role, enhet="bou-1")))
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("kvartal", "slug"), [("2026-Q5", "validation-error"), ("0000-Q1", "ogiltig-period")]
)
async def test_kvartal_is_validated(case_client: Any, token: Any, kvartal: str, slug: str) -> None:
    response = await case_client.get(
        URL, params={"kvartal": kvartal}, headers=bearer(token("kvalitetssamordnare"))
    )
    assert_problem(response, 422, slug)
