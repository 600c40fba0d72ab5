"""A pool with no free connection answers 503 problem+json with Retry-After, quickly."""

import time

from case_api.main import create_app
from case_api.settings import Settings
from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.conftest import TokenFactory, asgi_client


async def test_pool_exhaustion_answers_503_with_retry_after(
    committed_case_db: ServiceDatabase, case_settings: Settings, token: TokenFactory
) -> None:
    settings = case_settings.model_copy(update={"retry_after_seconds": 7})
    engine = make_engine(committed_case_db.app_url, pool_size=1, max_overflow=0, pool_timeout=0.3)
    app = create_app(settings, engine=engine)
    headers = {"Authorization": f"Bearer {token('handlaggare', enhet='bou-1')}"}
    try:
        async with asgi_client(app) as client:
            assert (await client.get("/v1/arenden", headers=headers)).status_code == 200
            async with engine.connect() as held:  # the pool's only connection
                await held.exec_driver_sql("select 1")
                started = time.monotonic()
                refused = await client.get("/v1/arenden", headers=headers)
                waited = time.monotonic() - started
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["retry-after"] == "7"
            assert refused.json()["type"] == "urn:handlaggning:problem:unavailable"
            assert waited < 5, "the request queued instead of failing fast"
            # The connection is back: the next request is served again.
            assert (await client.get("/v1/arenden", headers=headers)).status_code == 200
    finally:
        await engine.dispose()
