"""Commit -> notifier inbox latency of the outbox relay, with NOTIFY and with polling alone.

Runs the real pieces: fresh case_api and notifier databases (migrated), the notifier as a
uvicorn process, the relay as `python -m case_api.relay`. Commits events one transaction at a
time at a steady pace and measures, per event, from the moment its COMMIT returned to the
notifier's `received_at` for it (both on this machine's clock).

    .venv/bin/python bench/relay_latency.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--events 200] [--interval 0.025]

Without --admin-url (or TEST_DATABASE_URL) an embedded PostgreSQL is started in .data/bench.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text

from case_api.events import service as events_service
from common.db import make_engine, make_session_factory
from devstack.databases import drop_database, ensure_database
from devstack.migrate import upgrade
from devstack.ports import free_port

REPO = Path(__file__).resolve().parents[1]


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], env={**os.environ, **env}, cwd=REPO)


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"{url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("notifier did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run_mode(
    admin_url: str, data_dir: Path, *, listen: bool, poll: float, events: int, interval: float
) -> dict[str, float]:
    tag = uuid.uuid4().hex[:6]
    case_db = await ensure_database(
        admin_url, name=f"bench_case_{tag}", owner_role="case_api_owner", app_role="case_api_app"
    )
    notifier_db = await ensure_database(
        admin_url, name=f"bench_notifier_{tag}", owner_role="notifier_owner", app_role="notifier_app"
    )
    await asyncio.to_thread(upgrade, "case_api", case_db.owner_url, "case_api_app")
    await asyncio.to_thread(upgrade, "notifier", notifier_db.owner_url, "notifier_app")
    common = {"DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    port = free_port()
    notifier = start(
        [
            "-m",
            "uvicorn",
            "--factory",
            "notifier.main:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        {**common, "NOTIFIER_DATABASE_URL": notifier_db.app_url, "NOTIFIER_RUN_WORKERS": "false"},
    )
    url = f"http://127.0.0.1:{port}"
    relay = None
    case_engine = make_engine(case_db.app_url, pool_size=2)
    inbox_engine = make_engine(notifier_db.app_url, pool_size=2)
    try:
        await wait_ready(url)
        relay = start(
            ["-m", "case_api.relay"],
            {
                **common,
                "DATABASE_URL": case_db.app_url,
                "NOTIFIER_URL": url,
                "RELAY_LISTEN": str(listen).lower(),
                "RELAY_POLL_SECONDS": str(poll),
            },
        )
        factory = make_session_factory(case_engine)
        # Warm-up: one event through the whole path, so process start-up is not measured.
        async with factory() as session, session.begin():
            warm = await events_service.emit(
                session, type="bench.uppvarmning", arende_id=None, data={}, occurred_at=datetime.now(UTC)
            )
            warm_id = str(warm.id)
        while True:
            async with inbox_engine.connect() as conn:
                if (
                    await conn.execute(
                        text("SELECT count(*) FROM inbox_event WHERE event_id = :i"), {"i": warm_id}
                    )
                ).scalar_one():
                    break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # and the LISTEN connection is up
        arenden = [uuid.uuid4() for _ in range(20)]
        committed: dict[str, float] = {}
        rng = random.Random(7)
        for n in range(events):
            async with factory() as session:
                async with session.begin():
                    event = await events_service.emit(
                        session,
                        type="bench.handelse",
                        arende_id=rng.choice(arenden),
                        data={"enhet": "bou-1", "n": n},
                        occurred_at=datetime.now(UTC),
                    )
                    event_id = str(event.id)
                committed[event_id] = time.time()
            await asyncio.sleep(interval * (0.5 + rng.random()))
        deadline = time.monotonic() + 60
        while True:
            async with inbox_engine.connect() as conn:
                rows = (
                    await conn.execute(
                        text("SELECT event_id, received_at FROM inbox_event WHERE event_id <> :w"),
                        {"w": warm_id},
                    )
                ).all()
            if len(rows) >= events or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        order = {event_id: i for i, event_id in enumerate(committed)}
        latencies = [(r.received_at.timestamp() - committed[r.event_id]) * 1000 for r in rows]
        if os.environ.get("BENCH_DEBUG"):
            worst = sorted(rows, key=lambda r: r.received_at.timestamp() - committed[r.event_id])[-8:]
            print(
                [
                    (order[r.event_id], round((r.received_at.timestamp() - committed[r.event_id]) * 1000))
                    for r in worst
                ]
            )
        return {
            "events": len(latencies),
            "median_ms": statistics.median(latencies),
            "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies),
        }
    finally:
        for process in (relay, notifier):
            if process is not None:
                process.terminate()
                process.wait(10)
        await case_engine.dispose()
        await inbox_engine.dispose()
        await drop_database(admin_url, case_db.name)
        await drop_database(admin_url, notifier_db.name)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.025, help="mean seconds between commits")
    args = parser.parse_args()
    admin_url = args.admin_url
    if not admin_url:
        from devstack.embedded import start_embedded

        admin_url = start_embedded(REPO / ".data" / "bench")
    data_dir = REPO / ".data" / "bench-keys"
    modes = [
        ("LISTEN/NOTIFY (poll 2 s fallback)", True, 2.0),
        ("polling only, 2 s", False, 2.0),
        ("polling only, 0.5 s", False, 0.5),
    ]
    print(f"{args.events} events, one per transaction, ~{args.interval * 1000:.0f} ms apart, 20 ärenden")
    print("| mode | events | median ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |")
    for name, listen, poll in modes:
        r = await run_mode(
            admin_url, data_dir, listen=listen, poll=poll, events=args.events, interval=args.interval
        )
        print(
            f"| {name} | {r['events']:.0f} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
