"""Skyddad identitet: a protected child's name, personnummer and contact details reach nobody
without an explicit permission: no response, no outbox event (so no webhook or e-mail, which are
made from the events) and no log line (issue 5). An enhetschef grants the permission, audited."""

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.atkomst.support import RecordingWalk, audit_rows
from tests.case_api.flow import ANMALAN, at
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem

PNR = "201212121212"
NAMN = ("Hemlig", "Skyddadsson")
ADRESS, TELEFON, UPPDRAG_TELEFON = "Hemliga vägen 7", "070-7654321", "070-1112223"
# Every way the personnummer can be written, and every detail that must stay hidden.
HEMLIGT = [
    PNR,
    PNR[2:],
    f"{PNR[2:8]}-{PNR[8:]}",
    f"{PNR[:8]}-{PNR[8:]}",
    *NAMN,
    ADRESS,
    TELEFON,
    UPPDRAG_TELEFON,
]
BARN = {
    "personnummer": PNR,
    "fornamn": NAMN[0],
    "efternamn": NAMN[1],
    "skyddad_identitet": True,
    "kontakt": {"adress": ADRESS, "telefon": TELEFON},
}


class LogCapture(logging.Handler):
    """Every log record of the walk, rendered as the service writes it (JSON lines)."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs(case_app: Any) -> Iterator[LogCapture]:
    root = logging.getLogger()
    service_handler = next(
        h for h in root.handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    assert service_handler.formatter is not None
    capture = LogCapture(service_handler.formatter)
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    root.setLevel(level)


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
            "enhetschef": token("enhetschef", sub="chef", enhet="bou-1"),
            "utforare": token("utforare", sub="olle", enhet=None, utforare="ov-1"),
            "system": token("system", sub="statistik", enhet=None, scope="arenden:las"),
            "annan": token("handlaggare", sub="bertil", enhet="bou-1"),
        },
    )


async def _protected_child_walk(walk: RecordingWalk, clock: FrozenClock) -> dict[str, Any]:
    """A protected child from anmälan to an uppföljning; every step's answer is recorded."""
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN | {"barn": BARN}, expect=201)).json()
    akt_path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{akt_path}/skyddsbedomning",
        akt_path,
        {"bedomd_at": "2026-02-03T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "Ingen fara."},
    )
    await walk.command(
        "handlaggare",
        f"{akt_path}/forhandsbedomning",
        akt_path,
        {"beslut": "inled_utredning", "beslutsdatum": "2026-02-03", "motivering": "Utred."},
    )
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    u_path = f"/v1/utredningar/{arende['utredningar'][0]['id']}"
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
                "utredning_id": arende["utredningar"][0]["id"],
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
                "kontaktuppgifter": {"telefon": UPPDRAG_TELEFON},
            },
            expect=201,
        )
    ).json()
    up_path = f"/v1/uppdrag/{uppdrag['id']}"
    await walk.command("utforare", f"{up_path}/mottagande", up_path, {"accepterat": True})
    await walk.command(
        "utforare", f"{up_path}/verkstallighet", up_path, {"verkstallighetsdatum": "2026-02-03"}
    )
    plan = (
        await walk.post(
            "utforare",
            f"{up_path}/genomforandeplaner",
            {
                "mal": ["Trygghet"],
                "aktiviteter": "Samtal",
                "deltagare": [{"roll": "barn"}, {"roll": "vardnadshavare"}],
                "barnets_delaktighet": "Med.",
                "barnets_synpunkter": "Bra.",
            },
            expect=201,
        )
    ).json()
    p_path = f"/v1/genomforandeplaner/{plan['id']}"
    await walk.command(
        "utforare",
        f"{p_path}/faststallande",
        p_path,
        {
            "faststalld_datum": "2026-02-03",
            "undertecknad_av": ["vardnadshavare"],
            "kopia_lamnad_datum": "2026-02-03",
        },
    )
    await walk.post(
        "utforare",
        f"{up_path}/uppfoljningar",
        {
            "avser": "plan",
            "datum": "2026-02-03",
            "barnets_synpunkter": "Bra.",
            "vardnadshavares_synpunkter": "Bra.",
            "sammanfattning": "Framåt.",
            "maluppfyllelse": [{"mal": "Trygghet", "bedomning": "delvis_uppnatt"}],
        },
        expect=201,
    )
    return {"akt": akt, "arende": arende, "beslut": beslut, "uppdrag": uppdrag, "plan": plan}


def _reads(ids: dict[str, Any]) -> list[str]:
    arende = ids["arende"]
    return [
        "/v1/arenden", f"/v1/arenden/{arende['id']}", f"/v1/aktualiseringar/{ids['akt']['id']}",
        f"/v1/utredningar/{arende['utredningar'][0]['id']}", f"/v1/beslut/{ids['beslut']['id']}",
        f"/v1/insatser/{ids['beslut']['insats']['id']}", "/v1/uppdrag", f"/v1/uppdrag/{ids['uppdrag']['id']}",
        f"/v1/uppdrag/{ids['uppdrag']['id']}/uppfoljningar", f"/v1/genomforandeplaner/{ids['plan']['id']}",
        "/v1/bevakningar", f"/v1/personer/{arende['barn']['id']}",
    ]  # fmt: skip


def _leaks(text_: str) -> list[str]:
    return [secret for secret in HEMLIGT if secret in text_]


async def test_a_protected_child_reaches_no_unauthorised_response_event_or_log_line(
    walk: RecordingWalk, clock: FrozenClock, case_client: Any, case_conn: AsyncConnection, logs: LogCapture
) -> None:
    ids = await _protected_child_walk(walk, clock)
    for who in ("handlaggare", "arbetsledare", "enhetschef", "utforare", "system", "annan"):
        for path in _reads(ids):
            response = await case_client.get(path, headers={"Authorization": f"Bearer {walk.tokens[who]}"})
            walk.anrop.append(type(walk.anrop[0])(who, "GET", path, response))
    ok = [a for a in walk.anrop if a.response.status_code == 200]
    assert len(ok) >= 40, "the walk read too little to prove anything"
    for anrop in walk.anrop:
        assert _leaks(anrop.response.text) == [], f"{anrop.who} {anrop.method} {anrop.path}"
    barn = [a.response.json()["barn"] for a in ok if a.path.startswith("/v1/arenden/")]
    assert barn and all(b["maskerad"] and b["personnummer"] is None for b in barn)

    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    events = [dict(row._mapping) for row in await case_conn.execute(text("SELECT * FROM outbox_event"))]
    assert len(events) >= 10
    for event in events:
        assert _leaks(json.dumps(event, default=str)) == [], event["type"]

    assert len(logs.lines) >= len(walk.anrop), "every request logs at least one line"
    for line in logs.lines:
        assert _leaks(line) == [], line


async def test_an_enhetschef_grants_access_and_only_that_user_sees_the_child(
    walk: RecordingWalk, clock: FrozenClock, case_client: Any, case_conn: AsyncConnection
) -> None:
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN | {"barn": BARN}, expect=201)).json()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    person_path = f"/v1/personer/{arende['barn']['id']}"
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is True

    granted = await walk.post(
        "enhetschef",
        f"{person_path}/behorigheter",
        {"sub": "anna", "skal": "Handlägger ärendet."},
        expect=201,
    )
    assert granted.json()["beviljad_av"] == "chef"
    rows = await audit_rows(case_conn, granted.headers["X-Request-ID"])
    assert [(r.handling, r.objekt_typ, str(r.person_id), str(r.arende_id)) for r in rows] == [
        ("skapa", "skyddad_behorighet", arende["barn"]["id"], akt["arende_id"])
    ]
    seen = (await walk.get("handlaggare", person_path)).json()
    assert (seen["personnummer"], seen["fornamn"], seen["maskerad"]) == (PNR, NAMN[0], False)
    assert seen["kontakt"]["adress"] == ADRESS
    detail = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    assert detail["barn"]["efternamn"] == NAMN[1]
    # Another handläggare of the same enhet, and the chef who granted it, still see it masked.
    for other in ("annan", "enhetschef"):
        assert _leaks((await walk.get(other, person_path)).text) == []
        assert _leaks((await walk.get(other, f"/v1/arenden/{akt['arende_id']}")).text) == []

    again = await walk.post(
        "enhetschef", f"{person_path}/behorigheter", {"sub": "anna", "skal": "Igen."}, expect=409
    )
    assert_problem(again, 409, "behorighet-exists")


async def test_who_may_grant(
    walk: RecordingWalk, clock: FrozenClock, token: TokenFactory, case_client: Any
) -> None:
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN | {"barn": BARN}, expect=201)).json()
    open_child = (
        await walk.post(
            "handlaggare",
            "/v1/aktualiseringar",
            ANMALAN | {"barn": {"personnummer": "201503142380"}},
            expect=201,
        )
    ).json()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    path = f"/v1/personer/{arende['barn']['id']}/behorigheter"
    body = {"sub": "anna", "skal": "Handlägger ärendet."}
    # The matrix: only an enhetschef.
    assert_problem(await walk.post("handlaggare", path, body, expect=403), 403, "forbidden")
    # An enhetschef of an enhet without an ärende for the child does not learn that it exists.
    other_chef = token("enhetschef", sub="chef-2", enhet="bou-2")
    response = await case_client.post(path, json=body, headers={"Authorization": f"Bearer {other_chef}"})
    assert_problem(response, 404)
    # A child without skyddad identitet needs no permission.
    plain = (await walk.get("handlaggare", f"/v1/arenden/{open_child['arende_id']}")).json()["barn"]["id"]
    assert_problem(
        await walk.post("enhetschef", f"/v1/personer/{plain}/behorigheter", body, expect=409),
        409,
        "person-not-protected",
    )
