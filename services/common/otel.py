"""OpenTelemetry traces, off by default (TRACING_ENABLED): one server span per request, exported
over OTLP/HTTP to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or the exporter's own OTEL_* variables).

Off, nothing here is imported and no middleware is added: the request path is exactly the one
without tracing (common.tracing forwards the caller's traceparent). On, the span is a child of
the caller's traceparent, and what the request's outbox events carry names this span, so the
notifier's webhook joins the trace below it. The packages are the optional extra `otel`
(`pip install 'handlaggning[otel]'`), which the image installs.
"""

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import tracing
from common.settings import CommonSettings


def install_tracing(app: FastAPI, *, service_name: str, settings: CommonSettings) -> None:
    """Add the tracing middleware and its exporter; call only with TRACING_ENABLED."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError(
            "TRACING_ENABLED needs the OpenTelemetry packages: pip install 'handlaggning[otel]'"
        ) from exc
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    exporter = OTLPSpanExporter(endpoint=settings.tracing_otlp_endpoint)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    # The app's own provider, not the global one: two apps in one process (make run, the tests)
    # each export under their own service name.
    app.state.tracer_provider = provider
    app.add_middleware(TracingMiddleware, tracer=provider.get_tracer("handlaggning"))


class TracingMiddleware:
    """A SERVER span per HTTP request, named by the route template once routing has found it."""

    def __init__(self, app: ASGIApp, tracer: Any) -> None:
        from opentelemetry.trace import SpanKind
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.app = app
        self.tracer = tracer
        self._propagator = TraceContextTextMapPropagator()
        self._server = SpanKind.SERVER

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # common.tracing has validated the caller's header (RequestIdMiddleware, outside this).
        incoming = tracing.current_traceparent()
        parent = self._propagator.extract({"traceparent": incoming} if incoming else {})
        method = scope.get("method", "HTTP")
        with self.tracer.start_as_current_span(method, context=parent, kind=self._server) as span:
            own = span.get_span_context()
            token = tracing.set_current(f"00-{own.trace_id:032x}-{own.span_id:016x}-{own.trace_flags:02x}")
            status: dict[str, int] = {}

            async def capture(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, capture)
            finally:
                tracing.reset_current(token)
                route = getattr(scope.get("route"), "path", None)
                span.set_attribute("http.request.method", method)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                if "code" in status:
                    span.set_attribute("http.response.status_code", status["code"])
