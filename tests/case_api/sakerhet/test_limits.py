"""Issue 11 item 5: body and header caps answered early (also before the token is checked),
slow bodies timed out, and a per-caller rate limit with 429 and Retry-After."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from case_api.main import create_app
from case_api.settings import Settings
from common.limits import RateLimiter, TooManyRequests
from tests.conftest import TokenFactory, asgi_client
from tests.helpers import assert_problem, bearer


def _app(case_settings: Settings, case_engine: Any, **update: Any) -> Any:
    return create_app(case_settings.model_copy(update=update), engine=case_engine)


class Chunks:
    """A request body of `count` chunks, counting how many the server pulled."""

    def __init__(self, count: int, size: int, pause: float = 0.0) -> None:
        self.count, self.size, self.pause, self.sent = count, size, pause, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            if self.pause:
                await asyncio.sleep(self.pause)
            self.sent += 1
            yield b"x" * self.size


async def test_a_large_body_is_413_before_it_is_read_and_before_the_401(case_client: Any) -> None:
    body = Chunks(100, 1024 * 1024)  # 100 MB announced
    response = await case_client.post(
        "/v1/aktualiseringar", content=body, headers={"Content-Length": str(100 * 1024 * 1024)}
    )
    assert_problem(response, 413, "content-too-large")
    assert body.sent <= 1, body.sent


async def test_a_chunked_body_is_read_only_up_to_the_cap(case_client: Any, token: TokenFactory) -> None:
    body = Chunks(100, 64 * 1024)  # 6.4 MB without a Content-Length
    response = await case_client.post(
        "/v1/aktualiseringar", content=body, headers=bearer(token("handlaggare"))
    )
    assert_problem(response, 413, "content-too-large")
    assert body.sent <= 1024 * 1024 // (64 * 1024) + 2, body.sent


async def test_large_headers_are_431(case_client: Any, token: TokenFactory) -> None:
    response = await case_client.get("/v1/arenden", headers={"X-Padding": "a" * 20_000})
    assert_problem(response, 431, "headers-too-large")
    ok = await case_client.get(
        "/v1/arenden", headers=bearer(token("handlaggare")) | {"X-Padding": "a" * 1000}
    )
    assert ok.status_code == 200


async def test_a_slow_body_times_out(case_settings: Settings, case_engine: Any, token: TokenFactory) -> None:
    app = _app(case_settings, case_engine, body_timeout_seconds=0.3)
    body = Chunks(10, 10, pause=0.2)
    async with asgi_client(app) as client:
        started = time.monotonic()
        response = await client.post(
            "/v1/aktualiseringar", content=body, headers=bearer(token("handlaggare"))
        )
    assert_problem(response, 408, "request-timeout")
    assert time.monotonic() - started < 1.5


async def test_a_caller_over_the_rate_gets_429_with_retry_after(
    case_settings: Settings, case_engine: Any, token: TokenFactory
) -> None:
    app = _app(case_settings, case_engine, rate_limit_per_minute=60.0, rate_limit_burst=5)
    anna, bo = bearer(token("handlaggare", sub="anna")), bearer(token("handlaggare", sub="bo"))
    async with asgi_client(app) as client:
        statuses = [(await client.get("/v1/regler", headers=anna)).status_code for _ in range(8)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429] * 3, statuses
        limited = await client.get("/v1/regler", headers=anna)
        assert_problem(limited, 429, "too-many-requests")
        assert int(limited.headers["Retry-After"]) >= 1
        # Another caller has a bucket of its own.
        assert (await client.get("/v1/regler", headers=bo)).status_code == 200


def test_the_bucket_refills_and_splits_over_replicas() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=120, burst=4, replicas=2, monotonic=lambda: now[0])
    limiter.check("a")
    limiter.check("a")  # burst 4 over 2 replicas: 2 here
    with pytest.raises(TooManyRequests) as refused:
        limiter.check("a")
    assert refused.value.headers["Retry-After"] == "1"  # 120/min over 2 replicas: 1 a second
    now[0] = 1.0
    limiter.check("a")
    with pytest.raises(TooManyRequests):
        limiter.check("a")
