"""Lists filter by what they say and refuse what they do not read (issue 14 item 3): the
deliveries of one subscription, and a 422 naming an unknown query parameter."""

from typing import Any

from tests.helpers import assert_problem
from tests.notifier.support import send_event
from tests.notifier.test_webhooks import beslut, deliveries, run_workers, subscribe


async def test_deliveries_of_one_subscription(live: Any, receiver: Any) -> None:
    first = await subscribe(live, receiver)
    second = await subscribe(live, receiver)
    await send_event(live, beslut())
    await run_workers(live)
    everything = await deliveries(live)
    assert sorted(d["prenumeration_id"] for d in everything) == sorted([first["id"], second["id"]])
    only = await deliveries(live, prenumeration_id=first["id"])
    assert [d["prenumeration_id"] for d in only] == [first["id"]]


async def test_an_unknown_query_parameter_is_named(live: Any) -> None:
    for path in ("/v1/leveranser", "/v1/prenumerationer"):
        response = await live.client.get(
            path, params={"prenumeration": "x", "foo": "1"}, headers=live.system()
        )
        problem = assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in problem["errors"]] == ["query.foo", "query.prenumeration"], problem
