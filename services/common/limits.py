"""Resource limits on every request (issue 11 item 5), applied before routing, so before the
token is checked: an unauthenticated 100 MB body costs no more than an authenticated one.

- Headers: more than MAX_HEADER_BYTES in all is `431`. (uvicorn's h11 parser also stops
  buffering a request head past common.serving's cap; httptools has no cap of its own.)
- Body: a Content-Length over MAX_BODY_BYTES is `413` at once, unread. A body without one
  (chunked) is read only up to the cap, then `413`. The whole body must arrive within
  BODY_TIMEOUT_SECONDS or the answer is `408`: a client sending a byte now and then no longer
  holds a worker. The body is read here, before the app, so these answers never depend on when
  a route happens to read it.
- Rate: `RateLimiter` is a token bucket per caller (`sub`) in this process, checked right after
  the token is verified (common.auth); see docs/atkomst.md for why it is not in the database.
"""

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.problems import ProblemError, problem_response
from common.settings import CommonSettings

log = structlog.get_logger(__name__)


class ClientGone(Exception):
    """The client disconnected before its body arrived."""


class ContentTooLarge(ProblemError):
    status, slug, title = 413, "content-too-large", "The request body is too large"


class HeadersTooLarge(ProblemError):
    status, slug, title = 431, "headers-too-large", "The request headers are too large"


class RequestTimeout(ProblemError):
    status, slug, title = 408, "request-timeout", "The request body did not arrive in time"


class TooManyRequests(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests; slow down"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Retry after {retry_after} s.")
        self.headers = {"Retry-After": str(retry_after)}


def _refuse(scope: Scope, error: ProblemError) -> Any:
    return problem_response(
        Request(scope),
        status=error.status,
        type_=error.problem_type(),
        title=error.title,
        detail=error.detail,
        headers={**error.headers, "Connection": "close"},
    )


class RequestLimits:
    def __init__(self, app: ASGIApp, settings: CommonSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.max_headers = settings.max_header_bytes
        self.body_timeout = settings.body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
        if sum(len(k) + len(v) for k, v in headers) > self.max_headers:
            await _refuse(scope, HeadersTooLarge())(scope, receive, send)
            return
        length = next((v for k, v in headers if k == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _refuse(scope, ContentTooLarge(f"At most {self.max_body} bytes."))(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.body_timeout):
                body, more = await self._read(receive)
        except TimeoutError:
            await _refuse(scope, RequestTimeout())(scope, receive, send)
            return
        except ClientGone:
            # Nobody is left to answer, and it is not an error of ours (as common.problems logs it
            # when a route's own read meets the disconnect).
            log.info("client_disconnected", method=scope.get("method"), route=scope.get("path"))
            return
        if more:
            await _refuse(scope, ContentTooLarge(f"At most {self.max_body} bytes."))(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        """The body, and whether it went on past the cap (then it is not read further).
        Raises ClientGone when the client hangs up first."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return b"", True
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


class RateLimiter:
    """A token bucket per caller: `rate` requests a second on average, `burst` at once.

    In-process: each replica grants its share (RATE_LIMIT_PER_MINUTE / RATE_LIMIT_REPLICAS), so
    the hot path adds no round trip to a shared store. The least recently seen callers are
    forgotten past `max_callers`, which bounds the memory an attacker with many subs can take.
    """

    def __init__(
        self,
        *,
        per_minute: float,
        burst: int,
        replicas: int = 1,
        max_callers: int = 100_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / replicas / 60.0
        self.burst = max(1.0, burst / replicas)
        self.max_callers = max_callers
        self._monotonic = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> "RateLimiter | None":
        if settings.rate_limit_per_minute <= 0:
            return None
        return cls(
            per_minute=settings.rate_limit_per_minute,
            burst=settings.rate_limit_burst,
            replicas=settings.rate_limit_replicas,
        )

    def check(self, caller: str) -> None:
        """Take one token for the caller, or raise 429 with the seconds until the next one."""
        now = self._monotonic()
        tokens, at = self._buckets.pop(caller, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[caller] = (tokens, now)
            raise TooManyRequests(max(1, math.ceil((1.0 - tokens) / self.rate)))
        self._buckets[caller] = (tokens - 1.0, now)
        if len(self._buckets) > self.max_callers:
            self._buckets.popitem(last=False)
