"""Thin loops over the fan-out and delivery functions, started with the app."""

import asyncio
import contextlib
import uuid

import asyncpg
import structlog
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.shutdown import first_of
from common.shutdown import of_app as shutdown_of
from notifier.inbox.service import WAKE_CHANNEL
from notifier.leveranser import repository as leverans_repository
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
    shutdown = shutdown_of(app)
    wake = asyncio.Event()
    listener = asyncio.create_task(_listen(app, wake))
    try:
        while not shutdown.requested:
            try:
                while not shutdown.requested and await leverans_service.fan_out(
                    app.state.session_factory, app.state.clock
                ):
                    pass
            except Exception:
                log.exception("fan_out_failed")
            await first_of(wake.wait(), shutdown.requested_event(), seconds=settings.poll_sekunder)
            wake.clear()
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener


# A send and what it holds: its delivery and the claim's lease token.
InFlight = dict[asyncio.Task[leverans_service.Outcome], tuple[uuid.UUID, uuid.UUID]]


async def delivery_worker(app: FastAPI) -> None:
    """Keep up to `samtidiga_leveranser` sends going; claim more as soon as any one finishes.

    Nothing waits for a batch's slowest send: a receiver that hangs until the timeout holds only
    its own subscription's slots (the claim caps those), while every other subscription's
    deliveries and retries go out as they fall due.

    On a stop (SIGTERM) it claims nothing more, gives the sends in flight SHUTDOWN_GRACE_SECONDS
    and releases the leases of those it cuts off, so another worker sends them at once rather
    than after NOTIFIER_LEASE_SEKUNDER.
    """
    settings: Settings = app.state.settings
    session_factory = app.state.session_factory
    clock = app.state.clock
    metrics: NotifierMetrics = app.state.metrics
    shutdown = shutdown_of(app)
    in_flight: InFlight = {}
    idle = settings.poll_sekunder / 4
    async with leverans_service.http_client(settings) as http:
        try:
            while not shutdown.requested:
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
                        task = asyncio.create_task(
                            leverans_service.attempt(
                                session_factory, w, token=token, client=http, clock=clock, settings=settings
                            )
                        )
                        in_flight[task] = (w.leverans_id, token)
                if claimed and len(in_flight) < settings.samtidiga_leveranser:
                    continue  # more may be due right now
                if not in_flight:
                    await shutdown.wait(idle)
                    continue
                # Wake when a send finishes (a slot is free, an ärende's next event may be due),
                # on a stop, or after the poll interval, for deliveries that fell due meanwhile.
                await first_of(
                    asyncio.wait(list(in_flight), return_when=asyncio.FIRST_COMPLETED),
                    shutdown.requested_event(),
                    seconds=idle,
                )
                _forget_finished(in_flight, metrics)
            await shutdown.finish(list(in_flight))
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            # Shielded: a worker cancelled outright still lets go of what it holds.
            await asyncio.shield(_release_cut(session_factory, in_flight))


def _forget_finished(in_flight: InFlight, metrics: NotifierMetrics) -> None:
    for task in [t for t in in_flight if t.done()]:
        del in_flight[task]
        if task.cancelled():
            continue
        if task.exception() is not None:
            log.error("deliver_record_failed", error_type=type(task.exception()).__name__)
        else:
            metrics.attempts.labels(task.result().result).inc()


async def _release_cut(session_factory: async_sessionmaker[AsyncSession], in_flight: InFlight) -> None:
    """Release the leases of sends that never recorded an outcome (cut off, or failed)."""
    held = [key for task, key in in_flight.items() if task.cancelled() or task.exception() is not None]
    if not held:
        return
    try:
        async with session_factory() as session, session.begin():
            released = await leverans_repository.release(
                session, ids=[i for i, _ in held], tokens=list({t for _, t in held})
            )
    except Exception as exc:  # the database is gone: the leases simply run out
        log.warning("deliver_release_failed", error_type=type(exc).__name__)
        return
    log.info("deliver_leases_released", count=released)
