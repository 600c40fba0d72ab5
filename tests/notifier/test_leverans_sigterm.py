"""A notifier process sent SIGTERM while its deliveries hang: it exits within the grace and
releases their leases, so the next worker sends them at once instead of after the lease."""

import asyncio
import signal
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.routing import Route

from common.clock import FrozenClock
from common.db import make_engine
from notifier.main import create_app
from notifier.settings import Settings
from tests.conftest import asgi_client
from tests.notifier.support import Live, cloudevent, send_event, serve, stop
from tests.notifier.test_leverans_krasch import HangingReceiver, notifier_process, wait_until

pytestmark = pytest.mark.slow

GRACE = 1.5
EVENTS = 6


async def test_sigterm_releases_the_leases_of_hanging_sends(
    committed_notifier_db, test_data_dir, token
) -> None:  # type: ignore[no-untyped-def]
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
        "NOTIFIER_LEVERANS_TIMEOUT_SEKUNDER": "50",
        "NOTIFIER_LEASE_SEKUNDER": "60",
        "NOTIFIER_POLL_SEKUNDER": "0.2",
        "NOTIFIER_SAMTIDIGA_PER_PRENUMERATION": str(EVENTS),
        "SHUTDOWN_GRACE_SECONDS": str(GRACE),
    }

    async def scalar(sql: str) -> int:
        async with engine.connect() as conn:
            return int((await conn.execute(text(sql))).scalar_one())

    try:
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
            for _ in range(EVENTS):
                event = cloudevent(
                    type_="se.socialtjanst.beslut.fattat",
                    arende=str(uuid.uuid4()),
                    sekvens=1,
                    data={"haeng": True},
                )
                assert (await send_event(live, event)).status_code == 202

        leased = "SELECT count(*) FROM leverans WHERE lease_token IS NOT NULL"
        async with notifier_process(env) as (process, _base):

            async def all_hanging() -> bool:
                return len(hook.received) == EVENTS and await scalar(leased) == EVENTS

            await wait_until(all_hanging, 30, "every delivery leased and hanging at the receiver")
            started = asyncio.get_running_loop().time()
            process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(process.wait, GRACE + 10)
            took = asyncio.get_running_loop().time() - started
            assert code in (0, -signal.SIGTERM), code  # uvicorn re-raises the signal it handled
            assert took < GRACE + 3, f"took {took:.1f} s to exit"
        assert await scalar(leased) == 0
        # Cut off unanswered: no attempt recorded or counted, so none is charged to the receiver.
        assert await scalar("SELECT count(*) FROM leveransforsok") == 0
        assert await scalar("SELECT max(forsok) FROM leverans") == 0

        hook.hang = False
        async with notifier_process(env):

            async def all_delivered() -> bool:
                return await scalar("SELECT count(*) FROM leverans WHERE status = 'levererad'") == EVENTS

            # Well inside the 60 s lease the stopped worker had taken.
            await wait_until(all_delivered, 10, "every delivery sent by the next worker")
    finally:
        hook.release()
        await stop(server, task)
        await engine.dispose()
