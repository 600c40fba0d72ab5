"""Both committed specs follow the one API convention of docs/api.md; any breach fails here.

`breaches` reads a spec and names every place it departs from the convention; the tests below
run it on the committed specs (expecting none) and on specs broken on purpose (expecting each
break to be named), so the checker itself cannot silently pass everything.
"""

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

OPENAPI = Path(__file__).resolve().parents[1] / "openapi"

# English verbs only: a Swedish one (`lista_`, `hamta_`, `registrera_`) is the commonest breach.
VERBS = frozenset(
    {
        "approve",
        "assign",
        "close",
        "create",
        "decide",
        "disable",
        "draft",
        "establish",
        "extend",
        "get",
        "grant",
        "ingest",
        "investigate",
        "list",
        "make",
        "receive",
        "record",
        "register",
        "replay",
        "revoke",
        "request",
        "report",
        "search",
        "send",
        "start",
        "update",
        "verify",
        "withdraw",
    }
)
OPERATION_ID = re.compile(r"[a-z]+(_[a-z0-9]+)+")
TAG = re.compile(r"[a-z][a-z0-9-]*")
SCHEMA_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
QUERY_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Old or foreign names for concepts that have one name (docs/api.md, "One name per concept").
RETIRED_PROPERTIES = frozenset({"state", "allowed_commands", "nasta", "nasta_cursor", "poster", "next"})
RETIRED_QUERY = re.compile(r"(.*_)?(fore|efter|from|to|since|until|before|after)")
PAGE_PROPERTIES = {"items", "next_cursor"}


def load(service: str) -> dict[str, Any]:
    return json.loads((OPENAPI / f"{service}.json").read_text(encoding="utf-8"))


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _schema_of(response: dict[str, Any], spec: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    if ref is None:
        return None, {}
    name = ref.rsplit("/", 1)[-1]
    return name, spec["components"]["schemas"].get(name, {})


def _operation_breaches(spec: dict[str, Any], path: str, method: str, op: dict[str, Any]) -> list[str]:
    where = f"{method.upper()} {path}"
    found: list[str] = []
    op_id = op.get("operationId", "")
    if not OPERATION_ID.fullmatch(op_id) or op_id.split("_", 1)[0] not in VERBS:
        found.append(f"{where}: operationId {op_id!r} is not <english_verb>_<noun> in snake_case")
    for tag in op.get("tags", []):
        if not TAG.fullmatch(tag):
            found.append(f"{where}: tag {tag!r} is not lower-case ASCII")
    params = op.get("parameters", [])
    query = {p["name"]: p for p in params if p["in"] == "query"}
    headers = {p["name"]: p for p in params if p["in"] == "header"}
    responses = op.get("responses", {})
    for name, param in query.items():
        if not QUERY_NAME.fullmatch(name):
            found.append(f"{where}: query parameter {name!r} is not snake_case")
        if RETIRED_QUERY.fullmatch(name):
            found.append(f"{where}: query parameter {name!r}: periods are `fran`/`till` (docs/api.md)")
        formats = json.dumps(param.get("schema", {}))
        dated = name in ("fran", "till") or name.endswith(("_fran", "_till"))
        if dated and '"format": "date"' not in formats:
            found.append(f"{where}: {name!r} must take a date (YYYY-MM-DD)")
        if name.endswith("_tid") and '"format": "date-time"' not in formats:
            found.append(f"{where}: {name!r} must take an RFC 3339 time")
    if "cursor" in query:
        if "limit" not in query:
            found.append(f"{where}: a paged list takes `limit` with `cursor`")
        if "422" not in responses or "400" in responses:
            found.append(f"{where}: a bad cursor is a 422 (and never a 400) on every list")
        name, schema = _schema_of(responses.get("200", {}), spec)
        if set(schema.get("properties", {})) != PAGE_PROPERTIES or not (name or "").endswith("Page"):
            found.append(f"{where}: a paged list answers a <X>Page of exactly {{items, next_cursor}}")
    if_match = headers.get("If-Match")
    if "428" in responses and (if_match is None or not if_match.get("required")):
        found.append(f"{where}: answers 428 without If-Match, so If-Match must be declared required")
    if if_match is not None and not {"412", "428"} <= set(responses):
        found.append(f"{where}: takes If-Match but does not declare 412 and 428")
    for status, response in responses.items():
        declared = set(response.get("headers", {}))
        wanted = set()
        if status.startswith("2"):
            _, schema = _schema_of(response, spec)
            if if_match is not None or "version" in schema.get("required", []):
                wanted.add("ETag")
            if status == "201":
                wanted.add("Location")
            if "Idempotency-Key" in headers:
                wanted.add("Idempotent-Replayed")
        if status in ("429", "503"):
            wanted.add("Retry-After")
        for header in sorted(wanted - declared):
            found.append(f"{where}: {status} does not declare the {header} response header")
    body = op.get("requestBody")
    if body is not None:
        for media, content in body.get("content", {}).items():
            schema = content.get("schema", {})
            if "$ref" not in schema and "properties" not in schema and "oneOf" not in schema:
                found.append(f"{where}: request body {media} has no schema a client can generate from")
    return found


def _schema_breaches(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        if not SCHEMA_NAME.fullmatch(name):
            found.append(f"schema {name!r}: name it once, in CamelCase (not by module path or generic)")
        for prop in set(schema.get("properties", {})) & RETIRED_PROPERTIES:
            found.append(f"schema {name!r}: property {prop!r} is retired (docs/api.md)")
        if name.endswith("Page") and set(schema.get("properties", {})) != PAGE_PROPERTIES:
            found.append(f"schema {name!r}: a page is exactly {{items, next_cursor}}")
    return found


def breaches(spec: dict[str, Any]) -> list[str]:
    found = _schema_breaches(spec)
    seen: set[str] = set()
    for path, method, op in _operations(spec):
        found += _operation_breaches(spec, path, method, op)
        if op.get("operationId") in seen:
            found.append(f"{method.upper()} {path}: operationId {op['operationId']!r} is not unique")
        seen.add(op.get("operationId", ""))
    return found


@pytest.mark.parametrize("service", ["case_api", "notifier"])
def test_committed_spec_follows_the_convention(service: str) -> None:
    assert breaches(load(service)) == []


def _first(spec: dict[str, Any], predicate: Any) -> dict[str, Any]:
    return next(op for _, _, op in _operations(spec) if predicate(op))


def _break_operation_id(spec: dict[str, Any]) -> None:
    _first(spec, lambda op: op["operationId"] == "list_avvikelser")["operationId"] = "lista_avvikelser"


def _break_tag(spec: dict[str, Any]) -> None:
    _first(spec, lambda op: op["operationId"] == "get_arende")["tags"] = ["ärenden"]


def _break_page(spec: dict[str, Any]) -> None:
    page = spec["components"]["schemas"]["ArendePage"]["properties"]
    page["nasta"] = page.pop("next_cursor")


def _break_schema_name(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    schemas["case_api__avvikelser__state_machine__Status"] = schemas.pop("AvvikelseStatus")


def _break_state_name(spec: dict[str, Any]) -> None:
    props = spec["components"]["schemas"]["AvvikelseRead"]["properties"]
    props["allowed_commands"] = props.pop("tillatna_kommandon")


def _break_if_match(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "close_arende")
    next(p for p in op["parameters"] if p["name"] == "If-Match")["required"] = False


def _break_etag(spec: dict[str, Any]) -> None:
    del _first(spec, lambda op: op["operationId"] == "get_arende")["responses"]["200"]["headers"]["ETag"]


def _break_location(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "register_aktualisering")
    del op["responses"]["201"]["headers"]["Location"]


def _break_replayed(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "register_samtycke")
    del op["responses"]["201"]["headers"]["Idempotent-Replayed"]


def _break_retry_after(spec: dict[str, Any]) -> None:
    del _first(spec, lambda op: op["operationId"] == "get_health_ready")["responses"]["503"]["headers"]


def _break_cursor_status(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "list_uppdrag")
    op["responses"]["400"] = op["responses"]["422"]


def _break_period(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "list_bevakningar")
    next(p for p in op["parameters"] if p["name"] == "forfaller_till")["name"] = "forfaller_fore"


def _break_time_filter(spec: dict[str, Any]) -> None:
    op = _first(spec, lambda op: op["operationId"] == "search_auditlogg")
    next(p for p in op["parameters"] if p["name"] == "fran_tid")["name"] = "fran"


BREAKS = [
    _break_operation_id,
    _break_tag,
    _break_page,
    _break_schema_name,
    _break_state_name,
    _break_if_match,
    _break_etag,
    _break_location,
    _break_replayed,
    _break_retry_after,
    _break_cursor_status,
    _break_period,
    _break_time_filter,
]


@pytest.mark.parametrize("break_it", BREAKS, ids=lambda f: f.__name__.removeprefix("_break_"))
def test_each_kind_of_breach_is_named(break_it: Any) -> None:
    spec = copy.deepcopy(load("case_api"))
    break_it(spec)
    assert breaches(spec), f"{break_it.__name__} went unnoticed"


def test_the_notifier_body_breach_is_named() -> None:
    spec = copy.deepcopy(load("notifier"))
    body = _first(spec, lambda op: op["operationId"] == "ingest_event")["requestBody"]
    body["content"]["application/json"]["schema"] = {"type": "object", "default": None}
    assert any("request body" in b for b in breaches(spec))
