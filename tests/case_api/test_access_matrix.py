"""The role x operation matrix, walked from the OpenAPI spec (issue 5).

Every /v1 operation has a row in access_matrix.MATRIX (a new endpoint without one fails here),
every role outside the row gets 403 problem+json, and every role in it gets past the check.
Path ids are random and no body is sent: authorisation is a dependency of every route, and
FastAPI solves dependencies before it validates the body, so the 403 comes first
(test_authorisation_runs_before_body_validation shows it with a schema-invalid body).
"""

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from case_api.access_matrix import MATRIX, SYSTEM_SCOPES
from common.auth import Role
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "case_api.json").read_text())
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in SPEC["paths"].items()
    if path.startswith("/v1/")
    for method, operation in operations.items()
]


def _role_token(token: TokenFactory, role: Role) -> str:
    enhet = "bou-1" if role in (Role.handlaggare, Role.arbetsledare, Role.enhetschef) else None
    utforare = "utf-1" if role is Role.utforare else None
    # A system principal carries every scope an operation may ask for, so only its role decides.
    scope = " ".join(sorted({s for scopes in SYSTEM_SCOPES.values() for s in scopes}))
    extra = {"scope": scope} if role is Role.system else {}
    return token(role.value, sub=f"matris-{role.value}", enhet=enhet, utforare=utforare, **extra)


def _concrete(path: str, operation: dict[str, Any]) -> str:
    for param in operation.get("parameters", []):
        if param["in"] == "path":
            value = str(uuid.uuid4()) if param["schema"].get("format") == "uuid" else "okand"
            path = path.replace("{" + param["name"] + "}", value)
    return path


async def _call(
    client: httpx.AsyncClient, method: str, path: str, token: str, **kwargs: Any
) -> httpx.Response:
    return await client.request(method, path, headers=bearer(token), **kwargs)


def test_every_operation_of_the_app_has_a_row(case_app: Any) -> None:
    spec = case_app.openapi()
    ids = {
        op["operationId"]
        for path, ops in spec["paths"].items()
        if path.startswith("/v1/")
        for op in ops.values()
    }
    assert ids - MATRIX.keys() == set(), "operations without a row in access_matrix.MATRIX (default deny)"
    assert MATRIX.keys() - ids == set(), "rows in access_matrix.MATRIX for operations that do not exist"
    app_operations = {(m.upper(), p) for p, ops in spec["paths"].items() if p.startswith("/v1/") for m in ops}
    assert {(m, p) for m, p, _ in OPERATIONS} == app_operations, "the committed spec is stale: make openapi"


# The matrix's own refusals; a role in the row may still meet a business 403 (another enhet, no
# enhet in the token), which says nothing about the matrix.
MATRIX_REFUSALS = ("urn:handlaggning:problem:forbidden", "urn:handlaggning:problem:scope-missing")


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_every_operation_refuses_the_roles_outside_its_row(
    case_client: httpx.AsyncClient, token: TokenFactory, role: Role
) -> None:
    bearer_token = _role_token(token, role)
    wrong: list[str] = []
    for method, path, operation in OPERATIONS:
        name = operation["operationId"]
        url = _concrete(path, operation)
        response = await _call(case_client, method, url, bearer_token)
        assert response.status_code < 500, f"{name}: {response.text}"
        if role in MATRIX[name]:
            if response.status_code == 403 and response.json()["type"] in MATRIX_REFUSALS:
                wrong.append(f"{name}: {role} is in the row but was refused")
        elif response.status_code != 403:
            wrong.append(f"{name}: {role} is not in the row but got {response.status_code}")
        else:
            body = assert_problem(response, 403, "forbidden")
            assert body["instance"] == url
    assert wrong == []


async def test_authorisation_runs_before_body_validation(
    case_client: httpx.AsyncClient, token: TokenFactory
) -> None:
    utforare = _role_token(token, Role.utforare)
    for body in ({}, {"typ": "no such type", "barn": 7}, [1, 2]):
        response = await _call(case_client, "POST", "/v1/aktualiseringar", utforare, json=body)
        assert_problem(response, 403, "forbidden")
    # A caller who may register gets the validation error for the same body.
    allowed = _role_token(token, Role.handlaggare)
    assert_problem(await _call(case_client, "POST", "/v1/aktualiseringar", allowed, json={}), 422)
    # Only a body that is not JSON at all is refused first, while it is read: 400, nothing learned.
    malformed = await case_client.post(
        "/v1/aktualiseringar",
        content=b"{not json",
        headers=bearer(utforare) | {"Content-Type": "application/json"},
    )
    assert_problem(malformed, 400)
    # Path and query validation also come after: a malformed id is still a 403 for the wrong role.
    assert_problem(await _call(case_client, "GET", "/v1/arenden/not-a-uuid", utforare), 403)
    assert_problem(
        await _call(
            case_client,
            "GET",
            "/v1/bevakningar?status=nonsense",
            _role_token(token, Role.kvalitetssamordnare),
        ),
        403,
    )
