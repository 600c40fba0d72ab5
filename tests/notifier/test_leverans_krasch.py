"""A notifier process SIGKILLed mid-batch: every POST a receiver answered has its attempt on
record, and after a restart only the attempts that were in flight at the kill are sent again.

The batch holds one delivery to a receiver that never answers and twenty that answer at once;
the kill comes after the twenty were answered and while the one still hangs.
"""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from common.clock import FrozenClock
from common.db import make_engine
from notifier.main import create_app
from notifier.settings import Settings
from tests.conftest import asgi_client
from tests.notifier.support import Live, cloudevent, send_event, serve, stop
from tests.servers import free_port

pytestmark = pytest.mark.slow

FAST = 20


class HangingReceiver:
    """Answers 200 at once, except to events whose data says `haeng`: those it holds open."""

    def __init__(self) -> None:
        self.answered: list[str] = []  # webhook-id of every POST answered
        self.received: list[str] = []
        self.hang = True
        self._forever = asyncio.Event()

    def release(self) -> None:
        self._forever.set()

    async def handle(self, request: Request) -> Response:
        body = await request.json()
        msg_id = request.headers["webhook-id"]
        self.received.append(msg_id)
        if body["data"].get("haeng") and self.hang:
            await self._forever.wait()
        self.answered.append(msg_id)
        return Response(status_code=200)


@asynccontextmanager
async def notifier_process(env: dict[str, str]) -> AsyncIterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "notifier.main:create_app", "--port", str(port)],
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{base}/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, "the notifier exited at start"
                await asyncio.sleep(0.1)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


async def wait_until(predicate: Any, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        await asyncio.sleep(0.05)


async def test_sigkill_mid_batch_loses_no_attempt_record(committed_notifier_db, test_data_dir, token) -> None:  # type: ignore[no-untyped-def]
    hook = HangingReceiver()
    server, task, receiver_base = await serve(
        Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
    )
    engine = make_engine(committed_notifier_db.app_url, pool_size=2)
    env = {
        "DATA_DIR": str(test_data_dir),
        "LOG_LEVEL": "WARNING",
        "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url,
        "NOTIFIER_TILLATNA_WEBHOOK_VARDAR": '["127.0.0.1:*"]',
        "NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER": "8",
        "NOTIFIER_LEASE_SEKUNDER": "9",
        "NOTIFIER_POLL_SEKUNDER": "0.2",
    }
    try:
        # The events are stored and the subscription made with no workers running, so the first
        # fan-out turns all 21 into deliveries in one transaction and the first claim takes them all.
        settings = Settings(
            DATA_DIR=test_data_dir,
            NOTIFIER_RUN_WORKERS=False,
            LOG_JSON=True,
            NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"],
        )
        app = create_app(settings, engine=engine, clock=FrozenClock(datetime.now(UTC)))
        async with asgi_client(app) as client:
            live = Live("", settings, FrozenClock(datetime.now(UTC)), None, client, token)
            created = await client.post(
                "/v1/prenumerationer",
                json={
                    "kind": "webhook",
                    "url": f"{receiver_base}/hook",
                    "event_typer": ["se.socialtjanst.*"],
                },
                headers=live.system(),
            )
            assert created.status_code == 201, created.text
            for i in range(FAST + 1):
                event = cloudevent(
                    type_="se.socialtjanst.beslut.fattat",
                    arende=str(uuid.uuid4()),
                    sekvens=1,
                    data={"haeng": i == 0},
                )
                assert (await send_event(live, event)).status_code == 202

        async def attempts() -> dict[str, int]:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT leverans_id, count(*) AS n FROM leveransforsok GROUP BY leverans_id")
                )
                return {str(r.leverans_id): r.n for r in rows}

        async with notifier_process(env) as (process, _base):

            async def fast_answered() -> bool:
                return len(hook.answered) >= FAST and len(hook.received) == FAST + 1

            await wait_until(fast_answered, 30, "the fast receivers answered")
            await asyncio.sleep(1.0)  # time to record what was answered; the hanging one stays open
            process.send_signal(signal.SIGKILL)
            assert process.wait() == -signal.SIGKILL
        recorded = await attempts()
        in_flight = set(hook.received) - set(hook.answered)
        assert len(in_flight) == 1
        assert set(hook.answered) <= set(recorded), "answered POSTs without an attempt on record"
        assert not in_flight & set(recorded)

        # A restart delivers what was in flight (once its lease ran out), and nothing else again.
        hook.hang = False
        async with notifier_process(env):

            async def all_recorded() -> bool:
                return len(await attempts()) == FAST + 1

            await wait_until(all_recorded, 40, "every delivery recorded after the restart")
        repeats = {msg_id for msg_id, n in Counter(hook.received).items() if n > 1}
        assert repeats == in_flight
    finally:
        hook.release()
        await stop(server, task)
        await engine.dispose()
