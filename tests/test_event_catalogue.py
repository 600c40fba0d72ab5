"""The event catalogue (openapi/asyncapi.json) is committed, complete and what the relay sends."""

import json
import uuid
from datetime import UTC, datetime

import jsonschema_rs
import pytest

from case_api.events import katalog
from case_api.events.service import TYPE_PREFIX
from case_api.relay import delivery
from case_api.relay.repository import ClaimedEvent
from devstack.openapi_specs import render, spec_path
from tests import event_contract


def test_committed_asyncapi_matches_the_catalogue() -> None:
    committed = spec_path("asyncapi").read_text(encoding="utf-8")
    assert committed == render(katalog.asyncapi()), "openapi/asyncapi.json is stale: run `make openapi`"


def test_one_message_per_type_with_envelope_extensions_and_signature_headers() -> None:
    doc = json.loads(spec_path("asyncapi").read_text(encoding="utf-8"))
    assert doc["asyncapi"] == "3.0.0"
    components = doc["components"]
    names = {m["name"] for m in components["messages"].values()}
    assert names == {TYPE_PREFIX + short for short in katalog.data_schemas()}
    envelope = components["schemas"]["CloudEventEnvelope"]["properties"]
    assert {"sekvens", "arendeid", "enhet", "dataschema"} <= set(envelope)
    headers = components["schemas"]["WebhookHeaders"]["required"]
    assert headers == ["webhook-id", "webhook-timestamp", "webhook-signature"]
    for schema in katalog.data_schemas().values():
        jsonschema_rs.validator_for(schema)  # each is a valid JSON Schema


def test_every_event_about_an_arende_carries_arende_id() -> None:
    # Not about an ärende: a kontaktfamilj (recruited by an enhet), a samtycke (a person's) and
    # the audit chain's anchor (the whole log's).
    without = {s for s, schema in katalog.data_schemas().items() if "arende_id" not in schema["required"]}
    assert {s.split(".")[0] for s in without} <= {"kontaktfamilj", "samtycke", "audit"}, without


def test_the_relay_sends_dataschema() -> None:
    event = ClaimedEvent(
        id=uuid.uuid4(),
        type=TYPE_PREFIX + "arende.oppnat",
        subject="s",
        arende_id=uuid.uuid4(),
        data={"enhet": "bou-1"},
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        seq=1,
        attempts=0,
    )
    attributes = delivery.to_cloudevent(event, source="/test").get_attributes()
    assert attributes["dataschema"] == "urn:handlaggning:schema:arende.oppnat"


def test_an_unknown_type_and_a_misfit_fail() -> None:
    with pytest.raises(pytest.fail.Exception, match="no message"):
        event_contract.check(TYPE_PREFIX + "arende.okand", {})
    with pytest.raises(pytest.fail.Exception, match="does not fit"):
        event_contract.check(TYPE_PREFIX + "arende.oppnat", {"enhet": "bou-1"})
