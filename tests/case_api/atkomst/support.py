"""A Walk that remembers every request, and the lookups the access tests share."""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import Walk


@dataclass(frozen=True)
class Anrop:
    who: str
    method: str
    path: str
    response: httpx.Response


class RecordingWalk(Walk):
    """Every request made through get/post is kept, in order, with its response."""

    def __init__(self, client: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        super().__init__(client, tokens)
        self.anrop: list[Anrop] = []

    async def post(self, who: str, path: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        response = await super().post(who, path, body, **kwargs)
        self.anrop.append(Anrop(who, "POST", path, response))
        return response

    async def get(self, who: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await super().get(who, path, **kwargs)
        self.anrop.append(Anrop(who, "GET", path, response))
        return response


def operation_of(app: Any, method: str, path: str) -> str:
    """The operation id of the spec's path template that this concrete path fits."""
    path = path.split("?")[0]
    for template, operations in app.openapi()["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return str(operations[method.lower()]["operationId"])
    raise AssertionError(f"no route for {method} {path}")


async def audit_rows(conn: AsyncConnection, request_id: str) -> list[Any]:
    rows = await conn.execute(
        text("SELECT * FROM audit_logg WHERE request_id = :r ORDER BY id"), {"r": request_id}
    )
    return list(rows)


async def person_of_arende(conn: AsyncConnection) -> dict[uuid.UUID, uuid.UUID]:
    """Every ärende's child, read past row-level security (the test's own transaction)."""
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = await conn.execute(text("SELECT id, person_id FROM arende"))
    return {row.id: row.person_id for row in rows}
