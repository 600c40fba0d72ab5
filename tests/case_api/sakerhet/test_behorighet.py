"""Issue 11 item 2: nobody grants themselves access to a protected child; a grant ends (default
and maximum from the settings), can be revoked, and both are audited and evented."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.atkomst.support import RecordingWalk, audit_rows
from tests.case_api.flow import ANMALAN, at
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

PNR = "201212121212"
BARN = {
    "personnummer": PNR,
    "fornamn": "Hemlig",
    "efternamn": "Skyddadsson",
    "skyddad_identitet": True,
    "kontakt": {"adress": "Hemliga vägen 7"},
}
SKAL = "Handlägger ärendet."


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
            "enhetschef": token("enhetschef", sub="chef", enhet="bou-1"),
            "chef2": token("enhetschef", sub="chef-b", enhet="bou-1"),
            "bou2_chef": token("enhetschef", sub="greta", enhet="bou-2"),
        },
    )


async def _protected(walk: RecordingWalk, clock: FrozenClock) -> tuple[str, str]:
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN | {"barn": BARN}, expect=201)).json()
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    return f"/v1/personer/{arende['barn']['id']}", akt["arende_id"]


async def _events(conn: AsyncConnection, typ: str) -> list[dict[str, Any]]:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = await conn.execute(
        text("SELECT data FROM outbox_event WHERE type = :t ORDER BY id"), {"t": f"se.socialtjanst.{typ}"}
    )
    return [row.data for row in rows]


async def test_an_enhetschef_cannot_grant_themselves_access(
    walk: RecordingWalk, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    person_path, _ = await _protected(walk, clock)
    refused = await walk.post(
        "enhetschef", f"{person_path}/behorigheter", {"sub": "chef", "skal": SKAL}, expect=403
    )
    assert_problem(refused, 403, "self-grant")
    seen = (await walk.get("enhetschef", person_path)).json()
    assert seen["maskerad"] is True and seen["kontakt"] is None
    # The refusal is audited as such; nothing was granted, nothing evented.
    rows = await audit_rows(case_conn, refused.headers["X-Request-ID"])
    assert [(r.utfall, r.objekt_typ, r.skal) for r in rows] == [
        ("nekad", "grant_behorighet", "403 self-grant")
    ]
    assert await _events(case_conn, "behorighet.beviljad") == []


async def test_a_grant_ends_by_default_and_never_later_than_the_maximum(
    walk: RecordingWalk, clock: FrozenClock, case_app: Any
) -> None:
    person_path, _ = await _protected(walk, clock)
    settings = case_app.state.settings
    idag = date(2026, 2, 3)
    path = f"{person_path}/behorigheter"
    too_far = (idag + timedelta(days=settings.behorighet_max_dagar + 1)).isoformat()
    response = await walk.post(
        "enhetschef", path, {"sub": "anna", "skal": SKAL, "giltig_till": too_far}, expect=422
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["giltig_till"]
    past = (idag - timedelta(days=1)).isoformat()
    response = await walk.post(
        "enhetschef", path, {"sub": "anna", "skal": SKAL, "giltig_till": past}, expect=422
    )
    assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["giltig_till"]
    granted = (await walk.post("enhetschef", path, {"sub": "anna", "skal": SKAL}, expect=201)).json()
    assert granted["giltig_till"] == (idag + timedelta(days=settings.behorighet_standard_dagar)).isoformat()
    assert granted["enhet"] == "bou-1" and granted["aterkallad_at"] is None


async def test_an_expired_grant_no_longer_unmasks(walk: RecordingWalk, clock: FrozenClock) -> None:
    person_path, arende_id = await _protected(walk, clock)
    await walk.post(
        "enhetschef",
        f"{person_path}/behorigheter",
        {"sub": "anna", "skal": SKAL, "giltig_till": "2026-02-10"},
        expect=201,
    )
    at(clock, "2026-02-10 23:30")
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is False
    at(clock, "2026-02-11 00:10")
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is True
    barn = (await walk.get("handlaggare", f"/v1/arenden/{arende_id}")).json()["barn"]
    assert barn["maskerad"] is True and barn["fornamn"] is None
    # Once expired, a new grant can be made.
    await walk.post("enhetschef", f"{person_path}/behorigheter", {"sub": "anna", "skal": SKAL}, expect=201)
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is False


async def test_a_grant_is_revoked_audited_and_evented(
    walk: RecordingWalk, clock: FrozenClock, case_conn: AsyncConnection, case_client: Any, token: TokenFactory
) -> None:
    person_path, arende_id = await _protected(walk, clock)
    granted = await walk.post(
        "enhetschef", f"{person_path}/behorigheter", {"sub": "anna", "skal": SKAL}, expect=201
    )
    grant = granted.json()
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is False
    revoke_path = f"{person_path}/behorigheter/{grant['id']}/aterkallelse"

    # Who may revoke: not the handläggare (matrix), not another enhet's chef (an unknown id).
    assert_problem(await walk.post("handlaggare", revoke_path, {}, expect=403), 403, "forbidden")
    assert_problem(await walk.post("bou2_chef", revoke_path, {}, expect=404), 404)
    unknown = f"{person_path}/behorigheter/00000000-0000-4000-8000-000000000000/aterkallelse"
    assert_problem(await walk.post("chef2", unknown, {}, expect=404), 404)

    at(clock, "2026-02-04 08:00")
    revoked = await walk.post("chef2", revoke_path, {}, expect=200)
    assert revoked.json()["aterkallad_av"] == "chef-b" and revoked.json()["aterkallad_at"]
    assert (await walk.get("handlaggare", person_path)).json()["maskerad"] is True
    assert_problem(await walk.post("chef2", revoke_path, {}, expect=409), 409, "behorighet-revoked")

    rows = await audit_rows(case_conn, revoked.headers["X-Request-ID"])
    assert [(r.handling, r.objekt_typ, str(r.objekt_id), str(r.arende_id)) for r in rows] == [
        ("andra", "skyddad_behorighet", grant["id"], arende_id)
    ]
    rows = await audit_rows(case_conn, granted.headers["X-Request-ID"])
    assert [(r.handling, r.objekt_typ) for r in rows] == [("skapa", "skyddad_behorighet")]
    beviljad = await _events(case_conn, "behorighet.beviljad")
    aterkallad = await _events(case_conn, "behorighet.aterkallad")
    assert [e["id"] for e in beviljad] == [grant["id"]] and [e["id"] for e in aterkallad] == [grant["id"]]
    assert aterkallad[0]["aterkallad_av"] == "chef-b" and aterkallad[0]["sub"] == "anna"
    for event in beviljad + aterkallad:
        assert PNR not in str(event) and "Hemlig" not in str(event)


async def test_a_grant_opens_the_person_only_at_the_granting_enhet(
    walk: RecordingWalk, clock: FrozenClock, case_client: Any, token: TokenFactory
) -> None:
    person_path, _ = await _protected(walk, clock)
    await walk.post("enhetschef", f"{person_path}/behorigheter", {"sub": "anna", "skal": SKAL}, expect=201)
    # bou-2 registers the same child, protected as bou-2 knows it too; anna, working for bou-2
    # with the same sub, is not let in by the permission bou-1 gave her.
    anna_bou2 = bearer(token("handlaggare", sub="anna", enhet="bou-2"))
    body = ANMALAN | {"enhet": "bou-2", "barn": {"personnummer": PNR, "skyddad_identitet": True}}
    assert (await case_client.post("/v1/aktualiseringar", json=body, headers=anna_bou2)).status_code == 201
    seen = (await case_client.get(person_path, headers=anna_bou2)).json()
    assert seen["maskerad"] is True
