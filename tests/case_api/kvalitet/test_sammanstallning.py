"""The sammanställning of avvikelser: a half-year of reports with known outcomes, every figure
checked against numbers counted by hand from the table below."""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.helpers import assert_problem

URL = "/v1/rapporter/avvikelser/sammanstallning"
H1 = {"fran": "2026-01-01", "till": "2026-06-30"}

# (registered at, UTC; typ; lex_sarah_typ; enhet; orsakskategori; handling)
# handling: None = only registered; ("utred", befogad); ("ivo", befogad, anmals); ("avsluta", befogad)
DEVIATIONS = [
    # The half-year 2026-01-01 .. 2026-06-30 (Stockholm dates).
    (
        "2025-12-31T23:30:00",
        "lex_sarah",
        "missforhallande",
        "bou-1",
        "handlaggning",
        ("ivo", True, True),
    ),  # 1
    (
        "2026-01-15T10:00:00",
        "lex_sarah",
        "patalig_risk",
        "bou-1",
        "rutin_ej_foljd",
        ("ivo", False, False),
    ),  # 2
    ("2026-02-03T10:00:00", "lex_sarah", "missforhallande", "bou-2", "dokumentation", None),  # 3
    ("2026-02-20T10:00:00", "avvikande_handelse", None, "bou-1", "dokumentation", ("avsluta", True)),  # 4
    ("2026-03-10T10:00:00", "avvikande_handelse", None, "bou-2", "samverkan", ("utred", True)),  # 5
    ("2026-03-11T10:00:00", "risk", None, "bou-1", "kompetens_bemanning", None),  # 6
    ("2026-04-01T10:00:00", "synpunkt", None, "bou-1", "tillganglighet", ("avsluta", False)),  # 7
    ("2026-04-22T10:00:00", "klagomal", None, "bou-2", "bemotande_integritet", ("avsluta", True)),  # 8
    ("2026-05-05T10:00:00", "klagomal", None, "bou-1", "bemotande_integritet", ("utred", False)),  # 9
    ("2026-06-01T10:00:00", "klagomal", None, "bou-1", "handlaggning", None),  # 10
    ("2026-06-30T21:59:00", "avvikande_handelse", None, "bou-3", "verkstallighet", None),  # 11: 23:59 CEST
    ("2026-06-30T22:00:00", "risk", None, "bou-1", "ovrigt", None),  # 12: 1 July in Stockholm, outside
    # The previous 181 days, 2025-07-04 .. 2025-12-31.
    ("2025-07-03T22:30:00", "klagomal", None, "bou-1", "handlaggning", None),  # 13: 00:30 on 4 July
    (
        "2025-09-01T10:00:00",
        "lex_sarah",
        "missforhallande",
        "bou-1",
        "handlaggning",
        ("ivo", True, True),
    ),  # 14
    ("2025-10-10T10:00:00", "avvikande_handelse", None, "bou-2", "dokumentation", ("avsluta", True)),  # 15
    ("2025-11-11T10:00:00", "klagomal", None, "bou-1", "bemotande_integritet", ("utred", False)),  # 16
    ("2025-12-31T22:30:00", "synpunkt", None, "bou-2", "samverkan", None),  # 17: 23:30 on 31 Dec
    ("2025-07-03T21:00:00", "risk", None, "bou-1", "ovrigt", None),  # 18: 3 July, before both periods
]


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC)


async def seed(client, clock, kval) -> None:  # type: ignore[no-untyped-def]
    for registered, typ, lex_typ, enhet, orsak, handling in DEVIATIONS:
        clock.set(at(registered))
        body = {
            "typ": typ,
            "inkommen_fran": "personal",
            "form": "skriftlig",
            "enhet": enhet,
            "orsakskategori": orsak,
            "beskrivning": "Testhändelse.",
            **({"lex_sarah_typ": lex_typ} if lex_typ else {}),
        }
        created = await client.post("/v1/avvikelser", json=body, headers=kval)
        assert created.status_code == 201, created.text
        if handling is not None:
            await handle(client, kval, f"/v1/avvikelser/{created.json()['id']}", handling)


async def handle(client, kval, url: str, handling: tuple) -> None:  # type: ignore[no-untyped-def,type-arg]
    steps = [("utred", {"utredare": "K", "iakttagelser": "I", "atgarder": "A", "befogad": handling[1]})]
    if handling[0] == "ivo":
        steps.append(
            ("ivo-beslut", {"anmals_till_ivo": handling[2], "beslutsfattare": "S", "motivering": "M"})
        )
    if handling[0] == "avsluta":
        steps.append(("avsluta", {}))
    for version, (command, payload) in enumerate(steps, start=1):
        response = await client.post(
            f"{url}/{command}", json=payload, headers={**kval, "If-Match": f'"{version}"'}
        )
        assert response.status_code == 200, response.text


def by_key(rows: list[dict]) -> dict[str, tuple]:  # type: ignore[type-arg]
    return {
        r["nyckel"]: (r["antal"], r["foregaende"], r["forandring"], r["forandring_procent"]) for r in rows
    }


@pytest.fixture
async def seeded(case_client, clock, as_role):  # type: ignore[no-untyped-def]
    kval = as_role("kvalitetssamordnare")
    await seed(case_client, clock, kval)
    clock.set(at("2026-07-02T08:00:00"))
    return kval


async def test_every_figure_of_the_half_year(case_client, seeded) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get(URL, params=H1, headers=seeded)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["period"] == {"fran": "2026-01-01", "till": "2026-06-30"}
    assert report["foregaende_period"] == {"fran": "2025-07-04", "till": "2025-12-31"}
    assert report["enhet"] is None
    t = report["totalt"]
    assert (t["antal"], t["foregaende"], t["forandring"], t["forandring_procent"]) == (11, 5, 6, 120.0)
    assert by_key(report["per_typ"]) == {
        "lex_sarah": (3, 1, 2, 200.0),
        "avvikande_handelse": (3, 1, 2, 200.0),
        "risk": (1, 0, 1, None),
        "synpunkt": (1, 1, 0, 0.0),
        "klagomal": (3, 2, 1, 50.0),
    }
    assert by_key(report["per_lex_sarah_typ"]) == {
        "missforhallande": (2, 1, 1, 100.0),
        "patalig_risk": (1, 0, 1, None),
    }
    assert by_key(report["per_enhet"]) == {
        "bou-1": (7, 3, 4, 133.3),
        "bou-2": (3, 2, 1, 50.0),
        "bou-3": (1, 0, 1, None),
    }
    assert by_key(report["per_orsakskategori"]) == {
        "lag_foreskrift_beslut": (0, 0, 0, None),
        "rutin_ej_foljd": (1, 0, 1, None),
        "handlaggning": (2, 2, 0, 0.0),
        "verkstallighet": (1, 0, 1, None),
        "samverkan": (1, 1, 0, 0.0),
        "kompetens_bemanning": (1, 0, 1, None),
        "bemotande_integritet": (2, 1, 1, 100.0),
        "tillganglighet": (1, 0, 1, None),
        "trygghet_sakerhet": (0, 0, 0, None),
        "dokumentation": (2, 1, 1, 100.0),
        "sekretess_obehorig_atkomst": (0, 0, 0, None),
        "ovrigt": (0, 0, 0, None),
    }
    assert by_key(report["per_utfall"]) == {
        "ej_utredd": (4, 2, 2, 100.0),
        "ej_befogad": (3, 1, 2, 200.0),
        "befogad": (3, 1, 2, 200.0),
        "anmald_till_ivo": (1, 1, 0, 0.0),
    }


async def test_one_unit(case_client, seeded) -> None:  # type: ignore[no-untyped-def]
    report = (await case_client.get(URL, params={**H1, "enhet": "bou-2"}, headers=seeded)).json()
    assert report["enhet"] == "bou-2"
    assert (report["totalt"]["antal"], report["totalt"]["foregaende"]) == (3, 2)
    assert by_key(report["per_typ"]) == {
        "lex_sarah": (1, 0, 1, None),
        "avvikande_handelse": (1, 1, 0, 0.0),
        "risk": (0, 0, 0, None),
        "synpunkt": (0, 1, -1, -100.0),
        "klagomal": (1, 0, 1, None),
    }
    assert by_key(report["per_enhet"]) == {"bou-2": (3, 2, 1, 50.0)}
    assert by_key(report["per_utfall"]) == {
        "ej_utredd": (1, 1, 0, 0.0),
        "ej_befogad": (0, 0, 0, None),
        "befogad": (2, 1, 1, 100.0),
        "anmald_till_ivo": (0, 0, 0, None),
    }


async def test_enhetschef_gets_own_unit_only(case_client, seeded, as_role) -> None:  # type: ignore[no-untyped-def]
    chef = as_role("enhetschef", enhet="bou-1")
    report = (await case_client.get(URL, params=H1, headers=chef)).json()
    assert report["enhet"] == "bou-1"
    assert (report["totalt"]["antal"], report["totalt"]["foregaende"]) == (7, 3)
    refused = await case_client.get(URL, params={**H1, "enhet": "bou-2"}, headers=chef)
    assert_problem(refused, 403, "enhet-ej-tillaten")


async def test_default_is_the_current_half_year(case_client, seeded, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(at("2026-06-15T12:00:00"))
    default = (await case_client.get(URL, headers=seeded)).json()
    explicit = (await case_client.get(URL, params=H1, headers=seeded)).json()
    assert default == explicit
    clock.set(at("2026-06-30T22:30:00"))  # already 1 July in Stockholm
    second_half = (await case_client.get(URL, headers=seeded)).json()
    assert second_half["period"] == {"fran": "2026-07-01", "till": "2026-12-31"}
    assert second_half["foregaende_period"] == {"fran": "2025-12-29", "till": "2026-06-30"}
    assert (second_half["totalt"]["antal"], second_half["totalt"]["foregaende"]) == (1, 12)


@pytest.mark.parametrize("how", [{"params": {"format": "csv"}}, {"accept": "text/csv"}])
async def test_csv_has_the_same_figures(case_client, seeded, how) -> None:  # type: ignore[no-untyped-def]
    headers = dict(seeded)
    params = dict(H1)
    if "accept" in how:
        headers["Accept"] = how["accept"]
    params.update(how.get("params", {}))
    response = await case_client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="avvikelser_2026-01-01_2026-06-30.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    found = {(r["dimension"], r["nyckel"]): r for r in rows}
    assert len(rows) == 1 + 5 + 2 + 3 + 12 + 4
    assert {k: found[("totalt", "totalt")][k] for k in ("fran", "till", "antal", "foregaende")} == {
        "fran": "2026-01-01",
        "till": "2026-06-30",
        "antal": "11",
        "foregaende": "5",
    }
    assert [
        found[("enhet", "bou-1")][k] for k in ("antal", "foregaende", "forandring", "forandring_procent")
    ] == [
        "7",
        "3",
        "4",
        "133.3",
    ]
    assert found[("typ", "risk")]["forandring_procent"] == ""
    assert found[("utfall", "anmald_till_ivo")]["antal"] == "1"
    json_report = (await case_client.get(URL, params=H1, headers=seeded)).json()
    for dimension in ("typ", "lex_sarah_typ", "enhet", "orsakskategori", "utfall"):
        for r in json_report[f"per_{dimension}"]:
            assert int(found[(dimension, r["nyckel"])]["antal"]) == r["antal"]


@pytest.mark.parametrize(
    "params",
    [
        {"fran": "2026-01-01"},
        {"till": "2026-01-01"},
        {"fran": "2026-02-01", "till": "2026-01-01"},
        {"fran": "0712-06-03", "till": "2026-06-30"},
        {"fran": "2026-01-01", "till": "9999-12-31"},
    ],
)
async def test_invalid_periods(case_client, clock, as_role, params) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get(URL, params=params, headers=as_role("kvalitetssamordnare"))
    assert_problem(response, 422, "ogiltig-period")
