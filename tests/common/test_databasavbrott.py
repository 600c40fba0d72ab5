"""A database outage, for real: the services reach PostgreSQL through a TCP proxy that the test
cuts off (connections refused, open ones aborted) and restores (issue 12 item 3).

During the outage readiness answers 503, liveness 200, and every API call 503 problem+json with
Retry-After (never a 500); afterwards the same process serves again, with no restart. A write
whose COMMIT reached the server but whose answer was lost answers 503 too, and the retry with
the same Idempotency-Key finds the object that was written.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from case_api.main import create_app as create_case_app
from common.db import make_engine
from notifier.main import create_app as create_notifier_app
from tests.case_api.flow import ANMALAN
from tests.conftest import asgi_client
from tests.dbproxy import DbProxy, db_proxy
from tests.helpers import assert_problem, bearer


@pytest.fixture
async def cut_off(admin_url: str) -> AsyncIterator[DbProxy]:
    async with db_proxy(admin_url) as proxy:
        yield proxy


def assert_unavailable(response: httpx.Response) -> None:
    body = assert_problem(response, 503, "unavailable")
    assert int(response.headers["retry-after"]) >= 1
    assert "Traceback" not in response.text and "asyncpg" not in response.text
    assert body["request_id"]


async def test_case_api_during_and_after_an_outage(
    cut_off: DbProxy, committed_case_db, case_settings, token
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(cut_off.url_for(committed_case_db.app_url), pool_size=2, max_overflow=0)
    app = create_case_app(case_settings, engine=engine)
    handlaggare = bearer(token("handlaggare", enhet="bou-1"))
    anmalan = ANMALAN | {"inkom": "2026-03-10T09:00:00+01:00"}
    try:
        async with asgi_client(app) as client:
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/v1/arenden", headers=handlaggare)).status_code == 200

            await cut_off.cut()
            for _ in range(3):  # the pooled connections die first, then connecting is refused
                ready = await client.get("/health/ready")
                assert ready.status_code == 503, ready.text
                assert ready.json() == {"status": "unavailable", "database": "unreachable"}
                assert (await client.get("/health/live")).status_code == 200
                assert_unavailable(await client.get("/v1/arenden", headers=handlaggare))
                write = await client.post(
                    "/v1/aktualiseringar",
                    json=anmalan,
                    headers=handlaggare | {"Idempotency-Key": "avbrott-1"},
                )
                assert_unavailable(write)

            await cut_off.restore()
            # The same process recovers: no restart, no stale connection answering 500.
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/v1/arenden", headers=handlaggare)).status_code == 200
            created = await client.post(
                "/v1/aktualiseringar", json=anmalan, headers=handlaggare | {"Idempotency-Key": "avbrott-1"}
            )
            assert created.status_code == 201, created.text
    finally:
        await engine.dispose()


async def test_a_commit_whose_answer_is_lost_is_503_and_the_retry_tells_the_truth(
    cut_off: DbProxy, committed_case_db, case_settings, token
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(cut_off.url_for(committed_case_db.app_url), pool_size=2, max_overflow=0)
    app = create_case_app(case_settings, engine=engine)
    handlaggare = bearer(token("handlaggare", enhet="bou-1")) | {"Idempotency-Key": "okand-utgang"}
    anmalan = ANMALAN | {"inkom": "2026-03-10T09:00:00+01:00", "beskrivning": "Skrivs vid avbrottet."}
    try:
        async with asgi_client(app) as client:
            assert (await client.get("/v1/arenden", headers=handlaggare)).status_code == 200
            cut_off.commit_armed = True
            lost = await client.post("/v1/aktualiseringar", json=anmalan, headers=handlaggare)
            assert cut_off.commits_cut == 1
            assert_unavailable(lost)
            # It was written: the retry with the key replays it instead of creating a second.
            retry = await client.post("/v1/aktualiseringar", json=anmalan, headers=handlaggare)
            assert retry.status_code == 201, retry.text
            assert retry.headers.get("idempotent-replayed") == "true"
        owner = make_engine(committed_case_db.owner_url, pool_size=1)
        try:
            async with owner.connect() as conn:
                count = (
                    await conn.execute(
                        text("SELECT count(*) FROM aktualisering WHERE beskrivning = :b"),
                        {"b": anmalan["beskrivning"]},
                    )
                ).scalar_one()
            assert count == 1
        finally:
            await owner.dispose()
    finally:
        await engine.dispose()


async def test_notifier_during_and_after_an_outage(
    cut_off: DbProxy, committed_notifier_db, notifier_settings, token
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(cut_off.url_for(committed_notifier_db.app_url), pool_size=2, max_overflow=0)
    app = create_notifier_app(notifier_settings, engine=engine)
    system: dict[str, Any] = bearer(token("system", sub="drift", scope="leveranser:hantera"))
    try:
        async with asgi_client(app) as client:
            assert (await client.get("/v1/leveranser", headers=system)).status_code == 200
            await cut_off.cut()
            for _ in range(2):
                assert (await client.get("/health/ready")).status_code == 503
                assert (await client.get("/health/live")).status_code == 200
                assert_unavailable(await client.get("/v1/leveranser", headers=system))
            await cut_off.restore()
            assert (await client.get("/health/ready")).status_code == 200
            assert (await client.get("/v1/leveranser", headers=system)).status_code == 200
    finally:
        await engine.dispose()
