"""Make the generated OpenAPI say what the service really answers: problem+json errors,
the headers it sends, and the headers it insists on (docs/api.md)."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from common.problems import PROBLEM_MEDIA_TYPE, Problem

_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON)",
    401: "Missing or invalid bearer token",
    403: "Your role may not perform this operation",
    404: "Not found (or not visible to you)",
    409: "The command does not fit the object's current state",
    412: "If-Match does not match the current ETag",
    422: "Validation error; `errors` names each field",
    428: "If-Match is required",
    500: "Unexpected error; quote `request_id`",
}
_PUBLIC_PREFIXES = ("/health",)


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS.get(status, "Error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _statuses_for(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {500}
    if not path.startswith(_PUBLIC_PREFIXES):
        statuses |= {401, 403}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    return statuses


def problem_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            servers=app.servers,
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(_problem_schemas())
        # Schemas a route refers to by $ref without a model (e.g. a body it parses itself).
        schemas.update(getattr(app.state, "openapi_schemas", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                wanted = _statuses_for(path, method, operation)
                wanted |= {int(s) for s in responses if s.isdigit() and int(s) >= 400 and int(s) != 503}
                for status in sorted(wanted):
                    responses[str(status)] = _problem_response(status)
                _declare_headers(operation, schemas)
        app.openapi_schema = spec
        return spec

    return build


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}


def _header(description: str, schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema}


HEADERS: dict[str, Any] = {
    "ETag": _header(
        'The object\'s version, `"<version>"`: send it back as If-Match to change the object.',
        {"type": "string", "pattern": '^"[0-9]+"$'},
    ),
    "Location": _header("The created object's URL (or of the list it is read in).", {"type": "string"}),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
        {"type": "string", "enum": ["true"]},
        required=False,
    ),
    "Retry-After": _header("Seconds to wait before trying again.", {"type": "string"}),
}


def _ref(name: str) -> dict[str, Any]:
    # Inline, not a $ref to components/headers: openapi-typescript ignores `required` on a
    # referenced header and would promise Idempotent-Replayed on every answer.
    return dict(HEADERS[name])


def _carries_version(response: dict[str, Any], schemas: dict[str, Any]) -> bool:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    schema = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return "version" in schema.get("required", [])


def _declare_headers(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """The rules below are the ones the code keeps (common.concurrency, common.idempotency,
    every 201 route): an object with a version is answered with its ETag, a command answers
    with the new ETag, a create says where the object is, a replay says it is one."""
    params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
    if_match = params.get("If-Match")
    if if_match is not None:
        # Declared optional by FastAPI (so a missing one can answer 428, not 422), but no
        # change succeeds without it: generated clients must make it a required argument.
        if_match["required"] = True
        if_match["schema"] = {"type": "string"}
    for status, response in operation.get("responses", {}).items():
        headers: dict[str, Any] = {}
        if status.startswith("2"):
            if if_match is not None or _carries_version(response, schemas):
                headers["ETag"] = _ref("ETag")
            if status == "201":
                headers["Location"] = _ref("Location")
            if "Idempotency-Key" in params:
                headers["Idempotent-Replayed"] = _ref("Idempotent-Replayed")
        if status in ("429", "503"):
            headers["Retry-After"] = _ref("Retry-After")
        if headers:
            response["headers"] = response.get("headers", {}) | headers
