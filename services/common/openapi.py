"""Make the generated OpenAPI say what the service really answers: problem+json errors."""

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
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                wanted = _statuses_for(path, method, operation)
                wanted |= {int(s) for s in responses if s.isdigit() and int(s) >= 400 and int(s) != 503}
                for status in sorted(wanted):
                    responses[str(status)] = _problem_response(status)
        app.openapi_schema = spec
        return spec

    return build


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}
