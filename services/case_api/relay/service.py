"""The relay's use cases: one batch of deliveries (the worker's unit of work) and the operator view.

A batch claims events in one short transaction (lease + commit), sends them over HTTP with no
lock held, then records the outcomes in a second transaction. A relay stopped with SIGTERM
gives the sends SHUTDOWN_GRACE_SECONDS and releases the events still unanswered; one that dies
in between leaves leases that expire and are claimed again: delivery is at least once, and the
notifier's inbox absorbs the repeat.
"""

import asyncio
import os
import random
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from case_api.relay import delivery
from case_api.relay import repository as relay_repository
from case_api.relay.breaker import Breaker
from case_api.relay.exceptions import NotDeadLetter, UtkorgHandelseNotFound
from case_api.relay.repository import ClaimedEvent, DeliveryRow
from case_api.relay.schemas import DodsbrevPage, UtkorgHandelse, UtkorgStatus
from case_api.settings import Settings
from common.clock import Clock
from common.shutdown import Shutdown, never

if TYPE_CHECKING:
    from case_api.metrics import CaseMetrics

log = structlog.get_logger(__name__)


def relay_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def new_breaker(settings: Settings) -> Breaker:
    return Breaker(settings.relay_breaker_base_seconds, settings.relay_breaker_max_seconds)


def backoff_seconds(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Exponential backoff with equal jitter: half the step fixed, half random, so retries of
    many events spread out yet each waits longer than the last."""
    step = min(cap, base * 2.0 ** max(attempts - 1, 0))
    return step / 2 + rand() * step / 2


async def relay_batch(
    session_factory: async_sessionmaker[AsyncSession],
    http_client: httpx.AsyncClient,
    settings: Settings,
    clock: Clock,
    *,
    owner: str | None = None,
    tokens: delivery.TokenSource | None = None,
    breaker: Breaker | None = None,
    shutdown: Shutdown | None = None,
    metrics: "CaseMetrics | None" = None,
) -> int:
    """Deliver one batch; returns how many events were claimed (0: nothing was due, or the
    breaker is open). Pass the same `breaker` every round (the worker does). Once `shutdown`
    is requested the sends get its grace; those still running then are cancelled and their
    events released (claimable at once, the attempt not counted)."""
    owner = owner or relay_owner()
    shutdown = shutdown or never()
    tokens = tokens or delivery.TokenSource(settings)
    breaker = breaker or new_breaker(settings)
    now = clock()
    if shutdown.requested or not breaker.allows(now):
        return 0
    async with session_factory() as session, session.begin():
        buried = await relay_repository.bury_exhausted(
            session, now=now, max_attempts=settings.relay_max_attempts
        )
        claimed = await relay_repository.claim(
            session,
            now=now,
            lease_until=now + timedelta(seconds=settings.relay_lease_seconds),
            owner=owner,
            limit=1 if breaker.half_open else settings.relay_batch_size,
        )
    if buried:
        log.warning("relay_dead_lettered_after_lost_lease", count=buried)
    if not claimed:
        return 0

    # At most one event per ärende is claimed (its oldest unsent), so sending them side by
    # side cannot reorder an ärende.
    limit = asyncio.Semaphore(settings.relay_concurrency)

    async def send_one(event: ClaimedEvent) -> delivery.SendOutcome:
        async with limit:
            return await delivery.send(http_client, event, settings=settings, tokens=tokens)

    tasks = [asyncio.create_task(send_one(e)) for e in claimed]
    # A stop (SIGTERM) gives the sends the grace; the ones cut off then are given back below.
    cut = await shutdown.finish(tasks)
    answered = [(e, t.result()) for e, t in zip(claimed, tasks, strict=True) if t not in cut]
    released = [e.id for e, t in zip(claimed, tasks, strict=True) if t in cut]

    done = clock()
    sent = [e.id for e, o in answered if o.delivered]
    # Nothing delivered and nothing the notifier said about an event: it is down, not the events.
    reopen: datetime | None = None
    if any(o.delivered or o.concerns_event for _, o in answered):
        breaker.reset()
    elif answered:
        reopen = breaker.trip(done)
        log.warning(
            "relay_notifier_unreachable",
            rounds=breaker.failures,
            pause_seconds=round(breaker.seconds_left(done), 3),
            error=answered[0][1].error,
        )
    async with session_factory() as session, session.begin():
        if sent:
            await relay_repository.mark_sent(session, ids=sent, now=done)
        if released:
            await relay_repository.release(session, owner=owner, ids=released)
        for event, outcome in answered:
            if outcome.delivered:
                continue
            counted = outcome.concerns_event
            dead = outcome.permanent or (counted and event.attempts >= settings.relay_max_attempts)
            wait = backoff_seconds(
                event.attempts if counted else 1,
                base=settings.relay_backoff_base_seconds,
                cap=settings.relay_backoff_max_seconds,
            )
            await relay_repository.mark_failed(
                session,
                id=event.id,
                owner=owner,
                error=outcome.error or "unknown error",
                next_attempt_at=None if dead else reopen or done + timedelta(seconds=wait),
                dead=dead,
                counted=counted,
            )
            log.warning(
                "relay_dead_letter" if dead else "relay_retry",
                event_id=str(event.id),
                event_type=event.type,
                attempts=event.attempts,
                retry_in_seconds=None if dead else round(wait, 3),
                error=outcome.error,
            )
    if released:
        log.info("relay_leases_released", count=len(released))
    if metrics is not None:
        metrics.relay_events.labels("delivered").inc(len(sent))
        metrics.relay_events.labels("failed").inc(len(answered) - len(sent))
    log.debug("relay_batch", claimed=len(claimed), sent=len(sent))
    return len(claimed)


def _read(row: DeliveryRow) -> UtkorgHandelse:
    return UtkorgHandelse(
        id=row.id,
        seq=row.seq,
        arende_id=row.arende_id,
        type=row.type,
        subject=row.subject,
        occurred_at=row.occurred_at,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        lease_until=row.lease_until,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


async def utkorg_status(*, session: AsyncSession, clock: Clock) -> UtkorgStatus:
    now = clock()
    figures = await relay_repository.backlog(session, now=now)
    age = (
        max((now - figures.oldest_pending_at).total_seconds(), 0.0)
        if figures.oldest_pending_at is not None
        else None
    )
    return UtkorgStatus(
        pending=figures.pending,
        in_flight=figures.in_flight,
        dead=figures.dead,
        oldest_pending_age_seconds=age,
    )


async def list_dodsbrev(*, session: AsyncSession, cursor: int | None, limit: int) -> DodsbrevPage:
    rows = await relay_repository.dead_letters(session, after_seq=cursor, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return DodsbrevPage(
        items=[_read(r) for r in rows], next_cursor=str(rows[-1].seq) if more and rows else None
    )


async def omforsok(*, session: AsyncSession, id: uuid.UUID) -> UtkorgHandelse:
    """Replay a dead letter: it becomes pending with fresh attempts, first in its ärende's line."""
    row = await relay_repository.get_for_update(session, id=id)
    if row is None:
        raise UtkorgHandelseNotFound(f"No outbox event {id}.")
    if row.status != "dead":
        raise NotDeadLetter(f"The event is {row.status}, not a dead letter.", status_now=row.status)
    await relay_repository.requeue(session, id=id)
    await session.flush()
    replayed = await relay_repository.get_for_update(session, id=id)
    assert replayed is not None
    log.info("relay_dead_letter_replayed", event_id=str(id))
    return _read(replayed)
