"""Parse and validate an incoming CloudEvent 1.0 (HTTP binding, structured or binary mode).

The `cloudevents` SDK does the spec validation; the checks before it close the gaps that matter
for an inbox keyed by id: the SDK invents an id and a time when they are missing, and would
accept bodies PostgreSQL cannot store (NUL characters, NaN).
"""

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.http import HTTPMessage, from_binary, from_structured
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from common.tracing import parse_traceparent
from notifier.inbox.exceptions import InvalidEvent, MalformedEvent, UnsupportedEventMediaType
from notifier.inbox.schemas import ParsedEvent

STRUCTURED = "application/cloudevents+json"
_JSON_MEDIA = re.compile(r"^application/([a-z0-9.\-]+\+)?json$")
REQUIRED = ("specversion", "id", "source", "type")
# The largest integer every JSON reader keeps exact (JavaScript's Number.MAX_SAFE_INTEGER).
MAX_SEKVENS = 2**53 - 1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# Nesting deeper than any event of ours: the JSON reader recurses per level, so 5,000 nested
# arrays ended in a RecursionError (a 500) before this limit.
MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def _too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH, found without recursion: with
    strings and everything but brackets removed, each pass removes the innermost pairs, one
    level. Regex and C-speed passes, so a 256 KB body costs a few milliseconds."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH):
        reduced = _INNERMOST.sub("", brackets)
        if reduced == brackets:
            return False  # empty, or unbalanced (which the JSON reader refuses as malformed)
        brackets = reduced
    return bool(brackets)


def _loads(body: bytes) -> Any:
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEvent("The body is not valid UTF-8 JSON.") from None
    if _too_deep(decoded):
        raise InvalidEvent(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.")
    try:
        value = json.loads(decoded, parse_constant=_reject_constant)
    except ValueError:
        raise MalformedEvent("The body is not valid UTF-8 JSON.") from None
    if _any_text(value, _LONE_SURROGATE.search):
        raise MalformedEvent("The body holds a lone surrogate (\\ud800-\\udfff), which is not text.")
    return value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _any_text(value: Any, test: Callable[[str], object]) -> bool:
    if isinstance(value, str):
        return bool(test(value))
    if isinstance(value, dict):
        return any(_any_text(k, test) or _any_text(v, test) for k, v in value.items())
    if isinstance(value, list):
        return any(_any_text(v, test) for v in value)
    return False


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def parse(headers: Mapping[str, str], body: bytes) -> ParsedEvent:
    """`headers` with lower-case names. Binary mode when any ce- header is present."""
    lowered = {k.lower(): v for k, v in headers.items()}
    media = _media_type(lowered)
    binary = any(k.startswith("ce-") for k in lowered)
    if media != STRUCTURED and not _JSON_MEDIA.match(media):
        raise UnsupportedEventMediaType(f"Content-Type {media or '(none)'} is not supported.")
    parsed = _loads(body) if body else None
    attributes = {k: v for k, v in parsed.items() if k != "data"} if isinstance(parsed, dict) else {}
    if binary:
        attributes = lowered
    # Attributes land in text columns, which cannot hold NUL; data is stored as json, which can.
    if _any_text(attributes, lambda text: "\x00" in text):
        raise InvalidEvent("NUL characters are not allowed in attributes.")
    if binary:
        missing = [a for a in REQUIRED if not lowered.get(f"ce-{a}")]
        data = parsed
    else:
        if not isinstance(parsed, dict):
            raise InvalidEvent("A structured-mode event is a JSON object.")
        missing = [a for a in REQUIRED if a not in parsed]
        if "data_base64" in parsed:
            raise InvalidEvent("Binary data (data_base64) is not accepted; send JSON data.")
        data = parsed.get("data")
    if missing:
        raise InvalidEvent(f"Missing attributes: {', '.join(missing)}.", missing=missing)
    if data is not None and not isinstance(data, dict):
        raise InvalidEvent("data must be a JSON object.")
    message = HTTPMessage(headers=dict(lowered), body=body)
    try:
        if binary:
            event = from_binary(message, JSONFormat(), CloudEvent)
        else:
            event = from_structured(message, JSONFormat(), CloudEvent)
    except BaseCloudEventException as exc:
        raise InvalidEvent(str(exc)) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        raise InvalidEvent(f"The event could not be read: {type(exc).__name__}.") from None
    return _reduce(event, data)


def _reduce(event: BaseCloudEvent, data: dict[str, Any] | None) -> ParsedEvent:
    attributes = dict(event.get_attributes())
    datacontenttype = attributes.get("datacontenttype")
    if datacontenttype is not None and not _JSON_MEDIA.match(str(datacontenttype).split(";")[0].lower()):
        raise InvalidEvent("datacontenttype must be JSON.")
    for name, value in list(attributes.items()):
        if isinstance(value, float) and value.is_integer():
            # JSON has one number type: 2770.0 is the integer 2770.
            value = attributes[name] = int(value)
        if not isinstance(value, str | int | datetime) or isinstance(value, bool):
            raise InvalidEvent(f"Attribute {name} must be a string, integer or timestamp.")
        if value == "":
            raise InvalidEvent(f"Attribute {name} must not be empty.")
    enhet = attributes.get("enhet")
    if enhet is not None and (not isinstance(enhet, str) or not enhet):
        raise InvalidEvent("The enhet extension must be a non-empty string.")
    # The spec declares it a W3C trace context: anything else is refused, not stored and
    # dropped later (schemathesis sent `"traceparent": 0`).
    traceparent = attributes.get("traceparent")
    if traceparent is not None and (
        not isinstance(traceparent, str) or parse_traceparent(traceparent) is None
    ):
        raise InvalidEvent(
            "The traceparent extension must be a W3C trace context (00-<trace>-<parent>-<flags>)."
        )
    arende_id = _uuid_or_none(attributes.get("arendeid"))
    sekvens = _sekvens_or_none(attributes.get("sekvens"))
    if sekvens is not None:
        attributes["sekvens"] = sekvens
    time = attributes.get("time")
    structured: dict[str, Any] = {
        k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in attributes.items()
    }
    if data is not None:
        structured["data"] = data
    return ParsedEvent(
        id=event.get_id(),
        source=event.get_source(),
        type=event.get_type(),
        subject=event.get_subject(),
        time=time if isinstance(time, datetime) else None,
        enhet=enhet,
        arende_id=arende_id,
        sekvens=sekvens,
        structured=structured,
    )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidEvent("The arendeid extension must be a UUID.") from None


def _sekvens_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise InvalidEvent("The sekvens extension must be a non-negative integer.")
    if not 0 <= number <= MAX_SEKVENS:
        raise InvalidEvent("The sekvens extension is out of range.")
    return number
