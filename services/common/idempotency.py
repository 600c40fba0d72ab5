"""Idempotency-Key on creating writes: same key and body give the same answer, once.

The key row is inserted in the request's own transaction before the work runs. A concurrent
request with the same key waits on the unique index until the first commits, then replays
its stored answer; if the first rolled back, the second does the work itself.
Each service's migrations create the `idempotency_key` table (see create_table_sql).
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from common.problems import ProblemError


class IdempotencyKeyReused(ProblemError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency-Key reused with another body"


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a create safely: the same key and body give the same answer.",
    ),
]

CREATE_TABLE_SQL = """
CREATE TABLE idempotency_key (
    principal text NOT NULL,
    operation text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status_code integer,
    response_body jsonb,
    headers jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_idempotency_key PRIMARY KEY (principal, operation, key)
)
"""


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    headers: dict[str, str]


def _hash(body: BaseModel | None) -> str:
    payload = json.dumps(jsonable_encoder(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


async def run_idempotent(
    session: AsyncSession,
    *,
    key: str | None,
    principal: str,
    operation: str,
    body: BaseModel | None,
    work: Callable[[], Awaitable[Outcome]],
) -> JSONResponse:
    if key is None:
        outcome = await work()
        return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)
    request_hash = _hash(body)
    params = {"p": principal, "o": operation, "k": key, "h": request_hash}
    inserted = await session.execute(
        text(
            "INSERT INTO idempotency_key (principal, operation, key, request_hash) "
            "VALUES (:p, :o, :k, :h) ON CONFLICT DO NOTHING RETURNING 1"
        ),
        params,
    )
    if inserted.scalar_one_or_none() is None:
        return await _replay(session, params)
    outcome = await work()
    await session.execute(
        text(
            "UPDATE idempotency_key SET status_code = :s, response_body = CAST(:b AS jsonb), "
            "headers = CAST(:hd AS jsonb) WHERE principal = :p AND operation = :o AND key = :k"
        ),
        {
            **params,
            "s": outcome.status_code,
            "b": json.dumps(outcome.body),
            "hd": json.dumps(outcome.headers),
        },
    )
    return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)


async def _replay(session: AsyncSession, params: dict[str, str]) -> JSONResponse:
    row = (
        await session.execute(
            text(
                "SELECT request_hash, status_code, response_body, headers FROM idempotency_key "
                "WHERE principal = :p AND operation = :o AND key = :k"
            ),
            params,
        )
    ).one()
    if row.request_hash != params["h"]:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different body.")
    headers = dict(row.headers or {}) | {"Idempotent-Replayed": "true"}
    return JSONResponse(row.response_body, row.status_code, headers=headers)


def outcome(status_code: int, model: BaseModel, headers: dict[str, str] | None = None) -> Outcome:
    return Outcome(status_code, jsonable_encoder(model), headers or {})
