"""Every notifier endpoint refuses the roles the matrix does not list; enhetschef is scoped."""

import uuid

import pytest

from common.auth import Role
from notifier.access_matrix import MATRIX
from notifier.main import create_app
from tests.helpers import assert_problem, bearer
from tests.notifier.support import OPERATOR_SCOPES

SOME_ID = str(uuid.uuid4())
ENDPOINTS = {
    "ingest_event": ("POST", "/v1/events"),
    "create_prenumeration": ("POST", "/v1/prenumerationer"),
    "list_prenumerationer": ("GET", "/v1/prenumerationer"),
    "get_prenumeration": ("GET", f"/v1/prenumerationer/{SOME_ID}"),
    "update_prenumeration": ("PATCH", f"/v1/prenumerationer/{SOME_ID}"),
    "disable_prenumeration": ("POST", f"/v1/prenumerationer/{SOME_ID}/inaktivera"),
    "create_mottagare": ("POST", "/v1/mottagare"),
    "list_mottagare": ("GET", "/v1/mottagare"),
    "get_mottagare": ("GET", "/v1/mottagare/hanna"),
    "update_mottagare": ("PATCH", "/v1/mottagare/hanna"),
    "list_leveranser": ("GET", "/v1/leveranser"),
    "get_leverans": ("GET", f"/v1/leveranser/{SOME_ID}"),
    "replay_leverans": ("POST", f"/v1/leveranser/{SOME_ID}/omleverans"),
}
REFUSALS = [
    (operation, role.value) for operation in ENDPOINTS for role in Role if role not in MATRIX[operation]
]


def test_every_operation_is_in_the_matrix_and_here() -> None:
    spec = create_app().openapi()
    operations = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
    operations -= {"get_health_live", "get_health_ready", "get_me"}
    assert operations == set(ENDPOINTS) == set(MATRIX) - {"get_me"}


@pytest.mark.parametrize(("operation", "role"), REFUSALS)
async def test_refused_roles(notifier_client, token, operation, role) -> None:  # type: ignore[no-untyped-def]
    method, path = ENDPOINTS[operation]
    response = await notifier_client.request(method, path, json={}, headers=bearer(token(role)))
    assert_problem(response, 403)


URL_CASES = [
    "http://127.0.0.1/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://localhost:8080/hook",
    "http://0.0.0.0/hook",
    "ftp://example.com/hook",
    "http://user:pw@example.com/hook",
]


@pytest.mark.parametrize("url", URL_CASES)
async def test_url_guard_at_creation(notifier_client, token, url) -> None:  # type: ignore[no-untyped-def]
    body = {"kind": "webhook", "url": url, "event_typer": ["*"]}
    response = await notifier_client.post(
        "/v1/prenumerationer", json=body, headers=bearer(token("system", scope=OPERATOR_SCOPES))
    )
    assert_problem(response, 422)


async def test_public_url_is_accepted(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    body = {"kind": "webhook", "url": "https://hooks.example.com/x", "event_typer": ["*"]}
    response = await notifier_client.post(
        "/v1/prenumerationer", json=body, headers=bearer(token("system", scope=OPERATOR_SCOPES))
    )
    assert response.status_code == 201, response.text


async def test_enhetschef_manages_own_enhet_only(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    chef = bearer(token("enhetschef", sub="chef", enhet="bou-1"))
    base = {"kind": "webhook", "url": "https://hooks.example.com/x", "event_typer": ["*"]}
    own = await notifier_client.post("/v1/prenumerationer", json=base, headers=chef)
    assert own.status_code == 201, own.text
    assert own.json()["enhet"] == "bou-1"
    other = await notifier_client.post("/v1/prenumerationer", json={**base, "enhet": "bou-2"}, headers=chef)
    assert_problem(other, 403)
    personal = {**base, "tillat_personuppgifter": True}
    assert_problem(await notifier_client.post("/v1/prenumerationer", json=personal, headers=chef), 403)
    system = bearer(token("system", scope=OPERATOR_SCOPES))
    theirs = await notifier_client.post(
        "/v1/prenumerationer", json={**base, "enhet": "bou-2"}, headers=system
    )
    assert theirs.status_code == 201
    listed = (await notifier_client.get("/v1/prenumerationer", headers=chef)).json()["items"]
    assert {p["enhet"] for p in listed} == {"bou-1"}
    hidden = await notifier_client.get(f"/v1/prenumerationer/{theirs.json()['id']}", headers=chef)
    assert_problem(hidden, 404)


async def test_update_needs_if_match_and_disable_cancels(notifier_client, token) -> None:  # type: ignore[no-untyped-def]
    system = bearer(token("system", scope=OPERATOR_SCOPES))
    body = {"kind": "webhook", "url": "https://hooks.example.com/x", "event_typer": ["*"]}
    created = await notifier_client.post(
        "/v1/prenumerationer", json=body, headers={**system, "Idempotency-Key": "k-1"}
    )
    again = await notifier_client.post(
        "/v1/prenumerationer", json=body, headers={**system, "Idempotency-Key": "k-1"}
    )
    assert again.json()["id"] == created.json()["id"]
    path = f"/v1/prenumerationer/{created.json()['id']}"
    assert_problem(await notifier_client.patch(path, json={"enhet": "bou-3"}, headers=system), 428)
    stale = await notifier_client.patch(path, json={"enhet": "bou-3"}, headers={**system, "If-Match": '"9"'})
    assert_problem(stale, 412)
    ok = await notifier_client.patch(path, json={"enhet": "bou-3"}, headers={**system, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    disabled = await notifier_client.post(f"{path}/inaktivera", headers={**system, "If-Match": '"2"'})
    assert disabled.status_code == 200 and disabled.json()["status"] == "inaktiverad"
    assert_problem(
        await notifier_client.post(f"{path}/inaktivera", headers={**system, "If-Match": '"3"'}), 409
    )
