"""An uppdrag to an utförare outside the nämnd needs the child's samtycke (issue 5).

The test settings make ov-1 and the other test utförare internal (INTERNA_UTFORARE); privat-1 is
external. Without a samtycke in force that names it (or informationsutbyte), sending answers
409 samtycke-saknas naming the child and what is missing, creates nothing, and leaves a nekad
audit row although the request rolled back.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.atkomst.support import RecordingWalk, audit_rows
from tests.case_api.flow import ANMALAN, at
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    return clock


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> RecordingWalk:
    return RecordingWalk(case_client, {"handlaggare": token("handlaggare", sub="anna", enhet="bou-1")})


async def _beslut(walk: RecordingWalk, clock: FrozenClock, pnr: str) -> tuple[str, dict[str, Any]]:
    """A child with an ansökan granted: (person id, the beslut with its insats)."""
    at(clock, "2026-02-03 10:00")
    akt = (
        await walk.post(
            "handlaggare",
            "/v1/aktualiseringar",
            ANMALAN | {"typ": "ansokan", "barn": {"personnummer": pnr}},
            expect=201,
        )
    ).json()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    utredning_id = arende["utredningar"][0]["id"]
    u_path = f"/v1/utredningar/{utredning_id}"
    await walk.command(
        "handlaggare",
        f"{u_path}/avslut",
        u_path,
        {
            "avslutad_datum": "2026-02-03",
            "resultat": "beslut_om_insats",
            "motivering": "Klar.",
            "barnperspektiv": BARNPERSPEKTIV,
        },
    )
    beslut = (
        await walk.post(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utredning_id": utredning_id,
                "utfall": "bifall",
                "insatstyp": "oppenvard",
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": "2026-02-03",
                "period_fran": "2026-02-03",
                "period_till": "2027-02-02",
                "beslutsfattare": "anna",
                "motivering": "Stöd.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    return arende["barn"]["id"], beslut


def _uppdrag(insats_id: str, utforare: str) -> dict[str, Any]:
    return {
        "insats_id": insats_id, "utforare": utforare, "behovsbedomning": "Stöd.", "omfattning": "Samtal.",
        "mal": ["Trygghet"], "uppfoljningsform": "Var sjätte månad", "kontaktuppgifter": {"telefon": "070-0000000"},
    }  # fmt: skip


async def _samtycke(
    walk: RecordingWalk, person_id: str, omfattning: list[str], fran: str = "2026-02-01"
) -> Any:
    body = {
        "givet_av": "vardnadshavare",
        "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
        "omfattning": omfattning,
        "giltigt_fran": fran,
    }
    return await walk.post("handlaggare", f"/v1/personer/{person_id}/samtycken", body, expect=201)


async def _refused(walk: RecordingWalk, insats_id: str, person_id: str, conn: AsyncConnection) -> None:
    response = await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(insats_id, "privat-1"), expect=409)
    problem = assert_problem(response, 409, "samtycke-saknas")
    assert problem["person_id"] == person_id
    assert problem["omfattning"] == ["utforare:privat-1", "informationsutbyte"]
    assert problem["dag"] == "2026-02-03"
    rows = await audit_rows(conn, response.headers["X-Request-ID"])
    assert [(r.utfall, r.objekt_typ, str(r.person_id), r.sub) for r in rows] == [
        ("nekad", "send_uppdrag", person_id, "anna")
    ]
    assert "samtycke-saknas" in rows[0].skal


async def test_an_external_utforare_needs_a_samtycke_that_names_it(
    walk: RecordingWalk, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    person_id, beslut = await _beslut(walk, clock, "201503142380")
    insats_id = beslut["insats"]["id"]
    await _refused(walk, insats_id, person_id, case_conn)
    # Nothing was sent: no uppdrag, no event.
    assert (await walk.get("handlaggare", "/v1/uppdrag")).json()["items"] == []
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    sent = await case_conn.execute(text("SELECT count(*) FROM outbox_event WHERE type = 'uppdrag.skickat'"))
    assert sent.scalar_one() == 0

    # A samtycke for another organisation, one that starts tomorrow, one withdrawn: still refused.
    await _samtycke(walk, person_id, ["utforare:privat-2", "behandling av personuppgifter"])
    await _samtycke(walk, person_id, ["utforare:privat-1"], fran="2026-02-04")
    withdrawn = await _samtycke(walk, person_id, ["utforare:privat-1"])
    await walk.post(
        "handlaggare",
        f"/v1/samtycken/{withdrawn.json()['id']}/aterkallelse",
        {},
        etag=withdrawn.headers["ETag"],
    )
    await _refused(walk, insats_id, person_id, case_conn)

    await _samtycke(walk, person_id, ["utforare:privat-1"])
    sent_now = await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(insats_id, "privat-1"), expect=201)
    assert sent_now.json()["utforare"] == "privat-1"


async def test_informationsutbyte_covers_any_utforare_and_internal_ones_need_none(
    walk: RecordingWalk, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    person_id, beslut = await _beslut(walk, clock, "201212121212")
    await _samtycke(walk, person_id, ["informationsutbyte"])
    assert (
        await walk.post(
            "handlaggare", "/v1/uppdrag", _uppdrag(beslut["insats"]["id"], "privat-1"), expect=201
        )
    ).json()["utforare"] == "privat-1"
    _, internal = await _beslut(walk, clock, "201203152002")
    await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(internal["insats"]["id"], "ov-1"), expect=201)
