"""Webhook delivery over real HTTP: signatures, dedupe, retries, dead letters, 410, 429, order."""

import uuid
from datetime import datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from notifier.leveranser import service as leverans_service
from tests.notifier.support import cloudevent, send_event

ARENDE = "5d1c7a0e-3c1b-4a8e-9f7e-2b6d8c4a1f00"
OTHER_ARENDE = "6e2d8b1f-4d2c-4b9f-8a8f-3c7e9d5b2a11"


async def subscribe(live, receiver, **extra):  # type: ignore[no-untyped-def]
    body = {"kind": "webhook", "url": receiver.url, "event_typer": ["se.socialtjanst.*"], **extra}
    response = await live.client.post("/v1/prenumerationer", json=body, headers=live.system())
    assert response.status_code == 201, response.text
    return response.json()


async def run_workers(live) -> int:  # type: ignore[no-untyped-def]
    await leverans_service.fan_out(live.session_factory, live.clock)
    return await leverans_service.deliver_due(live.session_factory, live.clock, live.settings)


async def deliveries(live, **params):  # type: ignore[no-untyped-def]
    response = await live.client.get("/v1/leveranser", params=params, headers=live.system())
    assert response.status_code == 200, response.text
    return response.json()["items"]


def beslut(arende: str = ARENDE, sekvens: int = 1, **data):  # type: ignore[no-untyped-def]
    return cloudevent(
        type_="se.socialtjanst.beslut.fattat",
        arende=arende,
        sekvens=sekvens,
        data={"beslut_id": "b-1", **data},
    )


async def test_signed_delivery_once_without_personal_data(live, receiver) -> None:  # type: ignore[no-untyped-def]
    sub = await subscribe(live, receiver)
    secret = sub["hemlighet"]
    assert secret.startswith("whsec_")
    event = beslut(namn="Tolvan Tolvansson", personnummer="19121212-1212", barn={"fornamn": "Tolvan"})
    assert (await send_event(live, event)).status_code == 202
    assert (await send_event(live, event)).status_code == 200  # a repeat: stored once
    assert await run_workers(live) == 1
    assert await run_workers(live) == 0
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload["id"] == event["id"] and payload["type"] == event["type"]
    assert payload["data"] == {"beslut_id": "b-1", "barn": {}}
    assert "19121212" not in request["body"] and "Tolvan" not in request["body"]
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(request["body"], request["headers"])
    [delivery] = await deliveries(live)
    detail = (await live.client.get(f"/v1/leveranser/{delivery['id']}", headers=live.system())).json()
    assert detail["status"] == "levererad" and len(detail["attempts"]) == 1
    assert detail["attempts"][0]["statuskod"] == 200


async def test_personal_data_kept_when_allowed(live, receiver) -> None:  # type: ignore[no-untyped-def]
    await subscribe(live, receiver, tillat_personuppgifter=True)
    await send_event(live, beslut(namn="Tolvan Tolvansson"))
    await run_workers(live)
    assert receiver.requests[0]["json"]["data"]["namn"] == "Tolvan Tolvansson"


async def test_secret_rotation_signs_with_both(live, receiver) -> None:  # type: ignore[no-untyped-def]
    sub = await subscribe(live, receiver)
    old = sub["hemlighet"]
    new = "whsec_" + "B" * 43 + "="
    response = await live.client.patch(
        f"/v1/prenumerationer/{sub['id']}",
        json={"hemlighet": new},
        headers={**live.system(), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["rotation_pagar"] is True
    await send_event(live, beslut(sekvens=1))
    await run_workers(live)
    request = receiver.requests[-1]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(request["body"], request["headers"])
    Webhook(new).verify(request["body"], request["headers"])
    # The overlap ends: only the new secret signs.
    live.clock.set(live.clock.now + timedelta(hours=live.settings.hemlighet_overlapp_timmar, seconds=1))
    await send_event(live, beslut(sekvens=2))
    await run_workers(live)
    request = receiver.requests[-1]
    assert len(request["headers"]["webhook-signature"].split(" ")) == 1
    assert request["json"]["sekvens"] == 2


async def test_failing_receiver_is_retried_dead_lettered_and_replayed(live, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.default = 500
    await subscribe(live, receiver)
    await send_event(live, beslut())
    assert await run_workers(live) == 1
    [delivery] = await deliveries(live)
    assert delivery["status"] == "misslyckad" and delivery["forsok"] == 1
    assert await run_workers(live) == 0  # not due yet: backoff
    for _ in range(live.settings.max_forsok - 1):
        live.clock.set(live.clock.now + timedelta(seconds=live.settings.backoff_max_sekunder))
        assert await run_workers(live) == 1
    [delivery] = await deliveries(live)
    assert delivery["status"] == "dodsbrev" and delivery["forsok"] == live.settings.max_forsok
    assert len(receiver.requests) == live.settings.max_forsok
    assert [d["id"] for d in await deliveries(live, status="dodsbrev")] == [delivery["id"]]

    receiver.default = 200
    replay = await live.client.post(f"/v1/leveranser/{delivery['id']}/omleverans", headers=live.system())
    assert replay.status_code == 202, replay.text
    assert await run_workers(live) == 1
    detail = (await live.client.get(f"/v1/leveranser/{delivery['id']}", headers=live.system())).json()
    assert detail["status"] == "levererad"
    assert [a["statuskod"] for a in detail["attempts"]] == [500] * live.settings.max_forsok + [200]
    again = await live.client.post(f"/v1/leveranser/{delivery['id']}/omleverans", headers=live.system())
    assert again.status_code == 409


async def test_gone_disables_the_subscription(live, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.script = [(410, {})]
    sub = await subscribe(live, receiver)
    await send_event(live, beslut(arende=ARENDE))
    await send_event(live, beslut(arende=ARENDE, sekvens=2))
    await run_workers(live)
    state = (await live.client.get(f"/v1/prenumerationer/{sub['id']}", headers=live.system())).json()
    assert state["status"] == "inaktiverad"
    assert sorted(d["status"] for d in await deliveries(live)) == ["avbruten", "avbruten"]
    assert len(receiver.requests) == 1
    await send_event(live, beslut(sekvens=3))
    await run_workers(live)
    assert len(receiver.requests) == 1


async def test_retry_after_is_honoured(live, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.script = [(429, {"Retry-After": "120"})]
    await subscribe(live, receiver)
    await send_event(live, beslut())
    start = live.clock.now
    await run_workers(live)
    [delivery] = await deliveries(live)
    assert delivery["status"] == "misslyckad"
    assert datetime.fromisoformat(delivery["next_attempt_at"]) == start + timedelta(seconds=120)
    live.clock.set(start + timedelta(seconds=119))
    assert await run_workers(live) == 0
    live.clock.set(start + timedelta(seconds=120))
    assert await run_workers(live) == 1
    assert (await deliveries(live))[0]["status"] == "levererad"


async def test_order_per_arende(live, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.default = 503  # the first round fails, whichever request comes first
    await subscribe(live, receiver)
    for sekvens in (1, 2, 3):
        await send_event(live, beslut(arende=ARENDE, sekvens=sekvens))
    await send_event(live, beslut(arende=OTHER_ARENDE, sekvens=1))
    await run_workers(live)
    # The ärende's first event failed: its later ones wait; the other ärende is not held up.
    attempted = [(r["json"]["arendeid"], r["json"]["sekvens"]) for r in receiver.requests]
    assert sorted(attempted) == sorted([(ARENDE, 1), (OTHER_ARENDE, 1)])
    receiver.default = 200
    for _ in range(5):
        live.clock.set(live.clock.now + timedelta(seconds=live.settings.backoff_max_sekunder))
        await run_workers(live)
    delivered = [r["json"]["sekvens"] for r in receiver.requests if r["json"]["arendeid"] == ARENDE]
    assert delivered == [1, 1, 2, 3]


async def test_dead_letter_does_not_block_later_events(live, receiver) -> None:  # type: ignore[no-untyped-def]
    receiver.script = [(500, {})] * live.settings.max_forsok
    await subscribe(live, receiver)
    await send_event(live, beslut(sekvens=1))
    await send_event(live, beslut(sekvens=2))
    for _ in range(live.settings.max_forsok + 1):
        await run_workers(live)
        live.clock.set(live.clock.now + timedelta(seconds=live.settings.backoff_max_sekunder))
    statuses = {d["sekvens"]: d["status"] for d in await deliveries(live)}
    assert statuses == {1: "dodsbrev", 2: "levererad"}


async def test_url_is_checked_again_at_delivery(live, receiver) -> None:  # type: ignore[no-untyped-def]
    await subscribe(live, receiver)
    await send_event(live, beslut())
    strict = live.settings.model_copy(update={"tillatna_webhook_vardar": []})
    await leverans_service.fan_out(live.session_factory, live.clock)
    assert await leverans_service.deliver_due(live.session_factory, live.clock, strict) == 1
    [delivery] = await deliveries(live)
    assert delivery["status"] == "dodsbrev" and "URL refused" in delivery["senaste_fel"]
    assert receiver.requests == []


async def test_filters_by_type_and_enhet(live, receiver) -> None:  # type: ignore[no-untyped-def]
    await subscribe(
        live,
        receiver,
        event_typer=["se.socialtjanst.bevakning.*", "se.socialtjanst.beslut.fattat"],
        enhet="bou-2",
    )
    await send_event(live, beslut())  # enhet bou-1: filtered out
    await send_event(
        live,
        cloudevent(type_="se.socialtjanst.beslut.fattat", arende=ARENDE, sekvens=2, data={}, enhet="bou-2"),
    )
    await send_event(
        live,
        cloudevent(
            type_="se.socialtjanst.utredning.inledd", arende=ARENDE, sekvens=3, data={}, enhet="bou-2"
        ),
    )
    await send_event(
        live,
        cloudevent(
            type_="se.socialtjanst.bevakning.forsenad", arende=ARENDE, sekvens=4, data={}, enhet="bou-2"
        ),
    )
    while await run_workers(live):
        pass
    assert sorted(r["json"]["sekvens"] for r in receiver.requests) == [2, 4]
    assert uuid.UUID(receiver.requests[0]["headers"]["webhook-id"])
