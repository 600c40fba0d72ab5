"""RFC 9457 problem details: typed business errors and the one handler that renders them."""

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from common.unavailable import database_unavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Every answer of the API may carry personal data: no cache keeps it, no browser sniffs it.
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
TYPE_PREFIX = "urn:handlaggning:problem:"

log = structlog.get_logger(__name__)


class ValidationItem(BaseModel):
    field: str
    message: str
    code: str


class Problem(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[ValidationItem] | None = None


RESERVED_MEMBERS = frozenset(
    {"type", "type_", "title", "status", "detail", "instance", "request_id", "headers"}
)


class ProblemError(Exception):
    """A business error that knows its status and stable problem type."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        clash = RESERVED_MEMBERS.intersection(extensions)
        if clash:
            # A programming error, caught when the raise is first tested rather than as a 500 later.
            raise TypeError(f"problem extensions may not reuse RFC 9457 members: {sorted(clash)}")
        super().__init__(detail or self.title)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}

    @classmethod
    def problem_type(cls) -> str:
        return TYPE_PREFIX + cls.slug


class BadRequest(ProblemError):
    status, slug, title = 400, "malformed-request", "Malformed request"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class MethodNotAllowed(ProblemError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The object has changed (stale ETag)"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match with the object's ETag is required"


class ServiceUnavailable(ProblemError):
    """Nothing was done and the request may be retried: no connection could be had in time."""

    status, slug, title = 503, "unavailable", "Temporarily unavailable; retry after the given delay"

    def __init__(self, retry_after: int, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers = {"Retry-After": str(retry_after)}


class UnprocessableContent(ProblemError):
    status, slug, title = 422, "validation-error", "The request is not valid"

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> "UnprocessableContent":
        """A business-rule 422 that names its field, shaped like the schema validation errors."""
        return cls(f"{field}: {message}.", errors=[{"field": field, "message": message, "code": code}])

    @classmethod
    def dates(
        cls, field: str, value: date, relation: str, other: str, other_value: date, code: str
    ) -> "UnprocessableContent":
        """Two dates that contradict each other: names the field, and the date it conflicts with
        (`konflikt`: the other field and its date), e.g. a beslut before its utredning began."""
        message = f"{value.isoformat()} is {relation} {other} {other_value.isoformat()}"
        return cls(
            f"{field}: {message}.",
            errors=[{"field": field, "message": message, "code": code}],
            konflikt={"field": other, "datum": other_value.isoformat()},
        )


# Called for a 403 or 404 on a /v1 path, after the request's transaction has rolled back, so
# the service can record the refusal in a transaction of its own (case_api: the audit log).
# Set as app.state.audit_refusal; arguments: the request, the status and the problem slug.
RefusalHook = Callable[[Request, int, str], Awaitable[None]]
AUDITED_REFUSALS = frozenset({403, 404})


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def problem_response(
    request: Request,
    *,
    status: int,
    type_: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "instance": request.url.path,
        "request_id": request_id_of(request),
    }
    if detail is not None:
        body["detail"] = detail
    body.update(extensions)
    # 500s are rendered outside the request-id middleware, so the header is set here too.
    all_headers = {"X-Request-ID": body["request_id"]} if body["request_id"] else {}
    # A 500 is rendered outside every middleware, the security headers' too.
    all_headers.update(SECURITY_HEADERS)
    all_headers.update(headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=all_headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    # ("body", "barn", "personnummer") -> "barn.personnummer"; keep the source for query/header.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _record_refusal(
    request: Request, status: int, slug: str, exc: ProblemError | None = None
) -> JSONResponse | None:
    """Run the refusal hook; a refusal that cannot be recorded fails as a 500 of its own.

    Other problems opt in with `audit_refusal = True` (a samtycke missing); the hook finds
    the problem itself on request.state.refused_problem.
    """
    hook: RefusalHook | None = getattr(request.app.state, "audit_refusal", None)
    audited = status in AUDITED_REFUSALS or getattr(exc, "audit_refusal", False)
    if hook is None or not audited or not request.url.path.startswith("/v1/"):
        return None
    request.state.refused_problem = exc
    try:
        await hook(request, status, slug)
    except Exception as exc:
        return await _on_unexpected(request, exc)
    return None


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    failed = await _record_refusal(request, exc.status, exc.slug, exc)
    if failed is not None:
        return failed
    return problem_response(
        request,
        status=exc.status,
        type_=exc.problem_type(),
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers or None,
        **exc.extensions,
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(
            request,
            status=400,
            type_=BadRequest.problem_type(),
            title=BadRequest.title,
            detail="The body is not valid JSON.",
        )
    items = [
        {
            "field": _field_name(tuple(e.get("loc", ()))),
            "message": str(e.get("msg", "")),
            "code": str(e.get("type", "")),
        }
        for e in errors
    ]
    fields = ", ".join(sorted({i["field"] for i in items}))
    return problem_response(
        request,
        status=422,
        type_=UnprocessableContent.problem_type(),
        title=UnprocessableContent.title,
        detail=f"Invalid: {fields}",
        errors=json.loads(json.dumps(items, default=str)),
    )


_HTTP_TITLES = {
    400: (BadRequest.slug, BadRequest.title),
    401: (Unauthorized.slug, Unauthorized.title),
    403: (Forbidden.slug, Forbidden.title),
    404: (NotFound.slug, NotFound.title),
    405: (MethodNotAllowed.slug, MethodNotAllowed.title),
}


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug, title = _HTTP_TITLES.get(exc.status_code, ("http-error", "HTTP error"))
    failed = await _record_refusal(request, exc.status_code, slug)
    if failed is not None:
        return failed
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        request,
        status=exc.status_code,
        type_=TYPE_PREFIX + slug,
        title=title,
        detail=detail,
        headers=headers or None,
    )


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """Every method of every route on this path: Starlette's Allow names only the first
    route that matched the path, which is wrong when a GET and a POST live on separate routes.
    Each method is tried against the routes, because FastAPI's included routers carry no
    `methods` of their own."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # No stack trace, SQL or message leaves the service: the request id ties the log to it.
    log.exception("unhandled_error", error_type=type(exc).__name__)
    return problem_response(
        request,
        status=500,
        type_=ProblemError.problem_type(),
        title=ProblemError.title,
        detail="An unexpected error occurred; quote the request_id when reporting it.",
    )


def retry_after_seconds(request: Request) -> int:
    return int(request.app.state.settings.retry_after_seconds)


async def _on_pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    # The pool had no connection within DATABASE_POOL_TIMEOUT_SECONDS: the request never
    # reached the database, so a retry is safe and the client is told when to make it.
    log.warning("database_pool_exhausted")
    return await _on_problem(
        request, ServiceUnavailable(retry_after_seconds(request), "No database connection was free in time.")
    )


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        return await _on_unexpected(request, exc)
    log.warning("database_unavailable", error_type=type(exc).__name__)
    return await _on_problem(
        request,
        ServiceUnavailable(
            retry_after_seconds(request),
            "The database cannot be reached. A write may or may not have been saved: "
            "retry it with the same Idempotency-Key.",
        ),
    )


async def _on_client_disconnect(request: Request, exc: Exception) -> JSONResponse:
    # The client hung up before its body arrived (e.g. the relay gave up on a notifier that was
    # frozen): nobody is left to answer, and it is not an error of ours.
    log.info("client_disconnected", method=request.method, route=request.url.path)
    return problem_response(
        request, status=400, type_=TYPE_PREFIX + "client-disconnected", title="The client disconnected"
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ClientDisconnect, _on_client_disconnect)
    app.add_exception_handler(SQLAlchemyTimeoutError, _on_pool_timeout)
    # A database outage: 503 with Retry-After (other DBAPIErrors go on to the 500 handler).
    app.add_exception_handler(DBAPIError, _on_database_error)
    app.add_exception_handler(OSError, _on_database_error)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
