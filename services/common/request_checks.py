"""Checks on the request line itself, before any route runs: no control characters in the path or
the query string.

Body fields are checked by their schemas (case_api.schemas_base.Kontrollerad); query and path
parameters are plain `str` in many routes, so one check here covers them all, including any a
new route adds. A NUL in `?handlaggare=` used to reach PostgreSQL and answer 500.
"""

from urllib.parse import parse_qsl

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
