"""The event catalogue: one JSON Schema per CloudEvent type's `data` (katalog.json, data only),
and the AsyncAPI 3.0 document built from it (openapi/asyncapi.json, `make openapi`).

A new event type is added to katalog.json in the same change that emits it; the tests check
every emitted event against its schema and fail on a type without one (docs/api.md).
"""

import json
from functools import cache
from importlib import resources
from typing import Any

from case_api.events.service import TYPE_PREFIX
from common.tracing import TRACEPARENT_PATTERN

SCHEMA_URI = "urn:handlaggning:schema:"


@cache
def data_schemas() -> dict[str, dict[str, Any]]:
    """Short type ("arende.oppnat") -> the JSON Schema of its data."""
    text = resources.files("case_api.events").joinpath("katalog.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def dataschema_uri(event_type: str) -> str:
    """The CloudEvents `dataschema` of a full type; the AsyncAPI message schema has it as $id."""
    return SCHEMA_URI + event_type.removeprefix(TYPE_PREFIX)


def _name(short: str) -> str:
    return "".join(part.capitalize() for part in short.replace("_", ".").split("."))


_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["specversion", "id", "source", "type", "time", "datacontenttype", "dataschema", "data"],
    "properties": {
        "specversion": {"const": "1.0"},
        "id": {
            **_TEXT,
            "description": "Unique per source; the notifier stores an event once per (source, id).",
        },
        "source": {**_TEXT, "description": "EVENT_SOURCE of the case_api that emitted it."},
        "type": _TEXT,
        "subject": {**_TEXT, "description": "The ärende id (or the object's own id when there is none)."},
        "time": {"type": "string", "format": "date-time"},
        "datacontenttype": {"const": "application/json"},
        "dataschema": {"type": "string", "format": "uri", "description": "`urn:handlaggning:schema:<type>`"},
        "sekvens": {
            "type": "integer",
            "minimum": 0,
            "description": "Extension: orders the events of one ärende.",
        },
        "arendeid": {
            "type": "string",
            "format": "uuid",
            "description": "Extension: the ärende, when there is one.",
        },
        "enhet": {**_TEXT, "description": "Extension: the enhet the event belongs to."},
        "traceparent": {
            "type": "string",
            "pattern": TRACEPARENT_PATTERN,
            "description": "Extension (CloudEvents distributed tracing): the W3C trace context of the "
            "request that caused the event, when it carried one; the webhook request has it as its "
            "`traceparent` header too.",
        },
    },
}
WEBHOOK_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["webhook-id", "webhook-timestamp", "webhook-signature"],
    "properties": {
        "content-type": {"const": "application/cloudevents+json"},
        "webhook-id": {**_TEXT, "description": "Same for every retry of one delivery: deduplicate on it."},
        "webhook-timestamp": {"type": "string", "pattern": "^[0-9]+$", "description": "Unix seconds."},
        "traceparent": {
            "type": "string",
            "pattern": TRACEPARENT_PATTERN,
            "description": "W3C Trace Context, when the event carries the traceparent extension.",
        },
        "webhook-signature": {
            **_TEXT,
            "description": "Standard Webhooks: space-separated `v1,<base64 HMAC-SHA256>` of "
            "`{webhook-id}.{webhook-timestamp}.{body}` with each active secret (two during rotation).",
        },
    },
}


def asyncapi() -> dict[str, Any]:
    schemas: dict[str, Any] = {"CloudEventEnvelope": ENVELOPE, "WebhookHeaders": WEBHOOK_HEADERS}
    messages: dict[str, Any] = {}
    for short, data in sorted(data_schemas().items()):
        name = _name(short)
        full = TYPE_PREFIX + short
        schemas[f"{name}Data"] = {"$id": dataschema_uri(full), **data}
        schemas[name] = {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEventEnvelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": full},
                        "dataschema": {"const": dataschema_uri(full)},
                        "data": {"$ref": f"#/components/schemas/{name}Data"},
                    },
                },
            ]
        }
        messages[name] = {
            "name": full,
            "title": full,
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/WebhookHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    refs = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Handläggning events",
            "version": "1.0.0",
            "description": "The CloudEvents 1.0 (structured mode) that case_api emits through its "
            "outbox and the notifier delivers to webhook subscriptions, signed per Standard "
            "Webhooks. Webhooks without `tillat_personuppgifter` get the same events with "
            "personal data removed from `data`.",
        },
        "channels": {
            "webhook": {
                "address": "{webhookUrl}",
                "parameters": {"webhookUrl": {"description": "The subscription's `url`."}},
                "description": "POST to each matching webhook subscription.",
                "messages": refs,
            },
            "ingest": {
                "address": "/v1/events",
                "description": "case_api's relay to the notifier (POST, role system, scope handelser:skriv).",
                "messages": refs,
            },
        },
        "operations": {
            "receiveWebhook": {
                "action": "receive",
                "channel": {"$ref": "#/channels/webhook"},
                "summary": "What a subscriber receives",
            },
            "sendToNotifier": {"action": "send", "channel": {"$ref": "#/channels/ingest"}},
        },
        "components": {"schemas": schemas, "messages": messages},
    }
