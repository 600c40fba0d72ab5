"""Structured JSON logs with the request id on every line and personnummer redacted."""

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common import tracing

if TYPE_CHECKING:
    from common.metrics import RequestDurations

# Twelve or ten digits, optionally with a separator before the last four: a personnummer or
# samordningsnummer. Redacting too eagerly (any such digit run) is the safe side here, but a run
# inside a longer word (a hex request id, a hash) is not a personnummer.
_PNR = r"(?<![0-9A-Za-z])(?:\d{2})?\d{6}[-+]?\d{4}(?![0-9A-Za-z])"
# A UUID in canonical form is an identifier, never a personnummer, although its groups can look
# like one ("12345678-1234" is eight digits, a dash and four): it is matched first and kept whole.
_HEX = "[0-9A-Fa-f]"
_UUID = rf"(?<![0-9A-Za-z]){_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}(?![0-9A-Za-z])"
_SCAN = re.compile(f"(?P<uuid>{_UUID})|{_PNR}")
# Generated identifiers, never personal data: redacting inside them would only break tracing.
_NOT_REDACTED = frozenset({"request_id", "trace_id"})
REDACTED = "[personnummer]"

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request, e.g. in a worker)."""
    return _request_id.get()


def _replace(match: re.Match[str]) -> str:
    return match.group() if match.group("uuid") else REDACTED


def redact(text: str) -> str:
    return _SCAN.sub(_replace, text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def _redact_processor(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    return {k: v if k in _NOT_REDACTED else _redact_value(v) for k, v in event_dict.items()}


class _RedactingFormatter(structlog.stdlib.ProcessorFormatter):
    """Redacts the rendered line as a whole: the processors see the event's fields, but an
    exception's text (uvicorn's traceback, a driver error quoting its parameters) is only
    rendered after them."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _drop_color_message(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    # uvicorn passes its message again with terminal colour codes, as an extra: noise in JSON.
    event_dict.pop("color_message", None)
    return event_dict


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
    _drop_color_message,
]


def _formatter(json_output: bool) -> logging.Formatter:
    renderer: Any = structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer()
    return _RedactingFormatter(
        foreign_pre_chain=[*_SHARED, _redact_processor],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )


def json_formatter() -> logging.Formatter:
    """The formatter of uvicorn_log.json (`uvicorn --log-config`): the app's JSON lines."""
    return _formatter(json_output=True)


def uvicorn_log_config(level: str = "INFO", json_output: bool = True) -> dict[str, Any]:
    """uvicorn's `log_config`: its own lines (the supervisor of several worker processes logs
    before any app exists) in the app's format. Its access log stays off: the request id
    middleware writes the access line, with the route template instead of the raw path."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"app": {"()": f"{__name__}._formatter", "json_output": json_output}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def configure_logging(level: str = "INFO", json_output: bool = True) -> None:
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            _redact_processor,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(json_output))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's CLI installs its own handlers before the app is made: its error log (tracebacks
    # of errors that escape the app) would then bypass the redaction. Route it through ours.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # uvicorn's access log repeats the path (which may hold an id, a query string with a
    # personnummer) without the request id; RequestIdMiddleware writes the access line instead.
    logging.getLogger("uvicorn.access").handlers = []
    logging.getLogger("uvicorn.access").propagate = False


class RequestIdMiddleware:
    """Binds a request id (incoming X-Request-ID or a new one) to every log line of a request,
    writes the access line (route template, status, duration) and records the duration."""

    def __init__(self, app: ASGIApp, durations: "RequestDurations | None" = None) -> None:
        self.app = app
        self.durations = durations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _valid_request_id(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        traceparent = tracing.parse_traceparent(headers.get(b"traceparent", b"").decode("latin-1"))
        if traceparent is not None:
            structlog.contextvars.bind_contextvars(
                request_id=request_id, trace_id=tracing.trace_id(traceparent)
            )
        else:
            structlog.contextvars.bind_contextvars(request_id=request_id)
        reset_token = _request_id.set(request_id)
        trace_token = tracing.set_current(traceparent)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        log = structlog.get_logger("http")
        status: dict[str, int] = {}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send_with_id(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            _request_id.reset(reset_token)
            tracing.reset_current(trace_token)
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            if self.durations is not None:
                self.durations.observe(scope.get("method"), route, status.get("code"), seconds)
            log.info(
                "request",
                method=scope.get("method"),
                route=route,
                status=status.get("code"),
                duration_ms=round(seconds * 1000, 1),
            )


def _valid_request_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def _route_template(scope: Scope) -> str | None:
    # The template (/v1/arenden/{id}), never the concrete path, keeps ids out of access logs.
    route = scope.get("route")
    return getattr(route, "path", None)
