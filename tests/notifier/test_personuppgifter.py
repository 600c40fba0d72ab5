"""Issue 11, item 3: personal data leaves a webhook body by value too, not only by key.

A personnummer under an innocent key (`ref`, a free-text `kommentar`, an item of a list) went
to a receiver whose subscription does not allow personal data.
"""

import uuid

import pytest

from notifier.leveranser.personuppgifter import looks_personal, strip_personal
from tests.notifier.support import send_event
from tests.notifier.test_webhooks import beslut, run_workers, subscribe

PERSONAL = [
    "19121212-1212",
    "191212121212",
    "121212-1212",
    "1212121212",
    "19121212+1212",
    "20150314-2380",
    "19811289-9874",  # a samordningsnummer: day + 60
    "Ring om 19121212-1212 idag",
    "(121212-1212)",
    "tolvan@example.com",
    "Skriv till tolvan.tolvansson@kommun.example.",
    191212121212,
]
NOT_PERSONAL = [
    "3a9d7c1e-0000-4000-8000-000000000001",
    "19121212-1212-4abc-8def-191212121212",  # a UUID whose groups look like one
    "2026-11-23T10:00:00+01:00",
    "20261123",
    "se.socialtjanst.bevakning.forsenad",
    "bou-1",
    "191213131212",  # month 13
    "19121232-1212",  # day 32
    7,
    2770,
    True,
    None,
]


@pytest.mark.parametrize("value", PERSONAL)
def test_personal_values_are_seen(value: object) -> None:
    assert looks_personal(value)


@pytest.mark.parametrize("value", NOT_PERSONAL)
def test_ids_dates_and_numbers_are_not(value: object) -> None:
    assert not looks_personal(value)


def test_no_uuid_is_ever_taken_for_one() -> None:
    """About one random UUID in 3,000 ends in two hex letters and ten digits."""
    assert not any(looks_personal(str(uuid.uuid4())) for _ in range(30_000))


def test_strip_by_value_at_any_depth() -> None:
    data = {
        "beslut_id": "3a9d7c1e-0000-4000-8000-000000000001",
        "ref": "19121212-1212",
        "kommentar": "barnet 121212-1212 har flyttat",
        "parter": [{"roll": "vardnadshavare", "id": "201503142380"}, "19121212-1212", "bou-1"],
        "191212121212": {"status": "oppen"},
        "kontakt": {"gata": "Storgatan 1"},
        "sekvens": 4,
    }
    assert strip_personal(data) == {
        "beslut_id": "3a9d7c1e-0000-4000-8000-000000000001",
        "parter": [{"roll": "vardnadshavare"}, "bou-1"],
        "sekvens": 4,
    }


async def test_webhook_without_personal_data_drops_a_personnummer_under_any_key(live, receiver) -> None:  # type: ignore[no-untyped-def]
    await subscribe(live, receiver)
    event = beslut(ref="19121212-1212", anteckning="mamma nås på tolvan@example.com", parter=["121212-1212"])
    assert (await send_event(live, event)).status_code == 202
    assert await run_workers(live) == 1
    [request] = receiver.requests
    assert request["json"]["data"] == {"beslut_id": "b-1", "parter": []}
    for secret in ("19121212", "121212-1212", "tolvan@"):
        assert secret not in request["body"]


async def test_allowed_personal_data_is_left_alone(live, receiver) -> None:  # type: ignore[no-untyped-def]
    await subscribe(live, receiver, tillat_personuppgifter=True)
    assert (await send_event(live, beslut(ref="19121212-1212"))).status_code == 202
    await run_workers(live)
    assert receiver.requests[0]["json"]["data"]["ref"] == "19121212-1212"
