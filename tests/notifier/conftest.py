"""Fixtures: the notifier as a real server (uvicorn in this process, on a free port), a webhook
receiver and an SMTP server (aiosmtpd), for tests that go over real HTTP and SMTP."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.routing import Route

from common.clock import FrozenClock
from common.db import make_engine, make_session_factory
from notifier.main import create_app
from notifier.settings import Settings
from tests.notifier.support import Live, Mailbox, Receiver, serve, stop
from tests.servers import free_port


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
    server, task, base = await serve(app)
    hook.url = f"{base}/hook"
    yield hook
    await stop(server, task)


@pytest.fixture
def smtp() -> Any:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
async def live(committed_notifier_db, test_data_dir, token, smtp) -> AsyncIterator[Live]:  # type: ignore[no-untyped-def]
    settings = Settings(
        DATA_DIR=test_data_dir,
        NOTIFIER_RUN_WORKERS=False,
        LOG_JSON=True,
        NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"],
        NOTIFIER_MAX_FORSOK=3,
        NOTIFIER_SMTP_HOST="127.0.0.1",
        NOTIFIER_SMTP_PORT=smtp.port,
        NOTIFIER_EPOST_FRAN="bevakning@kommun.example",
        NOTIFIER_ARENDE_URL_MALL="https://front.example/arenden/{arende_id}",
    )
    engine = make_engine(committed_notifier_db.app_url, pool_size=5)
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    app = create_app(settings, engine=engine, clock=clock)
    server, task, base = await serve(app)
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield Live(base, settings, clock, make_session_factory(engine), client, token)
    await stop(server, task)
    await engine.dispose()
