"""W3C Trace Context: the caller's `traceparent`, carried from a request to its outbox events,
the CloudEvents sent to the notifier (distributed-tracing extension) and the webhooks after.

Without tracing (the default) a service is a participant that records nothing: it forwards the
caller's traceparent unchanged, so a receiver sees the caller's trace id. The cost is one
regular-expression match on one header, and only when the header is present. With tracing on
(TRACING_ENABLED, common.otel) each request gets a server span, child of the caller's, and what
is forwarded names that span.
"""

import re
from contextvars import ContextVar

# version 00: 2 hex version, 32 hex trace id, 16 hex parent id, 2 hex flags (W3C, section 3.2).
# A later version may append fields after a dash; its first four are read the same way.
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
# What the event schemas publish (version 00, as this service writes it).
TRACEPARENT_PATTERN = "^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_ZERO_TRACE, _ZERO_PARENT = "0" * 32, "0" * 16

_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def parse_traceparent(value: object) -> str | None:
    """The header if it is a valid traceparent (normalised to version 00), else None: an
    invalid one is dropped, as the spec says, never forwarded."""
    if not isinstance(value, str) or not value:
        return None
    match = _TRACEPARENT.match(value.strip())
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or trace_id == _ZERO_TRACE or parent_id == _ZERO_PARENT:
        return None
    return f"00-{trace_id}-{parent_id}-{flags}"


def trace_id(traceparent: str) -> str:
    return traceparent.split("-")[1]


def current_traceparent() -> str | None:
    """What an event written now carries: the request's span (tracing on) or the caller's."""
    return _current.get()


def set_current(traceparent: str | None) -> object:
    return _current.set(traceparent)


def reset_current(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
