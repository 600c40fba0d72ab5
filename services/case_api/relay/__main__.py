"""`python -m case_api.relay`: the outbox relay as its own process (any number of replicas)."""

import asyncio
import contextlib

import httpx

from case_api.relay.worker import listen_dsn, run_relay
from case_api.settings import get_settings
from common.clock import system_clock
from common.db import make_engine, make_session_factory
from common.logging import configure_logging
from common.shutdown import Shutdown, on_signals


async def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    if not settings.database_url:
        raise SystemExit("DATABASE_URL is required for a separate relay process")
    engine = make_engine(settings.database_url, pool_size=2, max_overflow=2)
    # SIGTERM: finish or release what the relay holds within SHUTDOWN_GRACE_SECONDS, then exit.
    shutdown = Shutdown(settings.shutdown_grace_seconds)
    on_signals(shutdown)
    try:
        async with httpx.AsyncClient() as http:
            await run_relay(
                make_session_factory(engine),
                http,
                settings,
                system_clock,
                dsn=listen_dsn(engine),
                shutdown=shutdown,
            )
    finally:
        await engine.dispose()


if __name__ == "__main__":
    with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
        asyncio.run(main())
