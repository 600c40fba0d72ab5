"""W3C traceparent end to end over real HTTP: a command's request carries one, its outbox events
store it, the relay sends it to the notifier (CloudEvents distributed-tracing extension and the
HTTP header), and the webhook receiver gets the same trace id in both. A request without one,
or with an invalid one, yields events without it."""

from typing import Any

import httpx
import jsonschema_rs
import pytest

from case_api.events import katalog
from case_api.main import create_app as create_case_app
from case_api.relay.service import relay_batch
from case_api.settings import Settings as CaseSettings
from common.clock import system_clock
from common.db import make_engine, make_session_factory
from common.tracing import parse_traceparent
from devstack.databases import ServiceDatabase
from notifier.leveranser import service as leverans_service
from notifier.main import create_app as create_notifier_app
from notifier.settings import Settings as NotifierSettings
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory
from tests.event_contract import check
from tests.helpers import bearer
from tests.notifier.support import OPERATOR_SCOPES, Receiver, serve, stop

ENVELOPE_VALIDATOR = jsonschema_rs.validator_for(katalog.ENVELOPE, validate_formats=True)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (TRACEPARENT, TRACEPARENT),
        (f"00-{TRACE_ID.upper()}-00f067aa0ba902b7-01", None),  # upper case is invalid
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", None),
        (f"00-{TRACE_ID}-{'0' * 16}-01", None),
        (f"ff-{TRACE_ID}-00f067aa0ba902b7-01", None),
        (f"00-{TRACE_ID}-00f067aa0ba902b7-01-extra", None),  # version 00 has exactly four fields
        (f"01-{TRACE_ID}-00f067aa0ba902b7-01-future", f"00-{TRACE_ID}-00f067aa0ba902b7-01"),
        ("garbage", None),
        ("", None),
    ],
)
def test_parse_traceparent(header: str, expected: str | None) -> None:
    assert parse_traceparent(header) == expected


async def test_the_webhook_receiver_gets_the_requests_trace_id(
    committed_case_db: ServiceDatabase,
    committed_notifier_db: ServiceDatabase,
    case_settings: CaseSettings,
    test_data_dir: Any,
    token: TokenFactory,
) -> None:
    nsettings = NotifierSettings(
        DATA_DIR=test_data_dir, NOTIFIER_RUN_WORKERS=False, NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"]
    )
    hook = Receiver()
    hook_server, hook_task, hook_base = await serve(create_receiver(hook))
    hook.url = f"{hook_base}/hook"
    cengine = make_engine(committed_case_db.app_url, pool_size=3)
    nengine = make_engine(committed_notifier_db.app_url, pool_size=3)
    case_server, case_task, case_base = await serve(create_case_app(case_settings, engine=cengine))
    notifier_server, notifier_task, notifier_base = await serve(
        create_notifier_app(nsettings, engine=nengine)
    )
    try:
        async with httpx.AsyncClient(base_url=notifier_base) as client:
            r = await client.post(
                "/v1/prenumerationer",
                json={"kind": "webhook", "url": hook.url, "event_typer": ["se.socialtjanst.*"]},
                headers=bearer(token("system", sub="drift", scope=OPERATOR_SCOPES)),
            )
            assert r.status_code == 201, r.text
        handlaggare = bearer(token("handlaggare"))
        async with httpx.AsyncClient(base_url=case_base) as client:
            traced = await client.post(
                "/v1/aktualiseringar", json=ANMALAN, headers=handlaggare | {"traceparent": TRACEPARENT}
            )
            assert traced.status_code == 201, traced.text
            untraced = await client.post(
                "/v1/aktualiseringar",
                json=ANMALAN | {"barn": ANMALAN["barn"] | {"personnummer": "201203152002"}},
                headers=handlaggare | {"traceparent": f"00-{'0' * 32}-00f067aa0ba902b7-01"},
            )
            assert untraced.status_code == 201, untraced.text

        relay_settings = case_settings.model_copy(update={"notifier_url": notifier_base})
        async with httpx.AsyncClient() as http:
            while await relay_batch(make_session_factory(cengine), http, relay_settings, system_clock):
                pass
        nfactory = make_session_factory(nengine)
        while await leverans_service.fan_out(nfactory, system_clock):
            pass
        while await leverans_service.deliver_due(nfactory, system_clock, nsettings):
            pass
    finally:
        for server, task in (
            (case_server, case_task),
            (notifier_server, notifier_task),
            (hook_server, hook_task),
        ):
            await stop(server, task)
        await cengine.dispose()
        await nengine.dispose()

    by_arende: dict[str, list[dict[str, Any]]] = {}
    for request in hook.requests:
        by_arende.setdefault(request["json"].get("arendeid"), []).append(request)
    traced_id, untraced_id = traced.json()["arende_id"], untraced.json()["arende_id"]
    assert by_arende.keys() == {traced_id, untraced_id}
    for request in by_arende[traced_id]:
        assert request["headers"]["traceparent"].split("-")[1] == TRACE_ID, request["json"]["type"]
        assert request["json"]["traceparent"].split("-")[1] == TRACE_ID
        check_envelope(request["json"])
    for request in by_arende[untraced_id]:
        assert "traceparent" not in request["headers"]
        assert "traceparent" not in request["json"]


def check_envelope(event: dict[str, Any]) -> None:
    # The AsyncAPI envelope publishes the extension; what arrives must fit it.
    errors = [e.message for e in ENVELOPE_VALIDATOR.iter_errors(event)]
    assert not errors, errors
    check(event["type"], event["data"])


def create_receiver(hook: Receiver) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    return Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
