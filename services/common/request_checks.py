"""Checks on the request line itself, before any route runs: no control characters in the path or
the query string; and (as a dependency of every route) no query parameter the route does not read.

Body fields are checked by their schemas (case_api.schemas_base.Kontrollerad); query and path
parameters are plain `str` in many routes, so one check here covers them all, including any a
new route adds. A NUL in `?handlaggare=` used to reach PostgreSQL and answer 500.
"""

from urllib.parse import parse_qsl

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from common import text
from common.problems import UnprocessableContent, problem_response


def _printable(name: str) -> str:
    return "".join(c for c in name if text.no_controls(c))


def offending_parameter(scope: Scope) -> str | None:
    """The name of the first path or query part holding a control character, as a 422 names it."""
    if not text.no_controls(scope.get("path", "")):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if not (text.no_controls(name) and text.no_controls(value)):
            return f"query.{_printable(name)}"
    return None


class RefuseControlCharacters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        field = offending_parameter(scope) if scope["type"] == "http" else None
        if field is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        response = problem_response(
            request,
            status=422,
            type_=UnprocessableContent.problem_type(),
            title=UnprocessableContent.title,
            detail=f"Invalid: {field}",
            errors=[{"field": field, "message": text.CONTROL_MESSAGE, "code": text.CODE}],
        )
        await response(scope, receive, send)


def _declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameter names a route (with all its dependencies) reads, kept on the route."""
    cached: frozenset[str] | None = getattr(route, "_declared_query", None)
    if cached is None:
        cached = frozenset(_query_names(route.dependant))
        route._declared_query = cached  # type: ignore[attr-defined]
    return cached


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


NOT_A_PARAMETER = "not a parameter of this endpoint"


async def refuse_unknown_query(request: Request) -> None:
    """422 naming every query parameter the route does not read.

    Why: an unknown filter used to be ignored, so `GET /v1/arenden?personnummer=…` answered with
    every ärende of the enhet, which a caller reads as the search result. A misspelt or
    unsupported filter must fail loudly instead.
    """
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared_query(route)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise UnprocessableContent(
            "Unknown query parameter: " + ", ".join(unknown),
            errors=[
                {
                    "field": f"query.{_printable(name)}",
                    "message": "not a parameter of this endpoint",
                    "code": "unknown",
                }
                for name in unknown
            ],
        )
