"""Every lifecycle read and write of a child's data leaves its audit rows (issue 5).

The two walks of test_lifecycle_walk run through a recording client, then a few more calls reach
the endpoints they do not (lists, reassignment, ej verkställt). For every successful request,
the rows with its request id must be there: one per object read or changed, one per person a
list returns, each naming the child and the ärende, with the caller and its utförare.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api import test_lifecycle_walk as lifecycle
from tests.case_api.atkomst.support import RecordingWalk, audit_rows, operation_of, person_of_arende
from tests.case_api.flow import ANMALAN, at
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV

SUBS = {"handlaggare": "anna", "arbetsledare": "berit", "utforare": "olle"}
LISTS = {"list_arenden", "list_uppdrag", "list_bevakningar", "list_aktualiseringar", "list_omprovningar"}
# Lists whose items name their ärende rather than carrying the child.
BY_ARENDE = {"list_bevakningar", "list_aktualiseringar", "list_omprovningar"}
LIFECYCLE_OPERATIONS = {
    "register_aktualisering", "get_aktualisering", "record_skyddsbedomning", "decide_forhandsbedomning",
    "list_arenden", "get_arende", "close_arende", "assign_arende",
    "get_utredning", "extend_utredning", "close_utredning",
    "make_beslut", "get_beslut", "get_insats", "close_insats", "start_serviceinsats",
    "send_uppdrag", "list_uppdrag", "get_uppdrag", "receive_uppdrag", "report_verkstallighet",
    "report_ej_verkstallt", "report_forandrade_behov",
    "draft_genomforandeplan", "get_genomforandeplan", "establish_genomforandeplan",
    "record_uppfoljning", "list_uppfoljningar", "list_bevakningar",
    "list_aktualiseringar", "search_personer", "list_arende_handelser", "list_genomforandeplaner",
}  # fmt: skip


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    return clock


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> RecordingWalk:
    return RecordingWalk(
        case_client,
        {
            "handlaggare": token("handlaggare", sub="anna", enhet="bou-1"),
            "arbetsledare": token("arbetsledare", sub="berit", enhet="bou-1"),
            "utforare": token("utforare", sub="olle", enhet=None, utforare="ov-1"),
        },
    )


async def _more(walk: RecordingWalk, clock: FrozenClock) -> None:
    """The endpoints the two walks leave out, on a third child."""
    at(clock, "2027-02-01 09:00")
    akt = (
        await walk.post(
            "handlaggare",
            "/v1/aktualiseringar",
            ANMALAN
            | {
                "typ": "ansokan",
                "inkom": "2027-02-01T08:00:00+01:00",
                "barn": {"personnummer": "201212121212", "fornamn": "Tredje", "efternamn": "Barnsson"},
            },
            expect=201,
        )
    ).json()
    arende_path = f"/v1/arenden/{akt['arende_id']}"
    await walk.command("arbetsledare", f"{arende_path}/tilldelning", arende_path, {"handlaggare": "anna"})
    arende = (await walk.get("handlaggare", arende_path)).json()
    utredning_id = arende["utredningar"][0]["id"]
    u_path = f"/v1/utredningar/{utredning_id}"
    await walk.command(
        "handlaggare",
        f"{u_path}/avslut",
        u_path,
        {
            "avslutad_datum": "2027-02-01",
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
                "beslutsdatum": "2027-02-01",
                "period_fran": "2027-02-01",
                "period_till": "2028-01-31",
                "beslutsfattare": "anna",
                "motivering": "Behov av stöd.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    await walk.get("handlaggare", f"/v1/beslut/{beslut['id']}")
    uppdrag = (
        await walk.post(
            "handlaggare",
            "/v1/uppdrag",
            {
                "insats_id": beslut["insats"]["id"],
                "utforare": "ov-1",
                "behovsbedomning": "Stöd.",
                "omfattning": "Samtal.",
                "mal": ["Trygghet"],
                "uppfoljningsform": "Var sjätte månad",
                "kontaktuppgifter": {"telefon": "070-0000000"},
            },
            expect=201,
        )
    ).json()
    up_path = f"/v1/uppdrag/{uppdrag['id']}"
    await walk.command("utforare", f"{up_path}/mottagande", up_path, {"accepterat": True})
    await walk.command(
        "utforare",
        f"{up_path}/ej-verkstallt",
        up_path,
        {"datum": "2027-02-01", "orsak": "Familjen tackade nej."},
    )
    # Lists: three children have ärenden at bou-1, two have uppdrag at ov-1.
    await walk.get("handlaggare", "/v1/arenden")
    await walk.get("utforare", "/v1/uppdrag")
    await walk.get("handlaggare", "/v1/uppdrag")
    await walk.get("utforare", "/v1/bevakningar")
    first_uppdrag = (await walk.get("utforare", "/v1/uppdrag")).json()["items"][0]
    await walk.get("handlaggare", f"/v1/uppdrag/{first_uppdrag['id']}/uppfoljningar")


def _personer_i(op: str, body: dict[str, Any], personer: dict[uuid.UUID, uuid.UUID]) -> set[uuid.UUID]:
    items = body["items"]
    if op in BY_ARENDE:
        return {personer[uuid.UUID(b["arende_id"])] for b in items}
    # An uppdrag whose utförare's access ended shows it no child (barn null); the read is still
    # about that child, and audited so: its ärende names them.
    return {
        uuid.UUID(item["barn"]["id"]) if item.get("barn") else personer[uuid.UUID(item["arende_id"])]
        for item in items
    }


async def test_every_lifecycle_request_leaves_its_audit_rows(
    walk: RecordingWalk, clock: FrozenClock, case_app: Any, case_client: Any, case_conn: AsyncConnection
) -> None:
    await lifecycle.test_a_child_from_anmalan_to_avslut(walk, clock)  # type: ignore[arg-type]
    await lifecycle.test_serviceinsats_needs_samtycke_and_the_family_ends_it(walk, clock, case_client)  # type: ignore[arg-type]
    await _more(walk, clock)
    personer = await person_of_arende(case_conn)
    assert len(set(personer.values())) == 3

    seen: set[str] = set()
    for anrop in walk.anrop:
        op = operation_of(case_app, anrop.method, anrop.path)
        if anrop.response.status_code >= 400:
            # A refused command (the walk's ärende with an open omprövning) changed and read
            # nothing, and its transaction was rolled back: no audit row to check.
            continue
        seen.add(op)
        rows = await audit_rows(case_conn, anrop.response.headers["X-Request-ID"])
        where = f"{anrop.method} {anrop.path} ({op})"
        body = anrop.response.json()
        skal = "arende"
        if op == "search_personer":
            # A search states its own skäl, and names the person it found.
            assert [(r.handling, str(r.person_id)) for r in rows] == [("sok", body["items"][0]["id"])], where
            skal = "Ny anmälan"
        elif op in LISTS:
            expected = _personer_i(op, body, personer)
            assert {r.person_id for r in rows} == expected, where
            assert len(rows) == len(expected), f"{where}: one row per person"
            assert {r.handling for r in rows} <= {"sok"}, where
        else:
            assert len(rows) == 1, f"{where}: {rows}"
            handling = {"GET": "las"}.get(anrop.method) or (
                "skapa" if anrop.response.status_code == 201 else "andra"
            )
            assert rows[0].handling == handling, where
            ids = {str(rows[0].objekt_id)}
            assert ids & (
                {body.get("id") if isinstance(body, dict) else None} | set(anrop.path.split("/"))
            ), f"{where}: objekt_id {rows[0].objekt_id} is neither the answer nor in the path"
        for row in rows:
            assert row.person_id == personer[row.arende_id], where
            assert (row.sub, row.utfall, row.skal) == (SUBS[anrop.who], "tillaten", skal), where
            assert row.roller == [anrop.who], where
            assert row.utforare == ("ov-1" if anrop.who == "utforare" else None), where
            assert row.enhet == (None if anrop.who == "utforare" else "bou-1"), where
    assert seen >= LIFECYCLE_OPERATIONS, LIFECYCLE_OPERATIONS - seen


async def test_a_list_of_n_persons_leaves_n_rows(
    walk: RecordingWalk, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    at(clock, "2026-02-03 10:00")
    pnrs = ["201503142380", "201212121212", "201203152002", "201312121211"]
    for pnr in pnrs:
        await walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"barn": {"personnummer": pnr}}, expect=201
        )
    page = await walk.get("handlaggare", "/v1/arenden", limit=3)
    rows = await audit_rows(case_conn, page.headers["X-Request-ID"])
    assert len(rows) == 3 and len({r.person_id for r in rows}) == 3
    assert {str(r.objekt_id) for r in rows} == {a["id"] for a in page.json()["items"]}
    rest = await walk.get("handlaggare", "/v1/arenden", cursor=page.json()["next_cursor"])
    assert len(await audit_rows(case_conn, rest.headers["X-Request-ID"])) == 1
    # Eight bevakningar (skyddsbedömning and förhandsbedömning per child) are four persons.
    bevakningar = await walk.get("handlaggare", "/v1/bevakningar")
    assert len(bevakningar.json()["items"]) == 8
    rows = await audit_rows(case_conn, bevakningar.headers["X-Request-ID"])
    assert len(rows) == 4 and all(r.objekt_id is None for r in rows)
