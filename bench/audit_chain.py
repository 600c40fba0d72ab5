"""What the audit chain costs: appends with the chain lock against plain inserts, alone and
with concurrent writers, and how fast the chain verifies.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit_chain.py

Creates a scratch database (dropped afterwards), connects as the app role like the service.
Results are recorded in docs/bench.md.
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "services")]

from case_api.audit import kedja  # noqa: E402
from case_api.audit import service as audit_service  # noqa: E402
from common.auth import Principal, Role  # noqa: E402
from common.db import make_engine  # noqa: E402
from devstack.databases import drop_database, ensure_database  # noqa: E402
from devstack.migrate import upgrade  # noqa: E402

VEM = Principal(sub="bench", name=None, roles=frozenset({Role.handlaggare}), enhet="bou-1", utforare=None)
Txn = Callable[[AsyncSession], Awaitable[None]]


async def chained(session: AsyncSession) -> None:
    await audit_service.logga(
        session,
        vem=VEM,
        handling="las",
        objekt_typ="arende",
        objekt_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        arende_id=uuid.uuid4(),
    )


async def plain(session: AsyncSession) -> None:
    """The same row without the chain: no lock, no head read, a constant hash."""
    await session.execute(
        text(
            "INSERT INTO audit_logg (at, sub, roller, enhet, handling, objekt_typ, objekt_id, person_id, "
            "arende_id, utfall, prev_hash, hash) VALUES (now(), 'bench', ARRAY['handlaggare'], 'bou-1', "
            "'las', 'arende', :o, :p, :a, 'tillaten', :h, :h)"
        ),
        {"o": uuid.uuid4(), "p": uuid.uuid4(), "a": uuid.uuid4(), "h": kedja.GENESIS},
    )


def with_work(txn: Txn, work_ms: float) -> Txn:
    """The audit row first, then other work in the same transaction (the lock is held through it)."""

    async def run(session: AsyncSession) -> None:
        await txn(session)
        await session.execute(text("SELECT pg_sleep(:s)"), {"s": work_ms / 1000})

    return run


def work_then(txn: Txn, work_ms: float) -> Txn:
    async def run(session: AsyncSession) -> None:
        await session.execute(text("SELECT pg_sleep(:s)"), {"s": work_ms / 1000})
        await txn(session)

    return run


async def many(session: AsyncSession) -> None:
    rader = [(uuid.uuid4(), uuid.uuid4(), None) for _ in range(50)]
    await audit_service.logga_manga(session, vem=VEM, handling="sok", objekt_typ="person", rader=rader)


async def measure(engine: AsyncEngine, txn: Txn, *, writers: int, per_writer: int) -> dict[str, float]:
    latencies: list[float] = []

    async def writer() -> None:
        for _ in range(per_writer):
            started = time.perf_counter()
            async with AsyncSession(engine) as session, session.begin():
                await txn(session)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "tx_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


@asynccontextmanager
async def scratch_engine(admin_url: str, synchronous_commit: str = "on") -> AsyncIterator[AsyncEngine]:
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    db = await ensure_database(admin_url, name=name, owner_role="case_api_owner", app_role="case_api_app")
    try:
        await asyncio.to_thread(upgrade, "case_api", db.owner_url, db.app_role)
        engine = make_engine(
            db.app_url,
            pool_size=25,
            max_overflow=0,
            connect_args={"server_settings": {"synchronous_commit": synchronous_commit}},
        )
        try:
            yield engine
        finally:
            await engine.dispose()
    finally:
        await drop_database(admin_url, name)


async def appends(admin_url: str, transactions: int, synchronous_commit: str) -> None:
    cases: list[tuple[str, Txn, int]] = [
        ("plain insert (no chain)", plain, 1),
        ("logga (chain)", chained, 1),
        ("plain insert (no chain)", plain, 20),
        ("logga (chain)", chained, 20),
        ("plain insert, then 2 ms work", with_work(plain, 2), 20),
        ("logga, then 2 ms work (lock held)", with_work(chained, 2), 20),
        ("2 ms work, then logga last", work_then(chained, 2), 20),
        ("logga_manga, 50 rows", many, 1),
        ("logga_manga, 50 rows", many, 20),
    ]
    async with scratch_engine(admin_url, synchronous_commit) as engine:
        print(f"synchronous_commit={synchronous_commit}\n")
        print("| case | writers | tx/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |")
        for label, txn, writers in cases:
            await measure(engine, txn, writers=writers, per_writer=10)  # warm-up
            r = await measure(engine, txn, writers=writers, per_writer=max(transactions // writers, 25))
            print(f"| {label} | {writers} | {r['tx_per_s']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")


async def verification(admin_url: str, rows: int) -> None:
    async with scratch_engine(admin_url) as engine:
        for _ in range(rows // 1000):
            async with AsyncSession(engine) as session, session.begin():
                rader = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(1000)]
                await audit_service.logga_manga(
                    session, vem=VEM, handling="las", objekt_typ="arende", rader=rader
                )
        async with AsyncSession(engine) as session, session.begin():
            started = time.perf_counter()
            result = await audit_service.verifiera(session, vem=VEM)
            elapsed = time.perf_counter() - started
        print(
            f"\nverifiering: {result.antal:,} rows in {elapsed:.2f} s, {result.antal / elapsed:,.0f} rows/s, "
            f"ok={result.ok}"
        )


async def main(admin_url: str, transactions: int, verify_rows: int, synchronous_commit: str) -> None:
    await appends(admin_url, transactions, synchronous_commit)
    await verification(admin_url, verify_rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=2000, help="per case")
    parser.add_argument("--verify-rows", type=int, default=100_000)
    parser.add_argument(
        "--synchronous-commit",
        choices=["on", "off"],
        default="on",
        help="off: leave out the WAL flush, to see the lock's own cost",
    )
    args = parser.parse_args()
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        sys.exit("set TEST_DATABASE_URL to a superuser URL")
    asyncio.run(main(url, args.transactions, args.verify_rows, args.synchronous_commit))
