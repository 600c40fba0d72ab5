"""Fan-out (inbox -> deliveries) and delivery (deliveries -> webhooks and e-mail), as plain
functions over a session factory: the workers loop over them, tests call them directly.

A delivery is claimed and leased in one short transaction, sent with no transaction open, and
its outcome recorded in another as soon as that one send completes; a worker that dies
mid-send leaves only its in-flight leases, which simply expire.
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from aiosmtplib import SMTPException
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.clock import Clock
from common.tracing import parse_traceparent
from notifier.inbox.models import InboxEvent
from notifier.leveranser import backoff, epost, webhook
from notifier.leveranser import repository as leverans_repository
from notifier.leveranser.exceptions import LeveransNotFound, NotReplayable
from notifier.leveranser.models import Leverans, Leveransforsok
from notifier.mottagare.models import Mottagare
from notifier.prenumerationer import repository as prenumeration_repository
from notifier.prenumerationer import url_guard
from notifier.prenumerationer.models import Prenumeration
from notifier.prenumerationer.schemas import matches_any
from notifier.settings import Settings

log = structlog.get_logger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]
# Fan-out runs one batch at a time across all replicas, so an ärende's events become
# deliveries in the order they arrived (the relay sends them in order).
FAN_OUT_LOCK = 0x6E6F7469  # "noti"
CHEFER = ("arbetsledare", "enhetschef")


async def _recipients(session: AsyncSession, event: InboxEvent) -> list[str]:
    data = event.event.get("data") or {}
    wanted: list[str] = []
    handlaggare = data.get("handlaggare")
    if isinstance(handlaggare, str) and handlaggare:
        row = await session.get(Mottagare, handlaggare)
        if row is not None and row.aktiv:
            wanted.append(row.epost)
    enhet = event.enhet or data.get("enhet")
    if event.type.endswith(".forsenad") and isinstance(enhet, str):
        statement = select(Mottagare.epost).where(  # type: ignore[call-overload]
            Mottagare.enhet == enhet,
            Mottagare.roll.in_(CHEFER),  # type: ignore[attr-defined]
            Mottagare.aktiv.is_(True),  # type: ignore[attr-defined]
        )
        wanted += list((await session.execute(statement)).scalars())
    return list(dict.fromkeys(wanted))


async def fan_out(session_factory: SessionFactory, clock: Clock, *, batch: int = 200) -> int:
    """Turn stored events into pending deliveries; returns how many events were fanned out."""
    async with session_factory() as session, session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FAN_OUT_LOCK})
        statement = (
            select(InboxEvent)
            .where(InboxEvent.fanned_out_at.is_(None))  # type: ignore[union-attr]
            .order_by(InboxEvent.received_at, InboxEvent.sekvens)  # type: ignore[arg-type]
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        events = list((await session.execute(statement)).scalars())
        if not events:
            return 0
        subscriptions = await prenumeration_repository.active(session)
        now = clock()
        for event in events:
            for p in subscriptions:
                if not matches_any(p.event_typer, event.type):
                    continue
                if p.enhet is not None and p.enhet != event.enhet:
                    continue
                addresses: list[str | None] = [None]
                if p.kind == "epost":
                    addresses = list(await _recipients(session, event))
                for address in addresses:
                    session.add(
                        Leverans(
                            id=uuid.uuid4(),
                            inbox_event_id=event.id,
                            prenumeration_id=p.id,
                            mottagare_epost=address,
                            arende_id=event.arende_id,
                            sekvens=event.sekvens,
                            status="vantar",
                            forsok=0,
                            next_attempt_at=now,
                            created_at=now,
                        )
                    )
            event.fanned_out_at = now
        await session.flush()
        return len(events)


@dataclass(frozen=True)
class Work:
    leverans_id: uuid.UUID
    msg_id: str
    kind: str
    url: str | None
    secrets: list[str]
    personal_data: bool
    address: str | None
    event: dict[str, Any]
    event_type: str
    arende_id: str | None


@dataclass(frozen=True)
class Outcome:
    result: str  # ok | retry | gone | refused
    statuskod: int | None
    fel: str | None
    duration_ms: int
    retry_after: str | None = None


async def _load_work(session: AsyncSession, ids: list[uuid.UUID], now: datetime) -> list[Work]:
    statement = (
        select(Leverans, Prenumeration, InboxEvent)
        .join(Prenumeration, Prenumeration.id == Leverans.prenumeration_id)  # type: ignore[arg-type]
        .join(InboxEvent, InboxEvent.id == Leverans.inbox_event_id)  # type: ignore[arg-type]
        .where(Leverans.id.in_(ids))  # type: ignore[attr-defined]
    )
    return [
        Work(
            leverans_id=lev.id,
            msg_id=str(lev.id),
            kind=p.kind,
            url=p.url,
            secrets=p.secrets(now),
            personal_data=p.tillat_personuppgifter,
            address=lev.mottagare_epost,
            event=ev.event,
            event_type=ev.type,
            arende_id=str(ev.arende_id) if ev.arende_id else None,
        )
        for lev, p, ev in (await session.execute(statement)).all()
    ]


async def _send(work: Work, *, client: httpx.AsyncClient, clock: Clock, settings: Settings) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        # One deadline for the whole attempt (connect, send, every byte of the answer, or the
        # SMTP session): httpx's timeout is per read, so a receiver dripping one byte every
        # 3 s held a delivery for 75 s. Shorter than the lease (Settings checks), so no other
        # worker claims a delivery that is still being sent.
        async with asyncio.timeout(settings.leverans_timeout_sekunder):
            return await _send_within_deadline(work, client=client, clock=clock, settings=settings, took=took)
    except url_guard.UrlRefused as exc:
        return Outcome("refused", None, f"URL refused: {exc}", took())
    except TimeoutError:
        return Outcome("retry", None, f"no answer within {settings.leverans_timeout_sekunder:g} s", took())
    except (httpx.HTTPError, SMTPException, OSError) as exc:
        return Outcome("retry", None, f"{type(exc).__name__}: {exc}"[:500], took())


async def _send_within_deadline(
    work: Work, *, client: httpx.AsyncClient, clock: Clock, settings: Settings, took: Callable[[], int]
) -> Outcome:
    if work.kind == "webhook":
        assert work.url is not None
        answer = await webhook.post(
            client,
            url=work.url,
            body=webhook.body_for(work.event, personal_data=work.personal_data),
            msg_id=work.msg_id,
            timestamp=clock(),
            secrets=work.secrets,
            allowed_hosts=settings.tillatna_webhook_vardar,
            # The receiver's request joins the trace of the command that caused the event.
            traceparent=parse_traceparent(work.event.get("traceparent")),
        )
        code = answer.status_code
        if 200 <= code < 300:
            return Outcome("ok", code, None, took())
        if code == 410:
            return Outcome("gone", code, "410 Gone", took())
        return Outcome("retry", code, f"HTTP {code}", took(), answer.retry_after)
    assert work.address is not None
    data = work.event.get("data") or {}
    message = epost.compose(
        event_type=work.event_type,
        data=data,
        arende_id=work.arende_id,
        to=work.address,
        settings=settings,
    )
    await epost.send(message, settings)
    return Outcome("ok", None, None, took())


async def _record(
    session_factory: SessionFactory,
    *,
    work: Work,
    token: uuid.UUID,
    outcome: Outcome,
    clock: Clock,
    settings: Settings,
) -> None:
    async with session_factory() as session, session.begin():
        now = clock()
        session.add(
            Leveransforsok(
                leverans_id=work.leverans_id,
                at=now,
                statuskod=outcome.statuskod,
                fel=outcome.fel,
                duration_ms=outcome.duration_ms,
            )
        )
        row = await leverans_repository.get_leased(session, work.leverans_id, token)
        if row is None:
            return  # the lease ran out and another worker owns it now; the attempt is still logged
        row.forsok += 1
        row.lease_until = None
        row.lease_token = None
        row.senaste_fel = outcome.fel
        if outcome.result == "ok":
            row.status = "levererad"
            row.levererad_at = now
        elif outcome.result == "gone":
            row.status = "avbruten"
            await session.flush()
            await prenumeration_repository.disable(
                session, row.prenumeration_id, reason="mottagaren svarade 410 Gone", now=now
            )
            await leverans_repository.cancel_pending(
                session, prenumeration_id=row.prenumeration_id, reason="prenumerationen inaktiverad (410)"
            )
        elif outcome.result == "refused" or row.forsok >= settings.max_forsok:
            row.status = "dodsbrev"
        else:
            row.status = "misslyckad"
            wait = backoff.retry_after(outcome.retry_after, now) or backoff.delay(
                row.forsok, base=settings.backoff_bas_sekunder, cap=settings.backoff_max_sekunder
            )
            row.next_attempt_at = now + wait
        await session.flush()
    log.info(
        "leverans_forsok",
        leverans_id=str(work.leverans_id),
        result=outcome.result,
        statuskod=outcome.statuskod,
        duration_ms=outcome.duration_ms,
    )


async def attempt(
    session_factory: SessionFactory,
    work: Work,
    *,
    token: uuid.UUID,
    client: httpx.AsyncClient,
    clock: Clock,
    settings: Settings,
) -> Outcome:
    """Send one delivery and record its outcome at once, in its own short transaction: a crash
    loses at most the attempts still in flight, never ones the receiver already answered."""
    outcome = await _send(work, client=client, clock=clock, settings=settings)
    await _record(session_factory, work=work, token=token, outcome=outcome, clock=clock, settings=settings)
    return outcome


async def claim(
    session_factory: SessionFactory, clock: Clock, settings: Settings, *, limit: int
) -> tuple[uuid.UUID, list[Work]]:
    """Lease up to `limit` due deliveries (one short transaction) and load what sending needs."""
    async with session_factory() as session, session.begin():
        now = clock()
        token, ids = await leverans_repository.claim_due(
            session,
            now=now,
            lease=timedelta(seconds=settings.lease_sekunder),
            limit=limit,
            cap=settings.samtidiga_per_prenumeration,
        )
        return token, (await _load_work(session, ids, now) if ids else [])


def http_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=settings.leverans_timeout_sekunder, follow_redirects=False)


async def deliver_due(
    session_factory: SessionFactory,
    clock: Clock,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    batch: int = 50,
) -> int:
    """Claim due deliveries, send them, record each outcome as it completes; returns how many
    were attempted. (The worker does not wait for a whole batch: see notifier.workers.)"""
    token, work = await claim(session_factory, clock, settings, limit=batch)
    if not work:
        return 0
    own_client = client is None
    http = client or http_client(settings)
    try:
        await asyncio.gather(
            *(
                attempt(session_factory, w, token=token, client=http, clock=clock, settings=settings)
                for w in work
            )
        )
    finally:
        if own_client:
            await http.aclose()
    return len(work)


async def replay(session: AsyncSession, *, leverans_id: uuid.UUID, clock: Clock) -> Leverans:
    row = await leverans_repository.get(session, leverans_id, for_update=True)
    if row is None:
        raise LeveransNotFound(f"No delivery {leverans_id}.")
    if row.status != "dodsbrev":
        raise NotReplayable(
            f"Only a dead letter is replayed; this delivery is {row.status}.", leverans_status=row.status
        )
    p = await prenumeration_repository.get(session, row.prenumeration_id)
    if p is None or p.status != "aktiv":
        raise NotReplayable("The subscription is disabled.", leverans_status=row.status)
    # A fresh round of tries; the earlier attempts stay in the record.
    row.status = "vantar"
    row.forsok = 0
    row.next_attempt_at = clock()
    row.senaste_fel = None
    await session.flush()
    return row


async def get(session: AsyncSession, *, leverans_id: uuid.UUID) -> tuple[Leverans, list[Leveransforsok]]:
    row = await leverans_repository.get(session, leverans_id)
    if row is None:
        raise LeveransNotFound(f"No delivery {leverans_id}.")
    return row, await leverans_repository.attempts(session, leverans_id)


async def list_page(
    session: AsyncSession,
    *,
    status: str | None,
    prenumeration_id: uuid.UUID | None,
    cursor: uuid.UUID | None,
    limit: int,
) -> tuple[list[Leverans], str | None]:
    rows = await leverans_repository.page(
        session, status=status, prenumeration_id=prenumeration_id, after=cursor, limit=limit + 1
    )
    next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor
