"""The deadline sweep: reminders before a bevakning's due date and the late alert after it.

Each round claims due bevakningar (`nasta_larm <= today`, Europe/Stockholm, from the injected
clock) with FOR UPDATE SKIP LOCKED, so any number of sweepers share the work without waiting
on each other. Every alert is first written to `bevakning_larm` (primary key bevakning,
threshold) and its event is emitted only if that insert happened: exactly once per bevakning
and threshold, also across restarts, in the same transaction as the status change and the
event. The cost follows what is due: the claim reads the partial index on `nasta_larm`.

If the sweep was down across several reminder days, only the nearest reminder (fewest days
before the due date) is sent; the older ones are recorded with skickat = false, so they are
never sent late and the record shows why they were not. Once the due date has passed, the
late alert replaces any reminder not yet sent.
"""

import uuid
from datetime import date
from typing import TYPE_CHECKING

import structlog
from fastapi import FastAPI
from sqlalchemy import Select, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from case_api.bevakning import service as bevakning_service
from case_api.bevakning.models import Bevakning, BevakningLarm
from case_api.events import service as events
from case_api.kontext import Kontext, system_kontext
from case_api.regler import datum
from case_api.settings import Settings
from case_api.tillstand import krav
from common.clock import Clock
from common.shutdown import Shutdown, never
from common.shutdown import of_app as shutdown_of

if TYPE_CHECKING:
    from case_api.metrics import CaseMetrics

log = structlog.get_logger(__name__)


async def _lock_arende(session: AsyncSession, arende_id: uuid.UUID) -> bool:
    # Events of an ärende must commit in seq order, so the sweep takes the ärende lock like
    # every command does - without waiting: a command holding it may be about to lock this
    # bevakning (lock order ärende -> bevakning), and the bevakning is simply due next round.
    row = await session.execute(
        text("SELECT 1 FROM arende WHERE id = :id FOR UPDATE SKIP LOCKED"), {"id": arende_id}
    )
    return row.scalar_one_or_none() is not None


async def _record(k: Kontext, b: Bevakning, troskel: str, *, skickat: bool) -> bool:
    """Insert the alert record; False when this threshold was already handled."""
    table = BevakningLarm.__table__  # type: ignore[attr-defined]
    inserted = await k.session.execute(
        pg_insert(table)
        .values(bevakning_id=b.id, troskel=troskel, skickat_at=k.nu(), skickat=skickat)
        .on_conflict_do_nothing(index_elements=["bevakning_id", "troskel"])
        .returning(table.c.troskel)
    )
    return inserted.scalar_one_or_none() is not None


async def _emit(k: Kontext, b: Bevakning, *, verb: str, troskel: str, dagar: int | None) -> None:
    await events.emit(
        k.session,
        type=f"bevakning.{verb}",
        arende_id=b.arende_id,
        subject=bevakning_service.subject(b),
        data=bevakning_service.event_data(b) | {"troskel": troskel, "troskel_dagar": dagar},
        occurred_at=k.nu(),
    )


async def handle(k: Kontext, b: Bevakning, today: date) -> int:
    """Send what `b` has due today; returns the number of alerts emitted."""
    sent = set(await bevakning_service.skickade_larm(k, b.id))
    due = [
        (day, n)
        for day, n in bevakning_service.trosklar(b)
        if day <= today and bevakning_service.troskel(b, n) not in sent
    ]
    emitted = 0
    late = any(n is None for _, n in due)
    reminders = sorted((n for _, n in due if n is not None))
    # Nearest reminder wins; with the due date passed, the late alert replaces them all.
    send_reminder = None if late or not reminders else reminders[0]
    for n in reminders:
        key = bevakning_service.troskel(b, n)
        if n == send_reminder:
            if await _record(k, b, key, skickat=True):
                await _emit(k, b, verb="paminnelse", troskel=key, dagar=n)
                emitted += 1
        else:
            await _record(k, b, key, skickat=False)
        sent.add(key)
    if late:
        key = bevakning_service.troskel(b, None)
        if await _record(k, b, key, skickat=True):
            b.status = krav("bevakning", b.status, "forsena")
            b.version += 1
            await _emit(k, b, verb="forsenad", troskel=key, dagar=None)
            emitted += 1
            await bevakning_service.efter_forsening(k, b)
        sent.add(key)
    b.nasta_larm = bevakning_service.nasta_larm(b, sent)
    await k.session.flush()
    return emitted


def due_query(today: date, limit: int) -> Select[Bevakning]:
    """Due bevakningar, oldest alert day first; served by the partial index on nasta_larm."""
    return (
        select(Bevakning)
        .where(col(Bevakning.nasta_larm) <= today, col(Bevakning.status) == "oppen")
        .order_by(col(Bevakning.nasta_larm))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


async def sweep_batch(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    *,
    limit: int | None = None,
) -> int:
    """One round in one transaction; returns how many bevakningar it handled (0: none due, or
    all due ones are held by commands right now and wait for the next round)."""
    async with session_factory() as session, session.begin():
        k = await system_kontext(session, clock=clock, settings=settings)
        today = datum.lokal_dag(k.nu())
        query = due_query(today, limit or settings.sweep_batch_size)
        claimed = list((await session.execute(query)).scalars())
        handled = emitted = 0
        for b in claimed:
            # Outside an ärende there is no event order to keep, and no lock to take.
            if b.arende_id is None or await _lock_arende(session, b.arende_id):
                emitted += await handle(k, b, today)
                handled += 1
    if emitted:
        log.info("sweep_alerts", handled=handled, alerts=emitted, day=today.isoformat())
    return handled


async def run_sweep(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Clock,
    metrics: "CaseMetrics | None" = None,
    *,
    shutdown: Shutdown | None = None,
) -> None:
    """Run until `shutdown` is requested (or cancelled): rounds until nothing is due, then a
    pause. A round is one short transaction and holds no lease: a stop lets the current round
    commit and starts no other."""
    shutdown = shutdown or never()
    while not shutdown.requested:
        try:
            while not shutdown.requested and await sweep_batch(session_factory, settings, clock):
                _count_round(metrics, "handled")
            _count_round(metrics, "idle")
        except Exception:
            log.exception("sweep_failed")
            _count_round(metrics, "failed")
        await shutdown.wait(settings.sweep_interval_seconds)
    log.info("sweep_stopped")


def _count_round(metrics: "CaseMetrics | None", outcome: str) -> None:
    if metrics is not None:
        metrics.sweep_rounds.labels(outcome).inc()
        if outcome != "failed":
            metrics.sweep_last_success.set_to_current_time()


async def sweep_worker(app: FastAPI) -> None:
    """The app's background worker (case_api.main WORKERS)."""
    await run_sweep(
        app.state.session_factory,
        app.state.settings,
        app.state.clock,
        app.state.metrics,
        shutdown=shutdown_of(app),
    )
