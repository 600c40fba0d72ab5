"""Issue 11, item 8: the webhook URL guard canonicalises numeric hosts and the allow-list has ports.

Before: `0177.0.0.1`, `2130706433`, `0x7f000001`, `127.1` and `0` were taken for names at
creation (201) and reached 127.0.0.1 at delivery; allowing `127.0.0.1` opened every port on
the loopback.
"""

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from notifier.leveranser import service as leverans_service
from notifier.prenumerationer import url_guard
from notifier.settings import Settings
from tests.helpers import assert_problem, bearer
from tests.notifier.support import OPERATOR_SCOPES, send_event
from tests.notifier.test_webhooks import beslut, deliveries, subscribe

NUMERIC_FORMS = {
    "0177.0.0.1": "127.0.0.1",
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0X7F000001": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0": "0.0.0.0",
    "0x7f.0.0.1": "127.0.0.1",
    "017700000001": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "10.1": "10.0.0.1",
    "0251.0376.0251.0376": "169.254.169.254",
    "134744072": "8.8.8.8",  # public, but still not written as the address it is
}
NOT_ADDRESSES = ["1.2.3.4.5", "256.1.1.1", "example.123", "1.2.3.0400", "08.0.0.1", "0x1.0x100.1.1"]


def _create(client: Any, token: Any, url: str) -> Any:
    body = {"kind": "webhook", "url": url, "event_typer": ["*"]}
    return client.post(
        "/v1/prenumerationer", json=body, headers=bearer(token("system", scope=OPERATOR_SCOPES))
    )


def _allow(app: Any, *entries: str) -> None:
    app.state.settings = app.state.settings.model_copy(update={"tillatna_webhook_vardar": list(entries)})


@pytest.mark.parametrize(("host", "canonical"), NUMERIC_FORMS.items())
async def test_numeric_host_forms_are_refused_at_creation(notifier_client, token, host, canonical) -> None:  # type: ignore[no-untyped-def]
    body = assert_problem(await _create(notifier_client, token, f"http://{host}/hook"), 422)
    assert canonical in body["detail"]


@pytest.mark.parametrize("host", NUMERIC_FORMS)
async def test_numeric_forms_stay_refused_when_the_address_is_allowed(  # type: ignore[no-untyped-def]
    notifier_app, notifier_client, token, host
) -> None:
    """Allowing 127.0.0.1 allows it written as 127.0.0.1: no second spelling to review."""
    _allow(notifier_app, "0.0.0.0/0:*")
    assert_problem(await _create(notifier_client, token, f"http://{host}:8123/hook"), 422)
    assert (await _create(notifier_client, token, "http://127.0.0.1:8123/hook")).status_code == 201


@pytest.mark.parametrize("host", NOT_ADDRESSES)
async def test_hosts_ending_in_a_number_must_be_addresses(notifier_client, token, host) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await _create(notifier_client, token, f"http://{host}/hook"), 422)


@pytest.mark.parametrize(
    "url",
    [
        "http://１２７.０.０.１/hook",  # fullwidth digits: IDNA makes them 127.0.0.1
        "http://127。0。0。1/hook",  # ideographic full stops
        "http://%31%32%37.0.0.1/hook",
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
        "http://[::ffff:7f00:1]/hook",
        "http://exa mple.com/hook",
    ],
)
async def test_other_spellings_of_local_addresses_are_refused(notifier_client, token, url) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await _create(notifier_client, token, url), 422)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/x", "http://8.8.8.8/x", "https://xn--exmple-cua.se/x", "http://1e100.net/x"],
)
async def test_public_hosts_still_pass(notifier_client, token, url) -> None:  # type: ignore[no-untyped-def]
    response = await _create(notifier_client, token, url)
    assert response.status_code == 201, response.text


async def test_an_entry_with_a_port_opens_that_port_only(notifier_app, notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    _allow(notifier_app, "127.0.0.1:8123", "[::1]:9000", "10.20.0.0/16:8443")
    for url in ("http://127.0.0.1:8123/x", "http://[::1]:9000/x", "https://10.20.3.4:8443/x"):
        assert (await _create(notifier_client, token, url)).status_code == 201, url
    for url in (
        "http://127.0.0.1/x",
        "http://127.0.0.1:5432/x",
        "http://127.0.0.1:8000/x",
        "http://[::1]:8123/x",
        "https://10.20.3.4/x",
        "https://10.21.0.1:8443/x",
    ):
        assert_problem(await _create(notifier_client, token, url), 422)


async def test_a_host_only_entry_opens_80_and_443_only(notifier_app, notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    _allow(notifier_app, "127.0.0.1", "localhost")
    for url in ("http://127.0.0.1/x", "https://127.0.0.1/x", "http://127.0.0.1:443/x", "http://localhost/x"):
        assert (await _create(notifier_client, token, url)).status_code == 201, url
    for url in ("http://127.0.0.1:8001/x", "http://127.0.0.1:5432/x", "http://localhost:8000/x"):
        body = assert_problem(await _create(notifier_client, token, url), 422)
        assert "port" in body["detail"] or "loopback" in body["detail"]


async def test_a_star_opens_every_port(notifier_app, notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    _allow(notifier_app, "127.0.0.1:*")
    assert (await _create(notifier_client, token, "http://127.0.0.1:5432/x")).status_code == 201


async def test_delivery_checks_the_port_too(live, receiver) -> None:  # type: ignore[no-untyped-def]
    """A subscription made under a wider allow-list, delivered under host-only `127.0.0.1`:
    the receiver's random port is not 80 or 443, so the POST never leaves."""
    await subscribe(live, receiver)
    await send_event(live, beslut())
    narrow = live.settings.model_copy(update={"tillatna_webhook_vardar": ["127.0.0.1"]})
    await leverans_service.fan_out(live.session_factory, live.clock)
    assert await leverans_service.deliver_due(live.session_factory, live.clock, narrow) == 1
    [delivery] = await deliveries(live)
    assert delivery["status"] == "dodsbrev" and "URL refused" in delivery["senaste_fel"]
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url", ["http://2130706433:{port}/hook", "http://127.1:{port}/hook", "http://0x7f000001:{port}/hook"]
)
async def test_delivery_refuses_numeric_forms_already_stored(live, receiver, url) -> None:  # type: ignore[no-untyped-def]
    """A subscription stored before this check (written here straight to the table) is not
    delivered to: the resolver would read 2130706433 as 127.0.0.1."""
    created = await subscribe(live, receiver)
    port = receiver.url.split(":")[2].split("/")[0]
    async with live.session_factory() as session, session.begin():
        await session.execute(
            text("UPDATE prenumeration SET url = :u WHERE id = :i"),
            {"u": url.format(port=port), "i": created["id"]},
        )
    await send_event(live, beslut())
    await leverans_service.fan_out(live.session_factory, live.clock)
    await leverans_service.deliver_due(live.session_factory, live.clock, live.settings)
    [delivery] = await deliveries(live)
    assert delivery["status"] == "dodsbrev" and "non-canonical" in delivery["senaste_fel"]
    assert receiver.requests == []


@pytest.mark.parametrize(
    "entry", ["127.0.0.1:99999", "127.0.0.1:", "2130706433", "127.1:8080", "[::1]8080", ":8080", "a b"]
)
def test_a_bad_allow_list_entry_stops_the_service(entry: str) -> None:
    with pytest.raises(ValidationError):
        Settings(NOTIFIER_TILLATNA_WEBHOOK_VARDAR=[entry])


def test_allow_entries_parse() -> None:
    entries = url_guard.parse_allow_list(["127.0.0.1:8123", "Hooks.Intern", "[fd00::/8]:*", "10.0.0.0/8"])
    assert [(e.name, str(e.network) if e.network else None, e.port) for e in entries] == [
        (None, "127.0.0.1/32", 8123),
        ("hooks.intern", None, None),
        (None, "fd00::/8", "*"),
        (None, "10.0.0.0/8", None),
    ]
