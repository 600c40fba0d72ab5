"""OpenTelemetry traces: off by default (no middleware at all), on by TRACING_ENABLED with spans
exported over OTLP/HTTP, here to a real collector endpoint in the test that decodes them."""

import asyncio
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from case_api.main import create_app as create_case_app
from case_api.settings import Settings as CaseSettings
from common.otel import TracingMiddleware
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory, asgi_client, bind_to_test_transaction
from tests.helpers import bearer
from tests.notifier.support import serve, stop

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


class Collector:
    """The OTLP/HTTP traces endpoint of a collector: protobuf in, spans kept."""

    def __init__(self) -> None:
        self.spans: list[Any] = []

    async def handle(self, request: Request) -> Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.body())
        for resource in message.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}["service.name"]
            for scope in resource.scope_spans:
                self.spans.extend((service, span) for span in scope.spans)
        return Response(status_code=200, media_type="application/x-protobuf")


def test_tracing_is_off_by_default(case_app: Any) -> None:
    assert not any(m.cls is TracingMiddleware for m in case_app.user_middleware)
    assert not hasattr(case_app.state, "tracer_provider")


async def test_a_request_span_is_exported_and_named_in_its_events(
    case_settings: CaseSettings, case_engine: AsyncEngine, case_conn: AsyncConnection, token: TokenFactory
) -> None:
    collector = Collector()
    server, task, base = await serve(
        Starlette(routes=[Route("/v1/traces", collector.handle, methods=["POST"])])
    )
    settings = case_settings.model_copy(
        update={"tracing_enabled": True, "tracing_otlp_endpoint": f"{base}/v1/traces"}
    )
    app = create_case_app(settings, engine=case_engine)
    bind_to_test_transaction(app, case_conn)
    try:
        async with asgi_client(app) as client:
            response = await client.post(
                "/v1/aktualiseringar",
                json=ANMALAN,
                headers=bearer(token("handlaggare")) | {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
            )
        assert response.status_code == 201, response.text
        # The exporter posts from its own thread; the collector answers on this loop meanwhile.
        assert await asyncio.to_thread(app.state.tracer_provider.force_flush, 10_000)
    finally:
        await asyncio.to_thread(app.state.tracer_provider.shutdown)
        await stop(server, task)

    spans = [span for service, span in collector.spans if service == "case-api"]
    assert len(spans) == 1, collector.spans
    span = spans[0]
    assert span.trace_id.hex() == TRACE_ID
    assert span.parent_span_id.hex() == CALLER_SPAN, "a child of the caller's span"
    assert span.name == "POST /v1/aktualiseringar"
    attributes = {a.key: a.value for a in span.attributes}
    assert attributes["http.route"].string_value == "/v1/aktualiseringar"
    assert attributes["http.response.status_code"].int_value == 201

    # The request's events name this service's span, so the webhook's trace continues below it.
    stored = (
        (
            await case_conn.execute(
                text("SELECT DISTINCT traceparent FROM outbox_event WHERE arende_id = :a"),
                {"a": response.json()["arende_id"]},
            )
        )
        .scalars()
        .all()
    )
    assert stored == [f"00-{TRACE_ID}-{span.span_id.hex()}-01"]
