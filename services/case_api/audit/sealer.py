"""The audit sealer: chains committed audit rows into audit_kedja, after their commit.

Requests append audit rows with a plain INSERT and wait for nobody. The sealer, one at a time
(the leader holds a session-level advisory lock on its own connection), runs rounds in
REPEATABLE READ: it reads the chain's head and every visible audit row not yet in the chain,
orders them by (xid, id), hashes each onto the one before and inserts their positions.

Why no committed row is ever skipped: audit_sigill.horisont is an xid8 below which every
committed row is sealed. A round looks only at rows with xid >= horisont (an index range, not
the whole log) and, when it has sealed all it saw, raises the horizon to its snapshot's xmin:
every transaction below xmin had ended when the snapshot was taken, so all of its rows were
visible to this round and are now sealed. A transaction that was still running keeps an xid
>= xmin, so its rows are found by a later round when it commits (a late commit is sealed at a
later position, never lost). Rows of a rolled-back transaction are never visible. A round
that is behind (a full batch) raises the horizon too, to its last row's xid but never past
xmin, so a sealer catching up reads forward instead of rescanning what it sealed.

Anchoring: every AUDIT_ANCHOR_INTERVAL_SECONDS in which the chain grew, the round also writes
an `audit.forankrad` event (position, hash) to the outbox, so the notifier and subscribers
hold copies of the head outside this database and a truncated chain is detectable.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from asyncpg import Record
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from case_api.audit import kedja
from case_api.audit import repository as audit_repository
from case_api.events.models import OutboxEvent
from case_api.settings import Settings
from common.clock import Clock
from common.db import driver
from common.shutdown import Shutdown, never
from common.shutdown import of_app as shutdown_of

if TYPE_CHECKING:
    from case_api.metrics import CaseMetrics

log = structlog.get_logger(__name__)

# pg_try_advisory_lock key of the sealer's leadership: "AUDITSEA" in ASCII.
SEALER_LOCK_KEY = 0x4155444954534541

# Each field as PostgreSQL's text in the form kedja._plain gives it (uuids lower case, the time in
# UTC with microseconds): the sealer hashes what it reads with no conversion per value, and the
# driver decodes text instead of making a datetime and three UUIDs per row. The verifier hashes
# the typed values (kedja.row_hash); tests/case_api/audit/test_sealer_form.py proves both agree.
PLAIN_COLUMNS = {
    "at": "to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'",
    **{name: f"a.{name}::text" for name in ("objekt_id", "person_id", "arende_id")},
}
_CONTENT = ", ".join(PLAIN_COLUMNS.get(name, f"a.{name}") for name in kedja.FIELDS)
# The round's statements go straight to the driver (common.db.driver), in the transaction that
# _PLAN begins: at 10,000 audit rows a second (the worklist read 200 times a second) SQLAlchemy's
# result rows and parameter handling were most of the sealer's CPU.
_STATE = (
    "SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin, s.horisont, "
    "s.forankrad_position, s.forankrad_at, k.position, k.hash FROM audit_sigill s "
    "LEFT JOIN LATERAL (SELECT position, hash FROM audit_kedja ORDER BY position DESC LIMIT 1) k ON true"
)
PENDING = (
    f"SELECT a.id, a.xid, {_CONTENT} FROM audit_logg a "  # noqa: S608 (names from kedja.FIELDS)
    "WHERE a.xid >= $1::xid8 "
    "AND NOT EXISTS (SELECT 1 FROM audit_kedja k WHERE k.audit_id = a.id) "
    "ORDER BY a.xid, a.id LIMIT $2"
)
# The round's plan, pinned for its transaction: walk ix_audit_logg_xid in order from the horizon,
# probe the chain's unique index per row, stop at the batch. Statistics of an append-heavy log
# cannot be trusted (autovacuum lags, or is off as on the bench machine): without them the
# planner reads every row above the horizon and the whole chain into a hash (100 ms a round at
# 300,000 rows, growing with the log), with this 1-3 ms. Plan settings only; the query and so
# what it returns are unchanged.
_PLAN = text(
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), "
    "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), "
    "set_config('enable_sort', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), "
    # The disabled paths' cost penalty would otherwise trip jit_above_cost: 70-120 ms of
    # compiling a one-row read, every round (seen in auto_explain under load).
    "set_config('jit', 'off', true)"
)
# One fixed statement for any batch: arrays, not a VALUES list of 5 parameters per row that
# SQLAlchemy would compile anew and PostgreSQL plan anew for each batch size.
_CHAIN = (
    "INSERT INTO audit_kedja (position, audit_id, prev_hash, hash, forseglad_at) "
    "SELECT p, a, ph, h, $5 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS e(p, a, ph, h)"
)
_ADVANCE = "UPDATE audit_sigill SET horisont = $1::xid8 WHERE id = 1"
_ANCHORED = text("UPDATE audit_sigill SET forankrad_position = :position, forankrad_at = :at WHERE id = 1")


@dataclass(frozen=True)
class Round:
    sealed: int
    position: int
    hash: str | None
    more: bool
    anchored: bool


@dataclass
class Links:
    """The chain entries of a batch, as the columns _CHAIN inserts."""

    positions: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    prevs: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)


def link(rows: Sequence[Record], *, position: int, prev: str) -> Links:
    """The chain entries for rows read by PENDING (plain form), continuing from (position, prev)."""
    links = Links()
    for row in rows:
        position += 1
        digest = kedja.plain_hash(prev, dict(zip(kedja.FIELDS, row[2:], strict=True)))
        links.positions.append(position)
        links.ids.append(row[0])
        links.prevs.append(prev)
        links.hashes.append(digest)
        prev = digest
    return links


async def _anchor(conn: AsyncConnection, *, position: int, hash: str, now: datetime) -> None:
    data = {"position": position, "hash": hash, "forankrad_at": now}
    await conn.execute(
        insert(OutboxEvent.__table__),  # type: ignore[attr-defined]
        {
            "id": uuid.uuid4(),
            "type": audit_repository.ANCHOR_EVENT_TYPE,
            "subject": "audit_kedja",
            "arende_id": None,
            "data": jsonable_encoder(data),
            "occurred_at": now,
        },
    )
    await conn.execute(_ANCHORED, {"position": position, "at": now})


def next_horizon(state: Record, rows: Sequence[Record], more: bool) -> int | None:
    """The horizon after sealing `rows` (the first unsealed rows from the horizon, by xid), or None
    to keep it. Caught up: the snapshot's xmin. Behind (a full batch): the last sealed row's xid,
    never past xmin. Every visible unsealed row with a smaller xid was in the batch, and a
    transaction still running has an xid >= xmin; without this a sealer behind under load
    rescans all it has sealed since the horizon last moved, every round (quadratic)."""
    xmin, current = state["xmin"], state["horisont"]
    horizon: int = min(xmin, rows[-1]["xid"]) if more else xmin
    return horizon if horizon > current else None


def _anchor_due(state: Record, position: int, now: datetime, interval: timedelta) -> bool:
    if position <= state["forankrad_position"]:
        return False
    return state["forankrad_at"] is None or now - state["forankrad_at"] >= interval


async def seal_round(
    conn: AsyncConnection, *, now: datetime, batch: int = 1000, anchor_interval: timedelta | None = None
) -> Round:
    """One round in its own REPEATABLE READ transaction; the caller must hold leadership."""
    async with conn.begin():
        await conn.execute(_PLAN)  # SQLAlchemy's adapter sends BEGIN with it: the driver's below join
        pg = await driver(conn)
        state = await pg.fetchrow(_STATE)
        position, head = int(state["position"] or 0), state["hash"] or kedja.GENESIS
        rows = await pg.fetch(PENDING, state["horisont"], batch)
        links = link(rows, position=position, prev=head)
        if rows:
            await pg.execute(_CHAIN, links.positions, links.ids, links.prevs, links.hashes, now)
            position, head = links.positions[-1], links.hashes[-1]
        more = len(rows) == batch
        if (horizon := next_horizon(state, rows, more)) is not None:
            await pg.execute(_ADVANCE, horizon)
        anchored = anchor_interval is not None and _anchor_due(state, position, now, anchor_interval)
        if anchored:
            await _anchor(conn, position=position, hash=head, now=now)
    return Round(len(rows), position, head if position else None, more, anchored)


async def _lead(conn: AsyncConnection) -> bool:
    async with conn.begin():
        got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SEALER_LOCK_KEY})).scalar()
    return bool(got)


@contextlib.asynccontextmanager
async def leadership(engine: AsyncEngine) -> Any:
    """A connection that holds the sealer lock, or None when another sealer leads."""
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="REPEATABLE READ")
        if not await _lead(conn):
            yield None
            return
        try:
            yield conn
        finally:
            with contextlib.suppress(Exception):
                async with conn.begin():
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SEALER_LOCK_KEY})


async def seal_pending(engine: AsyncEngine, *, now: datetime, batch: int = 1000) -> int:
    """Seal everything committed so far (tests, `case-api audit-seal`); waits for leadership."""
    sealed = 0
    while True:
        async with leadership(engine) as conn:
            if conn is not None:
                while (result := await seal_round(conn, now=now, batch=batch)).sealed:
                    sealed += result.sealed
                return sealed
        await asyncio.sleep(0.05)


async def run_sealer(
    engine: AsyncEngine,
    settings: Settings,
    clock: Clock,
    metrics: "CaseMetrics | None" = None,
    *,
    shutdown: Shutdown | None = None,
) -> None:
    """Lead when no other sealer does; seal every AUDIT_SEAL_INTERVAL_SECONDS, at once when behind.

    Until `shutdown` is requested (or cancelled): a stop lets the current round commit, then
    leaves `leadership`, which unlocks and closes the connection, so a standby sealer leads at
    its next look instead of waiting for this process to die."""
    shutdown = shutdown or never()
    interval = timedelta(seconds=settings.audit_anchor_interval_seconds)
    while not shutdown.requested:
        try:
            async with leadership(engine) as conn:
                if conn is None:
                    await shutdown.wait(settings.audit_seal_standby_seconds)
                    continue
                log.info("audit_sealer_leading")
                while not shutdown.requested:
                    result = await seal_round(
                        conn, now=clock(), batch=settings.audit_seal_batch_size, anchor_interval=interval
                    )
                    if metrics is not None:
                        metrics.audit_sealed.inc(result.sealed)
                    if not result.more:
                        await shutdown.wait(settings.audit_seal_interval_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a lost connection: lead again (or stand by) after a pause
            log.warning("audit_sealer_failed", error_type=type(exc).__name__)
            await shutdown.wait(settings.audit_seal_standby_seconds)
    log.info("audit_sealer_stopped")


async def sealer_worker(app: FastAPI) -> None:
    """The app's background worker (case_api.main WORKERS)."""
    await run_sealer(
        app.state.engine, app.state.settings, app.state.clock, app.state.metrics, shutdown=shutdown_of(app)
    )
