"""The relay loop: a thin driver around service.relay_batch, woken by NOTIFY, polling as fallback."""

import asyncio
import contextlib
from typing import TYPE_CHECKING

import asyncpg
import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from case_api.relay import delivery
from case_api.relay import repository as relay_repository
from case_api.relay import service as relay_service
from case_api.settings import Settings
from common.clock import Clock
from common.shutdown import Shutdown, first_of, never
from common.shutdown import of_app as shutdown_of

if TYPE_CHECKING:
    from case_api.metrics import CaseMetrics

log = structlog.get_logger(__name__)

CHANNEL = "outbox"
_ERROR_PAUSE_SECONDS = 1.0


def listen_dsn(engine: AsyncEngine) -> str:
    return make_url(engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _listen(dsn: str, wake: asyncio.Event, retry_seconds: float) -> None:
    """Keep one LISTEN connection open; on loss, reconnect and wake (a notice may be lost)."""
    while True:
        conn: asyncpg.Connection | None = None
        try:
            conn = await asyncpg.connect(dsn)
            closed = asyncio.Event()
            conn.add_termination_listener(lambda _c, closed=closed: closed.set())
            await conn.add_listener(CHANNEL, lambda *_args: wake.set())
            wake.set()
            await closed.wait()
            log.warning("relay_listen_connection_lost")
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("relay_listen_failed", error=type(exc).__name__)
        finally:
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close()
        await asyncio.sleep(retry_seconds)


async def run_relay(
    session_factory: async_sessionmaker[AsyncSession],
    http_client: httpx.AsyncClient,
    settings: Settings,
    clock: Clock,
    *,
    dsn: str | None,
    shutdown: Shutdown | None = None,
    metrics: "CaseMetrics | None" = None,
) -> None:
    """Run until `shutdown` is requested (or cancelled). `dsn` None (or RELAY_LISTEN=false)
    polls only. On the way out every lease this relay still holds is released, so another
    relay sends those events at once instead of after RELAY_LEASE_SECONDS."""
    shutdown = shutdown or never()
    owner = relay_service.relay_owner()
    tokens = delivery.TokenSource(settings)
    breaker = relay_service.new_breaker(settings)
    wake = asyncio.Event()
    listener = (
        asyncio.create_task(_listen(dsn, wake, min(settings.relay_poll_seconds, 1.0)), name="relay_listen")
        if dsn and settings.relay_listen
        else None
    )
    log.info("relay_started", owner=owner, listen=listener is not None)
    try:
        while not shutdown.requested:
            # Cleared before the batch, so a commit notified during the batch runs the next one.
            wake.clear()
            try:
                claimed = await relay_service.relay_batch(
                    session_factory,
                    http_client,
                    settings,
                    clock,
                    owner=owner,
                    tokens=tokens,
                    breaker=breaker,
                    shutdown=shutdown,
                    metrics=metrics,
                )
            except Exception:
                log.exception("relay_batch_failed")
                _count_round(metrics, "failed")
                await shutdown.wait(_ERROR_PAUSE_SECONDS)
                continue
            paused = not claimed and not breaker.allows(clock())
            _count_round(metrics, "sent" if claimed else "paused" if paused else "idle")
            if claimed:
                continue
            if paused:
                # The notifier is down: no commit's NOTIFY makes it come back sooner.
                await shutdown.wait(breaker.seconds_left(clock()))
                continue
            await first_of(wake.wait(), shutdown.requested_event(), seconds=settings.relay_poll_seconds)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        # Shielded: a cancelled relay (a second SIGTERM, the app's own cancel) still lets go.
        await asyncio.shield(_release_all(session_factory, owner))
        log.info("relay_stopped", owner=owner)


async def _release_all(session_factory: async_sessionmaker[AsyncSession], owner: str) -> None:
    try:
        async with session_factory() as session, session.begin():
            released = await relay_repository.release(session, owner=owner)
    except Exception as exc:  # the database is gone: the leases simply run out
        log.warning("relay_release_failed", error_type=type(exc).__name__)
        return
    if released:
        log.info("relay_leases_released", count=released, owner=owner)


def _count_round(metrics: "CaseMetrics | None", outcome: str) -> None:
    if metrics is not None:
        metrics.relay_rounds.labels(outcome).inc()


async def relay_worker(app: FastAPI) -> None:
    """The app's background worker (case_api.main WORKERS)."""
    settings: Settings = app.state.settings
    clock: Clock = app.state.clock
    async with httpx.AsyncClient() as http:
        await run_relay(
            app.state.session_factory,
            http,
            settings,
            clock,
            dsn=listen_dsn(app.state.engine),
            shutdown=shutdown_of(app),
            metrics=app.state.metrics,
        )
