"""SIGTERM to real processes: a relay (`python -m case_api.relay`) and the case_api app with its
workers (relay, sweep, audit sealer) give back what they hold and exit within the grace.

The notifier stand-in holds every request open, so the relay's leases stay held (60 s lease);
after the SIGTERM another relay must send those events at once, not after the lease.
"""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from case_api.audit.sealer import SEALER_LOCK_KEY
from common.db import make_engine, make_session_factory
from common.serving import UVICORN_ARGS
from common.settings import CommonSettings
from tests.case_api.relay_support import Receiver, emit_events, running_receiver
from tests.servers import free_port

pytestmark = pytest.mark.slow

GRACE = 1.5
LEASE = 60
EVENTS = 12


def relay_env(db_url: str, notifier_url: str, data_dir: Path) -> dict[str, str]:
    return {
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": db_url,
        "NOTIFIER_URL": notifier_url,
        "RELAY_LEASE_SECONDS": str(LEASE),
        "RELAY_HTTP_TIMEOUT_SECONDS": str(LEASE - 5),
        "RELAY_POLL_SECONDS": "0.2",
        "RELAY_BATCH_SIZE": "50",
        "SHUTDOWN_GRACE_SECONDS": str(GRACE),
    }


@asynccontextmanager
async def process(*args: str, env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env={**os.environ, **env})
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def scalar(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql), params)).scalar_one())


async def until(engine: AsyncEngine, sql: str, want: int, seconds: float, **params: object) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while (value := await scalar(engine, sql, **params)) < want:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{sql!r} reached {value}, wanted {want} within {seconds} s")
        await asyncio.sleep(0.05)


LEASED_BY = "SELECT count(*) FROM outbox_delivery WHERE status = 'pending' AND lease_owner LIKE :owner"


async def sigterm_within_grace(proc: asyncio.subprocess.Process) -> float:
    started = asyncio.get_running_loop().time()
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(proc.wait(), GRACE + 10)
    took = asyncio.get_running_loop().time() - started
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly: -15, not 0.
    assert code in (0, -signal.SIGTERM), f"exit status {code}"
    # The grace, plus the release and the engine's dispose; never anything like the 60 s lease.
    assert took < GRACE + 3, f"took {took:.1f} s to exit"
    return took


async def picked_up_at_once(receiver: Receiver, env: dict[str, str], ids: list[uuid.UUID]) -> None:
    """Another relay delivers every event well inside the lease the stopped one had taken."""
    assert receiver.gate is not None
    receiver.gate.set()
    async with process("-m", "case_api.relay", env=env):
        deadline = asyncio.get_running_loop().time() + 10
        while not {str(i) for i in ids} <= set(receiver.stored):
            assert asyncio.get_running_loop().time() < deadline, "not picked up within 10 s"
            await asyncio.sleep(0.05)


async def test_sigterm_relay_releases_its_leases(committed_case_db, test_data_dir) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_case_db.app_url, pool_size=2)
    factory = make_session_factory(engine)
    try:
        async with running_receiver(CommonSettings(DATA_DIR=test_data_dir)) as receiver:
            receiver.gate = asyncio.Event()  # the notifier hangs: every send stays in flight
            env = relay_env(committed_case_db.app_url, receiver.url, test_data_dir)
            ids = [
                i
                for _ in range(EVENTS // 2)
                for i in await emit_events(factory, arende_id=uuid.uuid4(), count=2, at=datetime.now(UTC))
            ]
            async with process("-m", "case_api.relay", env=env) as relay:
                owner = f"%:{relay.pid}:%"
                # One event per ärende is claimable at a time (order): six leases held.
                await until(engine, LEASED_BY, EVENTS // 2, 20, owner=owner)
                await sigterm_within_grace(relay)
            assert await scalar(engine, LEASED_BY, owner=owner) == 0
            assert (
                await scalar(engine, "SELECT count(*) FROM outbox_delivery WHERE lease_until IS NOT NULL")
                == 0
            )
            # The cut-off attempt is given back: the notifier never answered it.
            assert await scalar(engine, "SELECT max(attempts) FROM outbox_delivery") == 0
            await picked_up_at_once(receiver, env, ids)
    finally:
        await engine.dispose()


def worker_command(kind: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The two ways the relay, sweep and sealer run: `case-api worker` (production) and inside
    the API process with CASE_API_RUN_WORKERS (make run). Both stop through common.app.running."""
    if kind == "case-api worker":
        return ["-m", "case_api.cli", "worker"], {"CASE_API_WORKER_PORT": str(port)}
    uvicorn = ["-m", "uvicorn", "--factory", "case_api.main:create_app", "--port", str(port), *UVICORN_ARGS]
    return uvicorn, {"CASE_API_RUN_WORKERS": "true"}


@pytest.mark.parametrize("kind", ["case-api worker", "api with workers"])
async def test_sigterm_worker_process_releases_relay_leases_and_the_sealer_lock(
    kind: str, committed_case_db, test_data_dir
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_case_db.app_url, pool_size=2)
    factory = make_session_factory(engine)
    sealer_locks = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND ((classid::bigint << 32) | objid::bigint) = :key"
    )
    try:
        async with running_receiver(CommonSettings(DATA_DIR=test_data_dir)) as receiver:
            receiver.gate = asyncio.Event()
            env = relay_env(committed_case_db.app_url, receiver.url, test_data_dir)
            ids = await emit_events(factory, arende_id=None, count=EVENTS, at=datetime.now(UTC))
            app_env = {**env, "CASE_API_RUN_WORKERS": "true", "AUDIT_SEAL_INTERVAL_SECONDS": "0.2"}
            port = free_port()
            args = [
                "-m",
                "uvicorn",
                "--factory",
                "case_api.main:create_app",
                "--port",
                str(port),
                *UVICORN_ARGS,
            ]
            async with process(*args, env=app_env) as app:
                owner = f"%:{app.pid}:%"
                await until(engine, LEASED_BY, EVENTS, 20, owner=owner)
                await until(engine, sealer_locks, 1, 20, key=SEALER_LOCK_KEY)
                await sigterm_within_grace(app)
            assert await scalar(engine, LEASED_BY, owner=owner) == 0
            # The sealer let go of its lock: a standby sealer can lead at once.
            assert await scalar(engine, sealer_locks, key=SEALER_LOCK_KEY) == 0
            await picked_up_at_once(receiver, env, ids)
    finally:
        await engine.dispose()
