"""The outbox relay over real HTTP and a real PostgreSQL with committed transactions."""

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from case_api.main import create_app
from case_api.relay import delivery
from case_api.relay import repository as relay_repository
from case_api.relay.service import backoff_seconds, relay_batch
from case_api.relay.worker import listen_dsn, run_relay
from case_api.settings import Settings
from common.clock import FrozenClock, system_clock
from common.db import make_engine, make_session_factory
from tests.case_api.relay_support import (
    Receiver,
    arrival_order_by_arende,
    delivery_states,
    emit_events,
    running_receiver,
)
from tests.conftest import asgi_client
from tests.helpers import assert_problem, bearer
from tests.servers import running_service

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class RelayEnv:
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]
    receiver: Receiver
    settings: Settings
    http: httpx.AsyncClient
    clock: FrozenClock

    def with_settings(self, **changes: Any) -> Settings:
        self.settings = self.settings.model_copy(update=changes)
        return self.settings

    async def batch(self, owner: str = "relay-a") -> int:
        return await relay_batch(self.factory, self.http, self.settings, self.clock, owner=owner)

    async def drain(self, rounds: int = 50) -> None:
        for _ in range(rounds):
            if not await self.batch():
                return
        raise AssertionError("relay did not drain")


@pytest.fixture
async def env(committed_case_db, case_settings) -> AsyncIterator[RelayEnv]:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_case_db.app_url, pool_size=5)
    async with running_receiver(case_settings) as receiver, httpx.AsyncClient() as http:
        settings = case_settings.model_copy(
            update={
                "notifier_url": receiver.url,
                "relay_backoff_base_seconds": 1.0,
                "relay_backoff_max_seconds": 60.0,
            }
        )
        yield RelayEnv(engine, make_session_factory(engine), receiver, settings, http, FrozenClock(T0))
    await engine.dispose()


async def test_event_is_sent_as_structured_cloudevent_with_system_token(env: RelayEnv) -> None:
    arende = uuid.uuid4()
    [with_arende] = await emit_events(env.factory, arende_id=arende, count=1, at=T0, enhet="bou-7")
    [without] = await emit_events(env.factory, arende_id=None, count=1, at=T0)

    assert await env.batch() == 2
    assert await env.batch() == 0

    assert env.receiver.bad_auth == 0
    headers, _ = env.receiver.requests[0]
    assert headers["content-type"] == "application/cloudevents+json"
    event = env.receiver.stored[str(with_arende)]
    assert event["specversion"] == "1.0"
    assert event["source"] == env.settings.event_source
    assert event["type"] == "se.socialtjanst.test.handelse"
    assert event["subject"] == str(arende)
    assert event["arendeid"] == str(arende)
    assert event["enhet"] == "bou-7"
    assert isinstance(event["sekvens"], int)
    assert event["datacontenttype"] == "application/json"
    assert datetime.fromisoformat(event["time"]) == T0
    assert event["data"] == {"enhet": "bou-7", "n": 0, "arende_id": str(arende)}
    no_arende = env.receiver.stored[str(without)]
    assert "arendeid" not in no_arende and no_arende["subject"] == "-"

    states = await delivery_states(env.factory)
    assert {s["status"] for s in states.values()} == {"sent"}
    assert all(s["lease_owner"] is None for s in states.values())


async def test_a_later_event_waits_while_an_earlier_one_of_its_arende_is_retried(env: RelayEnv) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    a1, a2 = await emit_events(env.factory, arende_id=a, count=2, at=T0)
    [b1] = await emit_events(env.factory, arende_id=b, count=1, at=T0)
    env.receiver.fail = lambda e, attempt: 503 if e["id"] == str(a1) and attempt == 1 else None

    assert await env.batch() == 2  # a1 and b1; a2 waits behind a1
    assert list(env.receiver.stored) == [str(b1)]
    assert await env.batch() == 0  # a1 is backing off, a2 still waits
    state = (await delivery_states(env.factory))[a1]
    # A 503 is the notifier's trouble, not the event's: retried, but it costs no attempt.
    assert state["status"] == "pending" and state["attempts"] == 0 and "HTTP 503" in state["last_error"]

    env.clock.set(T0 + timedelta(seconds=61))
    await env.drain()
    assert arrival_order_by_arende(env.receiver.arrivals)[str(a)] == sorted(
        arrival_order_by_arende(env.receiver.arrivals)[str(a)]
    )
    assert env.receiver.first_order.index(str(a1)) < env.receiver.first_order.index(str(a2))


async def test_backoff_grows_and_dead_letter_blocks_arende_until_replayed(env: RelayEnv, token) -> None:  # type: ignore[no-untyped-def]
    env.with_settings(relay_max_attempts=3)
    a, b = uuid.uuid4(), uuid.uuid4()
    a1, a2 = await emit_events(env.factory, arende_id=a, count=2, at=T0)
    b_events = await emit_events(env.factory, arende_id=b, count=2, at=T0)
    broken = {str(a1)}
    # A 4xx about the event counts against its attempts (a 5xx would not: test_relay_breaker.py).
    env.receiver.fail = lambda e, attempt: 409 if e["id"] in broken else None

    waits = []
    for _ in range(3):
        await env.drain()
        state = (await delivery_states(env.factory))[a1]
        if state["status"] == "dead":
            break
        async with env.factory() as session:
            next_at = (
                await session.execute(
                    text("SELECT next_attempt_at FROM outbox_delivery WHERE outbox_id = :i"), {"i": a1}
                )
            ).scalar_one()
        waits.append((next_at - env.clock()).total_seconds())
        env.clock.set(next_at)
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0
    states = await delivery_states(env.factory)
    assert states[a1]["status"] == "dead" and states[a1]["attempts"] == 3
    assert states[a2]["status"] == "pending" and states[a2]["attempts"] == 0
    assert str(a2) not in env.receiver.stored
    assert all(str(i) in env.receiver.stored for i in b_events)

    app = create_app(env.settings, engine=env.engine)
    app.state.clock = env.clock
    system = bearer(token("system", enhet=None))
    async with asgi_client(app) as client:
        status = (await client.get("/v1/drift/utkorg", headers=system)).json()
        assert status["dead"] == 1 and status["pending"] == 1 and status["in_flight"] == 0
        assert status["oldest_pending_age_seconds"] == pytest.approx((env.clock() - T0).total_seconds())
        page = (await client.get("/v1/drift/utkorg/dodsbrev", headers=system)).json()
        assert [i["id"] for i in page["items"]] == [str(a1)]
        assert "HTTP 409" in page["items"][0]["last_error"] and page["next_cursor"] is None

        broken.clear()
        replayed = await client.post(f"/v1/drift/utkorg/{a1}/omforsok", headers=system)
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["status"] == "pending" and replayed.json()["attempts"] == 0
        await env.drain()
        assert env.receiver.first_order[-2:] == [str(a1), str(a2)]
        again = await client.post(f"/v1/drift/utkorg/{a1}/omforsok", headers=system)
        assert_problem(again, 409, "utkorg-not-dead-letter")
        status = (await client.get("/v1/drift/utkorg", headers=system)).json()
        assert status == {"pending": 0, "in_flight": 0, "dead": 0, "oldest_pending_age_seconds": None}


async def test_an_event_the_notifier_rejects_as_invalid_is_dead_lettered_at_once(env: RelayEnv) -> None:
    [bad] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    env.receiver.fail = lambda e, attempt: 422
    assert await env.batch() == 1
    state = (await delivery_states(env.factory))[bad]
    assert state["status"] == "dead" and state["attempts"] == 1


async def test_an_unreachable_notifier_is_retried(env: RelayEnv) -> None:
    [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    real_url = env.settings.notifier_url
    env.with_settings(notifier_url="http://127.0.0.1:9")  # discard port: connection refused
    assert await env.batch() == 1
    state = (await delivery_states(env.factory))[event]
    assert state["status"] == "pending" and "ConnectError" in state["last_error"]
    env.with_settings(notifier_url=real_url)
    env.clock.set(T0 + timedelta(minutes=5))
    await env.drain()
    assert str(event) in env.receiver.stored


async def test_no_lock_is_held_while_the_http_call_is_in_flight(env: RelayEnv) -> None:
    [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    env.receiver.gate = asyncio.Event()
    sending = asyncio.create_task(env.batch())
    while not env.receiver.in_flight:
        await asyncio.sleep(0.01)
    async with env.factory() as session, session.begin():
        row = (
            await session.execute(
                text(
                    "SELECT lease_owner, lease_until FROM outbox_delivery WHERE outbox_id = :i FOR UPDATE NOWAIT"
                ),
                {"i": event},
            )
        ).one()
    assert row.lease_owner == "relay-a" and row.lease_until == T0 + timedelta(seconds=30)
    env.receiver.gate.set()
    assert await sending == 1
    assert (await delivery_states(env.factory))[event]["status"] == "sent"


async def test_an_expired_lease_is_claimed_again(env: RelayEnv) -> None:
    [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    async with env.factory() as session, session.begin():  # a relay that claims and dies
        claimed = await relay_repository.claim(
            session, now=T0, lease_until=T0 + timedelta(seconds=30), owner="crashed", limit=10
        )
    assert [c.id for c in claimed] == [event]
    assert await env.batch() == 0
    env.clock.set(T0 + timedelta(seconds=31))
    assert await env.batch() == 1
    state = (await delivery_states(env.factory))[event]
    assert state["status"] == "sent" and state["attempts"] == 2


async def test_a_lost_lease_on_the_last_attempt_ends_as_dead_letter(env: RelayEnv) -> None:
    env.with_settings(relay_max_attempts=1)
    [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    async with env.factory() as session, session.begin():
        await relay_repository.claim(
            session, now=T0, lease_until=T0 + timedelta(seconds=30), owner="crashed", limit=10
        )
    env.clock.set(T0 + timedelta(seconds=31))
    assert await env.batch() == 0
    state = (await delivery_states(env.factory))[event]
    assert state["status"] == "dead" and "lease expired" in state["last_error"]


async def test_a_late_failure_from_a_relay_that_lost_its_lease_changes_nothing(env: RelayEnv) -> None:
    [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    async with env.factory() as session, session.begin():
        await relay_repository.claim(
            session, now=T0, lease_until=T0 + timedelta(seconds=30), owner="slow", limit=10
        )
    env.clock.set(T0 + timedelta(seconds=31))
    assert await env.batch(owner="fast") == 1
    async with env.factory() as session, session.begin():
        await relay_repository.mark_failed(
            session,
            id=event,
            owner="slow",
            error="timeout",
            next_attempt_at=T0 + timedelta(hours=1),
            dead=False,
        )
    assert (await delivery_states(env.factory))[event]["status"] == "sent"


async def test_notify_wakes_the_relay_long_before_the_poll(env: RelayEnv) -> None:
    settings = env.with_settings(relay_poll_seconds=30.0)
    relay = asyncio.create_task(
        run_relay(env.factory, env.http, settings, system_clock, dsn=listen_dsn(env.engine))
    )
    try:
        await _wait_for_listener(env)
        [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
        await _wait_until(lambda: str(event) in env.receiver.stored, seconds=3)

        # The LISTEN connection dies: the relay reconnects and is woken again.
        async with env.factory() as session:
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN%'"
                )
            )
        await asyncio.sleep(settings.relay_poll_seconds / 30 + 0.5)
        await _wait_for_listener(env)
        [again] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
        await _wait_until(lambda: str(again) in env.receiver.stored, seconds=3)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


async def test_polling_alone_still_delivers(env: RelayEnv) -> None:
    settings = env.with_settings(relay_poll_seconds=0.2, relay_listen=False)
    relay = asyncio.create_task(run_relay(env.factory, env.http, settings, system_clock, dsn=None))
    try:
        await asyncio.sleep(0.1)
        [event] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
        await _wait_until(lambda: str(event) in env.receiver.stored, seconds=3)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


async def test_two_relays_at_once_never_reorder_an_arende(env: RelayEnv, committed_case_db) -> None:  # type: ignore[no-untyped-def]
    import random

    rng = random.Random(4)
    env.receiver.fail = lambda e, attempt: 503 if rng.random() < 0.15 else None
    env.receiver.delay = 0.002
    settings = env.with_settings(
        relay_poll_seconds=0.05,
        relay_backoff_base_seconds=0.01,
        relay_backoff_max_seconds=0.05,
        relay_batch_size=7,
    )
    arenden = [uuid.uuid4() for _ in range(6)]
    other_engine = make_engine(committed_case_db.app_url, pool_size=3)
    relays = [
        asyncio.create_task(
            run_relay(env.factory, env.http, settings, system_clock, dsn=listen_dsn(env.engine))
        ),
        asyncio.create_task(
            run_relay(
                make_session_factory(other_engine),
                env.http,
                settings,
                system_clock,
                dsn=listen_dsn(other_engine),
            )
        ),
    ]
    try:
        # Events keep committing while both relays run, several per transaction.
        emitted = await asyncio.gather(
            *(emit_events(env.factory, arende_id=a, count=30, at=T0, per_transaction=3) for a in arenden)
        )
        expected = {str(i) for ids in emitted for i in ids}
        await _wait_until(lambda: expected <= set(env.receiver.stored), seconds=60)
    finally:
        for relay in relays:
            relay.cancel()
        await asyncio.gather(*relays, return_exceptions=True)
        await other_engine.dispose()

    first = [env.receiver.stored[i] for i in env.receiver.first_order]
    for arende, seqs in arrival_order_by_arende(first).items():
        assert seqs == sorted(seqs), arende
        assert len(seqs) == 30
    # Even counting repeats, no event arrived before every earlier event of its ärende had.
    seen: dict[str, int] = {}
    for event in env.receiver.arrivals:
        arende, seq = event["arendeid"], int(event["sekvens"])
        assert seq >= seen.get(arende, 0)
        seen[arende] = max(seen.get(arende, 0), seq)


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    low = [backoff_seconds(n, base=1.0, cap=600.0, rand=lambda: 0.0) for n in range(1, 14)]
    high = [backoff_seconds(n, base=1.0, cap=600.0, rand=lambda: 1.0) for n in range(1, 14)]
    assert low[:4] == [0.5, 1.0, 2.0, 4.0] and high[:4] == [1.0, 2.0, 4.0, 8.0]
    assert max(high) == 600.0 and low[-1] == 300.0
    assert all(a <= b for a, b in itertools.pairwise(low))


def test_token_source_prefers_the_configured_token_and_renews_a_dev_token(case_settings) -> None:  # type: ignore[no-untyped-def]
    assert delivery.TokenSource(case_settings.model_copy(update={"notifier_token": "tok"})).token() == "tok"
    now = [1_000_000.0]
    source = delivery.TokenSource(
        case_settings, ttl_seconds=600, renew_before_seconds=60, wall_clock=lambda: now[0]
    )
    first = source.token()
    now[0] += 500
    assert source.token() == first
    now[0] += 50  # within a minute of expiry
    assert source.token() != first


async def _wait_until(condition, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.01)


async def _wait_for_listener(env: RelayEnv) -> None:
    for _ in range(300):
        async with env.factory() as session:
            listening = (
                await session.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND state = 'idle'"
                    )
                )
            ).scalar_one()
        if listening:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the relay never listened")


async def test_a_repeat_after_a_crash_is_absorbed_by_the_real_notifier(
    committed_case_db, committed_notifier_db, case_settings, test_data_dir
) -> None:  # type: ignore[no-untyped-def]
    """A relay sends, dies before recording it; the next relay sends again: one inbox row."""
    engine = make_engine(committed_case_db.app_url, pool_size=2)
    inbox = make_engine(committed_notifier_db.app_url, pool_size=2)
    factory = make_session_factory(engine)
    env = {
        "DATA_DIR": str(test_data_dir),
        "LOG_LEVEL": "WARNING",
        "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url,
        "NOTIFIER_RUN_WORKERS": "false",
    }
    try:
        with running_service("notifier.main:create_app", env) as url:
            settings = case_settings.model_copy(update={"notifier_url": url})
            clock = FrozenClock(T0)
            [event] = await emit_events(factory, arende_id=uuid.uuid4(), count=1, at=T0)
            async with httpx.AsyncClient() as http:
                async with factory() as session, session.begin():
                    [claimed] = await relay_repository.claim(
                        session, now=T0, lease_until=T0 + timedelta(seconds=30), owner="doomed", limit=1
                    )
                first = await delivery.send(
                    http, claimed, settings=settings, tokens=delivery.TokenSource(settings)
                )
                assert first.delivered
                clock.set(T0 + timedelta(seconds=31))
                repeat = await delivery.send(
                    http, claimed, settings=settings, tokens=delivery.TokenSource(settings)
                )
                assert repeat.delivered
                assert await relay_batch(factory, http, settings, clock) == 1
        async with inbox.connect() as conn:
            rows = (await conn.execute(text("SELECT event_id FROM inbox_event"))).scalars().all()
        assert rows == [str(event)]
        assert (await delivery_states(factory))[event]["status"] == "sent"
    finally:
        await engine.dispose()
        await inbox.dispose()


def test_a_request_timeout_as_long_as_the_lease_is_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="RELAY_HTTP_TIMEOUT_SECONDS"):
        Settings(RELAY_LEASE_SECONDS=10, RELAY_HTTP_TIMEOUT_SECONDS=10)
    assert Settings(RELAY_LEASE_SECONDS=10, RELAY_HTTP_TIMEOUT_SECONDS=5).relay_lease_seconds == 10
