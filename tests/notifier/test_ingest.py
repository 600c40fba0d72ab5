"""POST /v1/events: CloudEvents in structured and binary mode, stored once per (source, id)."""

import json
import uuid

import pytest
from sqlalchemy import text

from tests.helpers import assert_problem, bearer
from tests.notifier.support import relay_token

ARENDE = "0b8f4f5e-8a4b-4c39-9d55-1f1f2a8e0c11"


def structured(event_id: str | None = None, **overrides):  # type: ignore[no-untyped-def]
    event = {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": "/handlaggning/case-api",
        "type": "se.socialtjanst.bevakning.forsenad",
        "subject": ARENDE,
        "time": "2026-11-23T10:00:00+01:00",
        "datacontenttype": "application/json",
        "enhet": "bou-1",
        "arendeid": ARENDE,
        "sekvens": 7,
        "data": {"bevakning_id": str(uuid.uuid4()), "typ": "forhandsbedomning", "status": "forsenad"},
    }
    event.update(overrides)
    return event


def ce_post(client, token, event, **headers):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/events",
        content=json.dumps(event),
        headers={
            **bearer(relay_token(token)),
            "Content-Type": "application/cloudevents+json",
            **headers,
        },
    )


async def inbox_rows(conn, event_id: str):  # type: ignore[no-untyped-def]
    result = await conn.execute(
        text(
            "SELECT type, enhet, arende_id, sekvens, event, fanned_out_at FROM inbox_event WHERE event_id = :i"
        ),
        {"i": event_id},
    )
    return result.all()


async def test_structured_event_is_stored_once(notifier_client, notifier_conn, token) -> None:  # type: ignore[no-untyped-def]
    event = structured()
    first = await ce_post(notifier_client, token, event)
    assert first.status_code == 202, first.text
    assert first.json() == {"id": event["id"], "source": event["source"], "duplicate": False}
    again = await ce_post(notifier_client, token, event)
    assert again.status_code == 200, again.text
    assert again.json()["duplicate"] is True
    rows = await inbox_rows(notifier_conn, event["id"])
    assert len(rows) == 1
    row = rows[0]
    assert (row.type, row.enhet, str(row.arende_id), row.sekvens) == (event["type"], "bou-1", ARENDE, 7)
    assert row.event["data"] == event["data"]
    assert row.fanned_out_at is None  # the fan-out marker, written with the row


async def test_same_id_from_another_source_is_another_event(notifier_client, notifier_conn, token) -> None:  # type: ignore[no-untyped-def]
    event_id = str(uuid.uuid4())
    assert (await ce_post(notifier_client, token, structured(event_id))).status_code == 202
    other = structured(event_id, source="/other")
    assert (await ce_post(notifier_client, token, other)).status_code == 202
    assert len(await inbox_rows(notifier_conn, event_id)) == 2


async def test_binary_mode(notifier_client, notifier_conn, token) -> None:  # type: ignore[no-untyped-def]
    event_id = str(uuid.uuid4())
    headers = {
        **bearer(relay_token(token)),
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": event_id,
        "ce-source": "/handlaggning/case-api",
        "ce-type": "se.socialtjanst.beslut.fattat",
        "ce-subject": ARENDE,
        "ce-time": "2026-11-23T09:00:00Z",
        "ce-enhet": "bou-2",
        "ce-arendeid": ARENDE,
        "ce-sekvens": "12",
    }
    body = json.dumps({"beslut_id": "b-1", "status": "fattat"})
    response = await notifier_client.post("/v1/events", content=body, headers=headers)
    assert response.status_code == 202, response.text
    again = await notifier_client.post("/v1/events", content=body, headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    [row] = await inbox_rows(notifier_conn, event_id)
    assert row.sekvens == 12 and row.enhet == "bou-2"
    assert row.event["data"] == {"beslut_id": "b-1", "status": "fattat"}
    assert row.event["sekvens"] == 12 and row.event["type"] == "se.socialtjanst.beslut.fattat"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"id": None}, 422),  # missing id: never invent one, or dedupe breaks
        ({"source": None}, 422),
        ({"type": None}, 422),
        ({"specversion": "0.3"}, 422),
        ({"arendeid": "not-a-uuid"}, 422),
        ({"sekvens": -1}, 422),
        ({"sekvens": "x"}, 422),
        ({"sekvens": 2**53}, 422),
        ({"time": "yesterday"}, 422),
        ({"data": [1, 2]}, 422),
        ({"subject": "a\u0000b"}, 422),
        ({"Bad-Name": "x"}, 422),
        ({"traceparent": 0}, 422),  # the spec says a W3C trace context (schemathesis sent 0)
        ({"traceparent": "00-abc-def-01"}, 422),
    ],
)
async def test_invalid_events_are_refused(notifier_client, token, change, status) -> None:  # type: ignore[no-untyped-def]
    event = structured()
    for key, value in change.items():
        if value is None:
            event.pop(key)
        else:
            event[key] = value
    assert_problem(await ce_post(notifier_client, token, event), status)


async def test_malformed_and_unsupported_bodies(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(relay_token(token)), "Content-Type": "application/cloudevents+json"}
    assert_problem(await notifier_client.post("/v1/events", content=b"{nope", headers=headers), 400)
    assert_problem(await notifier_client.post("/v1/events", content=b'{"a": NaN}', headers=headers), 400)
    assert_problem(await notifier_client.post("/v1/events", content=b"[]", headers=headers), 422)
    lone = b'{"specversion": "1.0", "id": "x", "source": "s", "type": "t", "data": {"a": "\\ud800"}}'
    assert_problem(await notifier_client.post("/v1/events", content=lone, headers=headers), 400)
    text_headers = {**bearer(relay_token(token)), "Content-Type": "text/plain"}
    assert_problem(await notifier_client.post("/v1/events", content=b"hi", headers=text_headers), 415)
    big = structured(data={"x": "a" * 300_000})
    assert_problem(await ce_post(notifier_client, token, big), 413)


@pytest.mark.parametrize(
    "role", ["handlaggare", "arbetsledare", "enhetschef", "utforare", "kvalitetssamordnare"]
)
async def test_only_system_may_ingest(notifier_client, token, role) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await ce_post(notifier_client, token, structured(), **bearer(token(role))), 403)


async def test_ingest_needs_a_token(notifier_client) -> None:  # type: ignore[no-untyped-def]
    response = await notifier_client.post(
        "/v1/events",
        content=json.dumps(structured()),
        headers={"Content-Type": "application/cloudevents+json"},
    )
    assert_problem(response, 401)


async def test_data_may_hold_any_json_text(notifier_client, notifier_conn, token) -> None:  # type: ignore[no-untyped-def]
    event = structured(data={"anteckning": "a\u0000b"})
    assert (await ce_post(notifier_client, token, event)).status_code == 202
    [row] = await inbox_rows(notifier_conn, event["id"])
    assert row.event["data"] == {"anteckning": "a\u0000b"}
