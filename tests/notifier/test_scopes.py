"""Issue 11, item 3: the notifier reads the token's `scope`, not only its role.

A `system` token is an integration; which one it is, and so what it may do, is its scope. Each
attack below was answered 201/200/202 before the notifier checked scopes.
"""

import json

import pytest
from sqlalchemy import text

from case_api.relay.delivery import INGEST_SCOPE, TokenSource
from case_api.settings import Settings as CaseSettings
from common.auth import Role
from common.tokens import KeyStore, decode_token
from notifier.access_matrix import ALL_SCOPES, HANDELSER_SKRIV, MATRIX, SYSTEM_SCOPES
from notifier.main import create_app
from tests.helpers import assert_problem, bearer
from tests.notifier.support import OPERATOR_SCOPES, relay_token
from tests.notifier.test_access import ENDPOINTS
from tests.notifier.test_ingest import structured

SYSTEM_OPERATIONS = sorted(op for op, roles in MATRIX.items() if Role.system in roles and op != "get_me")
WEBHOOK = {"kind": "webhook", "url": "https://hooks.example.com/x", "event_typer": ["*"]}


def _wrong_scopes(operation: str) -> str:
    """Every scope the notifier knows except the operation's own, and a case_api one."""
    return " ".join([*sorted(ALL_SCOPES - SYSTEM_SCOPES[operation]), "bevakningar:las", "arenden:las"])


def test_every_system_operation_names_its_scopes() -> None:
    """Default deny for integrations: an operation open to `system` without a scope row would be
    closed to every integration; this keeps the two tables in step."""
    assert set(SYSTEM_SCOPES) == {op for op, roles in MATRIX.items() if Role.system in roles}
    assert all(SYSTEM_SCOPES[op] for op in SYSTEM_OPERATIONS)


@pytest.mark.parametrize("operation", SYSTEM_OPERATIONS)
async def test_a_wrong_scope_is_refused(notifier_client, token, operation) -> None:  # type: ignore[no-untyped-def]
    method, path = ENDPOINTS[operation]
    headers = bearer(token("system", sub="statistik", enhet=None, scope=_wrong_scopes(operation)))
    response = await notifier_client.request(method, path, json={}, headers=headers)
    body = assert_problem(response, 403, "scope-missing")
    assert all(scope in body["detail"] for scope in SYSTEM_SCOPES[operation])


@pytest.mark.parametrize("operation", SYSTEM_OPERATIONS)
async def test_no_scope_is_refused(notifier_client, token, operation) -> None:  # type: ignore[no-untyped-def]
    method, path = ENDPOINTS[operation]
    response = await notifier_client.request(method, path, json={}, headers=bearer(token("system")))
    assert_problem(response, 403, "scope-missing")


@pytest.mark.parametrize("operation", SYSTEM_OPERATIONS)
async def test_each_of_its_scopes_admits(notifier_client, token, operation) -> None:  # type: ignore[no-untyped-def]
    """The other half of the check: with the scope the request gets past authorisation (to
    the body's validation, a 404 of the made-up id, or the work itself)."""
    method, path = ENDPOINTS[operation]
    for scope in SYSTEM_SCOPES[operation]:
        headers = bearer(token("system", sub="drift", enhet=None, scope=scope))
        response = await notifier_client.request(method, path, json={}, headers=headers)
        assert response.status_code not in (401, 403), (scope, response.text)


async def test_a_reporting_token_reads_no_directory_and_subscribes_nothing(  # type: ignore[no-untyped-def]
    notifier_client, notifier_conn, token
) -> None:
    """The pen test's token: role system, scoped to case_api's bevakningar:las only."""
    reporter = bearer(token("system", sub="statistik", enhet=None, scope="bevakningar:las"))
    assert_problem(await notifier_client.get("/v1/mottagare", headers=reporter), 403, "scope-missing")
    assert_problem(await notifier_client.get("/v1/leveranser", headers=reporter), 403, "scope-missing")
    leak = {**WEBHOOK, "url": "https://evil.example/collect", "tillat_personuppgifter": True}
    refused = await notifier_client.post("/v1/prenumerationer", json=leak, headers=reporter)
    assert_problem(refused, 403, "scope-missing")
    forged = structured()
    response = await notifier_client.post(
        "/v1/events",
        content=json.dumps(forged),
        headers={**reporter, "Content-Type": "application/cloudevents+json"},
    )
    assert_problem(response, 403, "scope-missing")
    stored = await notifier_conn.execute(
        text("SELECT count(*) FROM inbox_event WHERE event_id = :i"), {"i": forged["id"]}
    )
    assert stored.scalar_one() == 0
    subscriptions = await notifier_conn.execute(text("SELECT count(*) FROM prenumeration"))
    assert subscriptions.scalar_one() == 0


async def test_the_relays_scope_only_ingests(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    relay = bearer(relay_token(token))
    accepted = await notifier_client.post(
        "/v1/events",
        content=json.dumps(structured()),
        headers={**relay, "Content-Type": "application/cloudevents+json"},
    )
    assert accepted.status_code == 202, accepted.text
    for operation in SYSTEM_OPERATIONS:
        if operation == "ingest_event":
            continue
        method, path = ENDPOINTS[operation]
        response = await notifier_client.request(method, path, json={}, headers=relay)
        assert_problem(response, 403, "scope-missing")


async def test_an_operator_cannot_ingest(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    """Administration scopes do not include putting events (and so e-mails) into the notifier."""
    operator = bearer(token("system", sub="drift", enhet=None, scope=OPERATOR_SCOPES))
    response = await notifier_client.post(
        "/v1/events",
        content=json.dumps(structured()),
        headers={**operator, "Content-Type": "application/cloudevents+json"},
    )
    assert_problem(response, 403, "scope-missing")


async def test_system_without_scope_is_no_more_than_its_other_role(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    """A token holding system and enhetschef but no scope is served as the enhetschef: without
    the scope check dropping `system`, it passed the matrix as enhetschef and then got the
    service's every-enhet powers for `system`."""
    mixed = bearer(token("system", "enhetschef", sub="chef", enhet="bou-1"))
    other = await notifier_client.post(
        "/v1/prenumerationer", json={**WEBHOOK, "enhet": "bou-2"}, headers=mixed
    )
    assert_problem(other, 403)
    personal = {**WEBHOOK, "tillat_personuppgifter": True}
    assert_problem(await notifier_client.post("/v1/prenumerationer", json=personal, headers=mixed), 403)
    own = await notifier_client.post("/v1/prenumerationer", json=WEBHOOK, headers=mixed)
    assert own.status_code == 201, own.text
    assert own.json()["enhet"] == "bou-1"
    assert_problem(await notifier_client.get("/v1/mottagare", headers=mixed), 403, "scope-missing")
    scoped = bearer(token("system", "enhetschef", sub="drift", enhet="bou-1", scope=OPERATOR_SCOPES))
    theirs = await notifier_client.post(
        "/v1/prenumerationer", json={**WEBHOOK, "enhet": "bou-2"}, headers=scoped
    )
    assert theirs.status_code == 201, theirs.text


async def test_who_am_i_needs_no_scope(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    response = await notifier_client.get("/v1/me", headers=bearer(token("system", sub="x", enhet=None)))
    assert response.status_code == 200, response.text


async def test_the_relays_dev_token_carries_the_ingest_scope_only(test_data_dir) -> None:  # type: ignore[no-untyped-def]
    settings = CaseSettings(DATA_DIR=test_data_dir)
    claims = await decode_token(TokenSource(settings).token(), KeyStore(settings))
    assert claims.roles == ("system",)
    assert set(claims.scopes) == {HANDELSER_SKRIV} == {INGEST_SCOPE}


def test_every_operation_says_who_may_call_it() -> None:
    spec = create_app().openapi()
    for item in spec["paths"].values():
        for operation in item.values():
            name = operation["operationId"]
            if name in MATRIX:
                assert operation["description"].startswith("Who may call: "), name
                for scope in SYSTEM_SCOPES[name]:
                    assert f"`{scope}`" in operation["description"], name
    ingest = spec["paths"]["/v1/events"]["post"]["description"]
    assert ingest.startswith("Who may call: `system` with scope `handelser:skriv`."), ingest
