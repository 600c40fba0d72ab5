"""The relay's circuit breaker (issue 12 item 4): a notifier that cannot be reached costs no
event an attempt, however long it is down; the relay pauses as a whole and probes with one event;
only answers about the event itself (4xx) count."""

import uuid
from datetime import timedelta

from case_api.relay.breaker import Breaker
from case_api.relay.service import new_breaker, relay_batch
from tests.case_api.relay_support import delivery_states, emit_events
from tests.case_api.test_relay import T0, RelayEnv, env  # noqa: F401  (the fixture)
from tests.servers import free_port


async def batch(env: RelayEnv, breaker: Breaker) -> int:  # noqa: F811
    return await relay_batch(env.factory, env.http, env.settings, env.clock, owner="relay-a", breaker=breaker)


async def test_an_outage_costs_no_attempts_and_the_relay_backs_off_as_a_whole(env: RelayEnv) -> None:  # noqa: F811
    env.with_settings(relay_max_attempts=2, relay_breaker_base_seconds=1.0, relay_breaker_max_seconds=8.0)
    events = [(await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0))[0] for _ in range(4)]
    real_url = env.settings.notifier_url
    env.with_settings(notifier_url=f"http://127.0.0.1:{free_port()}")  # nothing listens: refused
    breaker = new_breaker(env.settings)

    claimed, pauses = [], []
    for _ in range(6):  # far more rounds than the 2 attempts an event may use
        claimed.append(await batch(env, breaker))
        assert not breaker.allows(env.clock())
        assert await batch(env, breaker) == 0  # open: nothing is claimed, nothing is sent
        pauses.append(breaker.seconds_left(env.clock()))
        env.clock.set(breaker.open_until)  # type: ignore[arg-type]
    # The first round sends the batch, then one probe per round, each pause longer (capped).
    assert claimed == [4, 1, 1, 1, 1, 1]
    steps = [1, 2, 4, 8, 8, 8]
    assert all(step / 2 <= p <= step for p, step in zip(pauses, steps, strict=True)), pauses
    states = await delivery_states(env.factory)
    assert {states[e]["status"] for e in events} == {"pending"}
    assert {states[e]["attempts"] for e in events} == {0}
    assert all("ConnectError" in states[e]["last_error"] for e in events)

    # The notifier is back: the probe gets through, the breaker closes, everything goes.
    env.with_settings(notifier_url=real_url)
    assert await batch(env, breaker) == 1
    assert breaker.allows(env.clock()) and not breaker.half_open
    while await batch(env, breaker):
        pass
    states = await delivery_states(env.factory)
    assert {states[e]["status"] for e in events} == {"sent"}
    assert set(env.receiver.stored) == {str(e) for e in events}


async def test_5xx_to_every_event_opens_the_breaker_and_a_4xx_counts(env: RelayEnv) -> None:  # noqa: F811
    env.with_settings(relay_max_attempts=2)
    [down] = await emit_events(env.factory, arende_id=uuid.uuid4(), count=1, at=T0)
    env.receiver.fail = lambda e, attempt: 503
    breaker = new_breaker(env.settings)
    for _ in range(4):
        assert await batch(env, breaker) == 1
        env.clock.set(breaker.open_until)  # type: ignore[arg-type]
    state = (await delivery_states(env.factory))[down]
    assert state["status"] == "pending" and state["attempts"] == 0 and breaker.failures == 4

    # A 409 is about the event: it counts, and the breaker (the notifier answered) closes.
    env.receiver.fail = lambda e, attempt: 409
    for _ in range(2):
        assert await batch(env, breaker) == 1
        assert breaker.failures == 0
        env.clock.set(env.clock() + timedelta(minutes=5))
    state = (await delivery_states(env.factory))[down]
    assert state["status"] == "dead" and state["attempts"] == 2
