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
from case_api.relay import service as relay_service
from case_api.settings import Settings
from common.clock import Clock

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
    metrics: "CaseMetrics | None" = None,
) -> None:
    """Run until cancelled. `dsn` None (or RELAY_LISTEN=false) polls only."""
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
        while True:
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
                    metrics=metrics,
                )
            except Exception:
                log.exception("relay_batch_failed")
                _count_round(metrics, "failed")
                await asyncio.sleep(_ERROR_PAUSE_SECONDS)
                continue
            paused = not claimed and not breaker.allows(clock())
            _count_round(metrics, "sent" if claimed else "paused" if paused else "idle")
            if claimed:
                continue
            if paused:
                # The notifier is down: no commit's NOTIFY makes it come back sooner.
                await asyncio.sleep(breaker.seconds_left(clock()))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=settings.relay_poll_seconds)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


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
            metrics=app.state.metrics,
        )
