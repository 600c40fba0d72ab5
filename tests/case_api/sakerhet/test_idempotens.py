"""Issue 11 item 7: an Idempotency-Key replays only for the caller and the object it was made
for, after authorisation, and only until it expires; expired keys are purged."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from common.idempotency import purge_round
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

T0 = datetime(2026, 2, 3, 9, 0, tzinfo=UTC)
SAMTYCKE = {
    "givet_av": "vardnadshavare",
    "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
    "omfattning": ["informationsutbyte"],
    "giltigt_fran": "2026-02-03",
    "giltigt_till": "2026-12-31",
}


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    clock = FrozenClock(T0)
    case_app.state.clock = clock
    return clock


def _key(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


async def test_a_replay_with_another_enhets_token_is_refused_like_the_request_without_key(
    case_client: Any, token: TokenFactory, clock: FrozenClock
) -> None:
    bou1 = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    bou2 = bearer(token("handlaggare", sub="anna", enhet="bou-2"))
    first = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=bou1 | _key("k-1"))
    assert first.status_code == 201, first.text
    without_key = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=bou2)
    replay = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=bou2 | _key("k-1"))
    assert_problem(without_key, 403)
    assert_problem(replay, 403)
    assert "Idempotent-Replayed" not in replay.headers
    assert first.json()["id"] not in replay.text
    # The same caller still gets the replay.
    again = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=bou1 | _key("k-1"))
    assert again.headers["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]


async def test_a_samtycke_key_is_bound_to_the_person_in_the_path(
    case_client: Any, token: TokenFactory, clock: FrozenClock
) -> None:
    anna = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    personer = []
    for pnr in ("201503142380", "201212121212"):
        body = ANMALAN | {"barn": {"personnummer": pnr}}
        akt = (await case_client.post("/v1/aktualiseringar", json=body, headers=anna)).json()
        arende = (await case_client.get(f"/v1/arenden/{akt['arende_id']}", headers=anna)).json()
        personer.append(arende["barn"]["id"])
    a, b = personer
    for_a = await case_client.post(f"/v1/personer/{a}/samtycken", json=SAMTYCKE, headers=anna | _key("s-1"))
    for_b = await case_client.post(f"/v1/personer/{b}/samtycken", json=SAMTYCKE, headers=anna | _key("s-1"))
    assert for_a.status_code == for_b.status_code == 201, for_b.text
    assert "Idempotent-Replayed" not in for_b.headers
    assert for_b.json()["person_id"] == b and for_b.json()["id"] != for_a.json()["id"]
    listed = (await case_client.get(f"/v1/personer/{b}/samtycken", headers=anna)).json()
    assert [s["id"] for s in listed] == [for_b.json()["id"]]


async def test_keys_expire_and_are_purged(
    case_app: Any, case_client: Any, token: TokenFactory, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    ttl = timedelta(hours=case_app.state.settings.idempotency_key_ttl_hours)
    anna = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    first = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=anna | _key("e-1"))
    assert first.status_code == 201
    clock.set(T0 + ttl - timedelta(minutes=1))
    replay = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=anna | _key("e-1"))
    assert replay.headers.get("Idempotent-Replayed") == "true"
    other = await case_client.post(
        "/v1/aktualiseringar", json=ANMALAN | {"beskrivning": "x"}, headers=anna | _key("e-1")
    )
    assert_problem(other, 422, "idempotency-key-reused")

    clock.set(T0 + ttl + timedelta(minutes=1))
    # Expired: the key is new again, with any body.
    fresh = await case_client.post(
        "/v1/aktualiseringar", json=ANMALAN | {"beskrivning": "Nytt."}, headers=anna | _key("e-1")
    )
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    # A second key, made now, outlives the purge of everything older than the TTL.
    await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=anna | _key("e-2"))
    old = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=anna | _key("e-old"))
    await case_conn.execute(
        text("UPDATE idempotency_key SET created_at = :t WHERE key = 'e-old'"), {"t": T0 - ttl}
    )
    assert old.status_code == 201

    purged = await purge_round(case_app.state.session_factory, before=clock() - ttl, limit=1)
    assert purged == 1
    left = (await case_conn.execute(text("SELECT key FROM idempotency_key ORDER BY key"))).scalars().all()
    assert left == ["e-1", "e-2"]
