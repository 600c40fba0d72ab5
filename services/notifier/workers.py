"""Thin loops over the fan-out and delivery functions, started with the app."""

import asyncio
import contextlib

import asyncpg
import structlog
from fastapi import FastAPI

from notifier.inbox.service import WAKE_CHANNEL
from notifier.leveranser import service as leverans_service
from notifier.metrics import NotifierMetrics
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
    """Keep up to `samtidiga_leveranser` sends going; claim more as soon as any one finishes.

    Nothing waits for a batch's slowest send: a receiver that hangs until the timeout holds only
    its own subscription's slots (the claim caps those), while every other subscription's
    deliveries and retries go out as they fall due.
    """
    settings: Settings = app.state.settings
    session_factory = app.state.session_factory
    clock = app.state.clock
    metrics: NotifierMetrics = app.state.metrics
    in_flight: set[asyncio.Task[leverans_service.Outcome]] = set()
    idle = settings.poll_sekunder / 4
    async with leverans_service.http_client(settings) as http:
        try:
            while True:
                free = settings.samtidiga_leveranser - len(in_flight)
                claimed = 0
                if free > 0:
                    try:
                        token, work = await leverans_service.claim(
                            session_factory, clock, settings, limit=free
                        )
                    except Exception:
                        log.exception("deliver_claim_failed")
                        work = []
                    claimed = len(work)
                    for w in work:
                        in_flight.add(
                            asyncio.create_task(
                                leverans_service.attempt(
                                    session_factory,
                                    w,
                                    token=token,
                                    client=http,
                                    clock=clock,
                                    settings=settings,
                                )
                            )
                        )
                if claimed and len(in_flight) < settings.samtidiga_leveranser:
                    continue  # more may be due right now
                if not in_flight:
                    await asyncio.sleep(idle)
                    continue
                # Wake when a send finishes (a slot is free, an ärende's next event may be due)
                # or after the poll interval, for deliveries that fell due meanwhile.
                done, _ = await asyncio.wait(in_flight, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    in_flight.discard(task)
                    if task.cancelled():
                        continue
                    if task.exception() is not None:
                        log.error("deliver_record_failed", error_type=type(task.exception()).__name__)
                    else:
                        metrics.attempts.labels(task.result().result).inc()
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
