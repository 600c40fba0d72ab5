import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from common.tracing import TRACEPARENT_PATTERN


class IngestResult(BaseModel):
    id: str
    source: str
    duplicate: bool


class ParsedEvent(BaseModel):
    """A validated CloudEvent reduced to what the inbox stores."""

    id: str
    source: str
    type: str
    subject: str | None
    time: datetime | None
    enhet: str | None
    arende_id: uuid.UUID | None
    sekvens: int | None
    structured: dict[str, Any]


# The request body as documented (structured mode); binary mode sends `data` as the body.
_TEXT: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": "^[^\\u0000]+$"}
CLOUDEVENT_SCHEMA: dict[str, Any] = {
    "title": "CloudEvent",
    "type": "object",
    "required": ["specversion", "id", "source", "type"],
    "properties": {
        "specversion": {"type": "string", "const": "1.0"},
        "id": _TEXT,
        "source": _TEXT,
        "type": {**_TEXT, "examples": ["se.socialtjanst.bevakning.forsenad"]},
        "subject": _TEXT,
        "time": {"type": "string", "format": "date-time"},
        "datacontenttype": {"type": "string", "const": "application/json"},
        "data": {"type": ["object", "null"]},
        "enhet": {**_TEXT, "description": "extension: the ärende's enhet"},
        "traceparent": {
            "type": "string",
            "pattern": TRACEPARENT_PATTERN,
            "description": "extension (CloudEvents distributed tracing): W3C trace context of the "
            "command that caused the event; sent on as the webhook's traceparent header",
        },
        "arendeid": {"type": "string", "format": "uuid", "description": "extension: the ärende"},
        "sekvens": {
            "type": "integer",
            "minimum": 0,
            "maximum": 2**53 - 1,
            "description": "extension: orders the events of one ärende",
        },
    },
    # Other extension attributes: lower-case alphanumeric names, string or integer values.
    "propertyNames": {"pattern": "^[a-z0-9]+$"},
    "additionalProperties": {"anyOf": [_TEXT, {"type": "integer"}]},
}
