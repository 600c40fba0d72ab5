"""Thin loops over the fan-out and delivery functions, started with the app."""

import asyncio
import contextlib

import asyncpg
import structlog
from fastapi import FastAPI

from notifier.inbox.service import WAKE_CHANNEL
from notifier.leveranser import service as leverans_service
from notifier.settings import Settings

log = structlog.get_logger(__name__)


async def _listen(app: FastAPI, wake: asyncio.Event) -> None:
    """LISTEN for new inbox rows; without it the loop still polls."""
    url = app.state.engine.url.render_as_string(hide_password=False)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.add_listener(WAKE_CHANNEL, lambda *_: wake.set())
        await asyncio.Event().wait()
    finally:
        await connection.close()


async def fan_out_worker(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    wake = asyncio.Event()
    listener = asyncio.create_task(_listen(app, wake))
    try:
        while True:
            try:
                while await leverans_service.fan_out(app.state.session_factory, app.state.clock):
                    pass
            except Exception:
                log.exception("fan_out_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=settings.poll_sekunder)
            wake.clear()
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener


async def delivery_worker(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        try:
            attempted = await leverans_service.deliver_due(
                app.state.session_factory, app.state.clock, settings
            )
        except Exception:
            log.exception("deliver_due_failed")
            attempted = 0
        if not attempted:
            await asyncio.sleep(settings.poll_sekunder / 4)
