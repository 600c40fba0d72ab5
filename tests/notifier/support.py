"""Helpers for notifier tests: the notifier as a real server (uvicorn in this process, on a free port), a webhook receiver
and an SMTP server, for tests that go over real HTTP and SMTP."""

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from common.clock import FrozenClock
from notifier.access_matrix import (
    HANDELSER_SKRIV,
    LEVERANSER_HANTERA,
    MOTTAGARE_HANTERA,
    PRENUMERATIONER_HANTERA,
)
from notifier.settings import Settings
from tests.helpers import bearer
from tests.servers import free_port

OPERATOR_SCOPES = " ".join((PRENUMERATIONER_HANTERA, MOTTAGARE_HANTERA, LEVERANSER_HANTERA))


def relay_token(token: Any) -> str:
    """A token like the case_api relay's: role system, the ingest scope only."""
    return str(token("system", sub="relay", scope=HANDELSER_SKRIV))


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return server, task, f"http://127.0.0.1:{port}"


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


@dataclass
class Receiver:
    """A webhook endpoint: records every request, answers from a script (then 200)."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    default: int = 200

    async def handle(self, request: Request) -> Response:
        body = (await request.body()).decode()
        self.requests.append({"headers": dict(request.headers), "body": body, "json": json.loads(body)})
        status, headers = self.script.pop(0) if self.script else (self.default, {})
        return Response(status_code=status, headers=headers)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            {"to": list(envelope.rcpt_tos), "data": envelope.content.decode("utf-8", "replace")}
        )
        return "250 OK"


@dataclass
class Live:
    base: str
    settings: Settings
    clock: FrozenClock
    session_factory: Any
    client: httpx.AsyncClient
    token: Any

    def system(self) -> dict[str, str]:
        """An operator: every administration scope, but not the relay's ingest scope."""
        return bearer(self.token("system", sub="drift", scope=OPERATOR_SCOPES))


def cloudevent(
    *, type_: str, arende: str, sekvens: int, data: dict[str, Any], enhet: str = "bou-1"
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/handlaggning/case-api",
        "type": type_,
        "subject": arende,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "enhet": enhet,
        "arendeid": arende,
        "sekvens": sekvens,
        "data": data,
    }


async def send_event(live: Live, event: dict[str, Any]) -> httpx.Response:
    return await live.client.post(
        "/v1/events",
        content=json.dumps(event),
        headers={**bearer(relay_token(live.token)), "Content-Type": "application/cloudevents+json"},
    )
