"""End to end over real HTTP: relay processes (`python -m case_api.relay`) into the real notifier.

Two relay processes run at once while events keep committing; one is SIGKILLed while it has
deliveries in flight (leased, sent or being sent, not yet marked) and then restarted. Every
committed event must reach the notifier's inbox exactly once (repeats absorbed by its
(source, id) key) and, per ärende, in sekvens order.
"""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common.db import make_engine, make_session_factory
from tests.case_api.relay_support import emit_events
from tests.servers import running_service

pytestmark = pytest.mark.slow

ARENDEN = 8
PER_ARENDE = 40
LOOSE = 20
BUSY_ARENDEN = 4


async def keep_busy(factory, arenden: list[uuid.UUID], at: datetime, stop: asyncio.Event) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    """Commit a steady trickle of events until told to stop, so a relay always has work to lease
    when the test wants to kill it (a fast machine may otherwise drain the backlog first)."""
    ids: list[uuid.UUID] = []
    while not stop.is_set():
        for arende in arenden:
            ids += await emit_events(factory, arende_id=arende, count=1, at=at)
        await asyncio.sleep(0.01)
    return ids


async def spawn_relay(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "case_api.relay", env={**os.environ, **env}
    )


@asynccontextmanager
async def relay_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await spawn_relay(env)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def wait_for(engine: AsyncEngine, sql: str, at_least: int, seconds: float) -> int:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await scalar(engine, sql)
        if value >= at_least:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{sql!r} reached {value}, wanted {at_least} within {seconds} s")
        await asyncio.sleep(0.005)


async def test_sigkilled_relay_loses_nothing_and_keeps_order(
    committed_case_db, committed_notifier_db, test_data_dir
) -> None:  # type: ignore[no-untyped-def]
    case_engine = make_engine(committed_case_db.app_url, pool_size=4)
    inbox_engine = make_engine(committed_notifier_db.app_url, pool_size=2)
    factory = make_session_factory(case_engine)
    common = {"DATA_DIR": str(test_data_dir), "LOG_LEVEL": "WARNING"}
    notifier_env = {
        **common,
        "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url,
        "NOTIFIER_RUN_WORKERS": "false",
    }
    arenden = [uuid.uuid4() for _ in range(ARENDEN)]
    in_flight_at_kill: set[uuid.UUID] = set()
    stored_unacknowledged = 0  # in the inbox, not yet marked sent: re-sent later as duplicates
    try:
        with running_service("notifier.main:create_app", notifier_env) as notifier_url:
            relay_env = {
                **common,
                "DATABASE_URL": committed_case_db.app_url,
                "NOTIFIER_URL": notifier_url,
                "RELAY_LEASE_SECONDS": "2",
                "RELAY_HTTP_TIMEOUT_SECONDS": "1.5",
                "RELAY_POLL_SECONDS": "0.5",
                "RELAY_BATCH_SIZE": "5",
                "RELAY_BACKOFF_BASE_SECONDS": "0.05",
                "RELAY_BACKOFF_MAX_SECONDS": "0.5",
            }
            now = datetime.now(UTC)
            # Half the events are committed before any relay runs, half while they run.
            first = await asyncio.gather(
                *(
                    emit_events(factory, arende_id=a, count=PER_ARENDE // 2, at=now, per_transaction=4)
                    for a in arenden
                )
            )
            loose = await emit_events(factory, arende_id=None, count=LOOSE, at=now)
            busy_arenden = [uuid.uuid4() for _ in range(BUSY_ARENDEN)]
            stop_busy = asyncio.Event()
            async with relay_process(relay_env) as steady:
                victim = await spawn_relay(relay_env)
                busy = asyncio.create_task(keep_busy(factory, busy_arenden, now, stop_busy))
                try:
                    second = asyncio.gather(
                        *(
                            emit_events(
                                factory, arende_id=a, count=PER_ARENDE // 2, at=now, per_transaction=2
                            )
                            for a in arenden
                        )
                    )
                    for round_ in range(3):
                        await wait_for(
                            inbox_engine, "SELECT count(*) FROM inbox_event", 40 * (round_ + 1), 60
                        )
                        owner = f"%:{victim.pid}:%"
                        # Kill the victim at a moment it holds leases: deliveries it claimed
                        # and has not yet recorded as sent.
                        await wait_for(
                            case_engine,
                            "SELECT count(*) FROM outbox_delivery WHERE status = 'pending' "
                            f"AND lease_owner LIKE '{owner}'",
                            1,
                            30,
                        )
                        victim.send_signal(signal.SIGKILL)
                        assert await victim.wait() == -signal.SIGKILL
                        async with case_engine.connect() as conn:
                            rows = await conn.execute(
                                text(
                                    "SELECT outbox_id FROM outbox_delivery WHERE status = 'pending' "
                                    "AND lease_owner LIKE :owner"
                                ),
                                {"owner": owner},
                            )
                            leased = {r.outbox_id for r in rows}
                        in_flight_at_kill |= leased
                        async with inbox_engine.connect() as conn:
                            stored_unacknowledged += (
                                await conn.execute(
                                    text("SELECT count(*) FROM inbox_event WHERE event_id = ANY(:ids)"),
                                    {"ids": [str(i) for i in leased]},
                                )
                            ).scalar_one()
                        victim = await spawn_relay(relay_env)
                    stop_busy.set()
                    emitted = [
                        *(i for ids in first for i in ids),
                        *(i for ids in await second for i in ids),
                        *loose,
                        *await busy,
                    ]
                    await wait_for(inbox_engine, "SELECT count(*) FROM inbox_event", len(emitted), 90)
                    await wait_for(
                        case_engine,
                        "SELECT count(*) FROM outbox_delivery WHERE status = 'sent'",
                        len(emitted),
                        30,
                    )
                finally:
                    stop_busy.set()
                    victim.terminate()
                    await victim.wait()
                assert steady.returncode is None  # the other relay ran throughout

        assert in_flight_at_kill, "no delivery was in flight when the relay was killed"
        async with inbox_engine.connect() as conn:
            inbox = (
                await conn.execute(
                    text("SELECT event_id, arende_id, sekvens FROM inbox_event ORDER BY received_at, sekvens")
                )
            ).all()
        # 0 lost, none stored twice.
        assert sorted(r.event_id for r in inbox) == sorted(str(i) for i in emitted)
        per_arende: dict[uuid.UUID, list[int]] = {}
        for row in inbox:
            if row.arende_id is not None:
                per_arende.setdefault(row.arende_id, []).append(row.sekvens)
        assert set(per_arende) == set(arenden) | set(busy_arenden)
        for arende, seqs in per_arende.items():
            assert seqs == sorted(seqs), arende
            assert arende in busy_arenden or len(seqs) == PER_ARENDE, arende
        # What the killed relay had in flight was claimed again after its lease expired.
        async with case_engine.connect() as conn:
            retried = (
                await conn.execute(
                    text(
                        "SELECT count(*) FROM outbox_delivery WHERE outbox_id = ANY(:ids) AND attempts >= 2"
                    ),
                    {"ids": list(in_flight_at_kill)},
                )
            ).scalar_one()
        assert retried == len(in_flight_at_kill)
        print(
            f"events: {len(emitted)}; in flight at the kills: {len(in_flight_at_kill)}, "
            f"of them already stored (re-sent, absorbed): {stored_unacknowledged}"
        )
    finally:
        await case_engine.dispose()
        await inbox_engine.dispose()
