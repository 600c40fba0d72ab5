"""A real HTTP receiver standing in for the notifier's ingest, and helpers for relay tests.

It runs in the test's event loop on a free port (uvicorn), verifies the bearer token like the
notifier would, stores each CloudEvent once by id (as the notifier's inbox does) and keeps
every arrival, so tests can count duplicates and check the order of first arrivals.
"""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from case_api.events import service as events_service
from common.settings import CommonSettings
from common.tokens import KeyStore, TokenError, decode_token
from tests.servers import free_port

# Returns a status to answer instead of accepting (e.g. 503), or None to accept.
FailRule = Callable[[dict[str, Any], int], int | None]


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Receiver:
    settings: CommonSettings
    url: str = ""
    arrivals: list[dict[str, Any]] = field(default_factory=list)  # every accepted POST, repeats too
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)  # first arrival per id
    first_order: list[str] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    fail: FailRule | None = None
    delay: float = 0.0
    gate: asyncio.Event | None = None  # when set, requests wait for it before answering
    bad_auth: int = 0

    def __post_init__(self) -> None:
        self._keys = KeyStore(self.settings)

    @property
    def duplicates(self) -> int:
        return len(self.arrivals) - len(self.stored)

    async def _ingest(self, request: Request) -> Response:
        self.in_flight += 1
        try:
            body = await request.body()
            self.requests.append((dict(request.headers), body))
            auth = request.headers.get("authorization", "")
            try:
                claims = await decode_token(auth.removeprefix("Bearer "), self._keys)
            except TokenError:
                self.bad_auth += 1
                return JSONResponse({"title": "unauthorized"}, status_code=401)
            if "system" not in claims.roles:
                self.bad_auth += 1
                return JSONResponse({"title": "forbidden"}, status_code=403)
            event = json.loads(body)
            event_id = event["id"]
            self.attempts[event_id] = self.attempts.get(event_id, 0) + 1
            if self.fail is not None:
                status = self.fail(event, self.attempts[event_id])
                if status is not None:
                    return JSONResponse({"title": "refused by test"}, status_code=status)
            # Stored before the answer, like a real inbox: a sender killed while waiting for
            # this answer has delivered, and its retry must be absorbed as a duplicate.
            self.arrivals.append(event)
            duplicate = event_id in self.stored
            if not duplicate:
                self.stored[event_id] = event
                self.first_order.append(event_id)
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.gate is not None:
                await self.gate.wait()
            return JSONResponse(
                {"id": event_id, "source": event["source"], "duplicate": duplicate},
                status_code=200 if duplicate else 202,
            )
        finally:
            self.in_flight -= 1


@contextlib.asynccontextmanager
async def running_receiver(settings: CommonSettings) -> AsyncIterator[Receiver]:
    receiver = Receiver(settings=settings)
    app = Starlette(routes=[Route("/v1/events", receiver._ingest, methods=["POST"])])
    port = free_port()
    server = _QuietServer(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    receiver.url = f"http://127.0.0.1:{port}"
    try:
        yield receiver
    finally:
        if receiver.gate is not None:
            receiver.gate.set()
        server.should_exit = True
        await task


async def emit_events(
    factory: async_sessionmaker[AsyncSession],
    *,
    arende_id: uuid.UUID | None,
    count: int,
    at: datetime,
    enhet: str = "bou-1",
    per_transaction: int = 1,
) -> list[uuid.UUID]:
    """Commit `count` events for one ärende (or none), `per_transaction` to a transaction."""
    ids: list[uuid.UUID] = []
    n = 0
    while n < count:
        async with factory() as session, session.begin():
            if arende_id is not None:
                # The lifecycle code locks the ärende before emitting; an advisory lock on the
                # ärende id stands in for that row lock here.
                await session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtextextended(:a, 0))"), {"a": str(arende_id)}
                )
            for _ in range(min(per_transaction, count - n)):
                event_id = await events_service.emit(
                    session,
                    type="test.handelse",
                    arende_id=arende_id,
                    data={"enhet": enhet, "n": n, "arende_id": arende_id},
                    occurred_at=at,
                )
                ids.append(event_id)
                n += 1
    return ids


def arrival_order_by_arende(events: list[dict[str, Any]]) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for event in events:
        if "arendeid" in event:
            order.setdefault(event["arendeid"], []).append(int(event["sekvens"]))
    return order


async def delivery_states(factory: async_sessionmaker[AsyncSession]) -> dict[uuid.UUID, dict[str, Any]]:
    async with factory() as session:
        rows = await session.execute(
            text(
                "SELECT outbox_id, status, attempts, lease_owner, lease_until, last_error FROM outbox_delivery"
            )
        )
        return {r.outbox_id: dict(r._mapping) for r in rows}
