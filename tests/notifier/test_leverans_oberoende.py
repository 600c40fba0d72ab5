"""A receiver that takes 2.5 s per answer cannot slow another subscription's deliveries, and
holds no more connections than the per-subscription cap (real HTTP, the real delivery worker).

(It answers before the timeout so that its own count of open requests is exact: the request
that ends is counted out before its answer leaves, so before the notifier can claim another.)"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from common.clock import system_clock
from common.db import make_engine
from notifier.main import create_app
from notifier.settings import Settings
from tests.notifier.support import Live, cloudevent, send_event, serve, stop

EVENTS = 12
CAP = 2


class Receiver:
    def __init__(self, *, hang_seconds: float = 0.0) -> None:
        self.hang_seconds = hang_seconds
        self.arrived: dict[str, float] = {}  # event id -> when it arrived (monotonic)
        self.open = 0
        self.most_open = 0

    async def handle(self, request: Request) -> Response:
        body = await request.json()
        self.arrived.setdefault(body["id"], time.monotonic())
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await asyncio.sleep(self.hang_seconds)
        finally:
            self.open -= 1
        return Response(status_code=200)


@pytest.fixture
async def running(committed_notifier_db, test_data_dir, token) -> AsyncIterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    settings = Settings(
        DATA_DIR=test_data_dir,
        LOG_JSON=True,
        NOTIFIER_RUN_WORKERS=True,
        NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"],
        NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER=4,
        NOTIFIER_LEASE_SEKUNDER=10,
        NOTIFIER_POLL_SEKUNDER=0.2,
        NOTIFIER_SAMTIDIGA_PER_PRENUMERATION=CAP,
    )
    engine = make_engine(committed_notifier_db.app_url, pool_size=10)
    app = create_app(settings, engine=engine, clock=system_clock)
    hanging, healthy = Receiver(hang_seconds=2.5), Receiver()
    servers = [
        await serve(Starlette(routes=[Route("/hook", r.handle, methods=["POST"])]))
        for r in (hanging, healthy)
    ]
    notifier = await serve(app)
    async with httpx.AsyncClient(base_url=notifier[2], timeout=10) as client:
        live = Live(notifier[2], settings, None, None, client, token)  # type: ignore[arg-type]
        for _server, _task, base in servers:
            created = await client.post(
                "/v1/prenumerationer",
                json={"kind": "webhook", "url": f"{base}/hook", "event_typer": ["se.socialtjanst.*"]},
                headers=live.system(),
            )
            assert created.status_code == 201, created.text
        yield {"live": live, "hanging": hanging, "healthy": healthy}
    await stop(notifier[0], notifier[1])
    for server, task, _base in servers:
        server.force_exit = True
        await stop(server, task)
    await engine.dispose()


async def test_hanging_receiver_does_not_delay_a_healthy_one(running) -> None:  # type: ignore[no-untyped-def]
    live, hanging, healthy = running["live"], running["hanging"], running["healthy"]
    sent: dict[str, float] = {}
    for _ in range(EVENTS):
        event = cloudevent(
            type_="se.socialtjanst.beslut.fattat",
            arende=str(uuid.uuid4()),
            sekvens=1,
            data={"at": datetime.now(UTC).isoformat()},
        )
        assert (await send_event(live, event)).status_code == 202
        sent[event["id"]] = time.monotonic()
        await asyncio.sleep(0.15)
    deadline = time.monotonic() + 10
    while len(healthy.arrived) < EVENTS and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert set(healthy.arrived) == set(sent)
    delays = sorted(healthy.arrived[i] - sent[i] for i in sent)
    # Old behaviour: the batch waited for the slow receiver's 2.5 s before claiming more.
    assert delays[-1] < 1.5, delays
    # The hanging receiver never saw more connections at once than the cap.
    assert 0 < hanging.most_open <= CAP
