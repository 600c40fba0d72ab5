"""Idempotency-Key on creating writes: same key and body give the same answer, once.

The key row is inserted in the request's own transaction before the work runs. A concurrent
request with the same key waits on the unique index until the first commits, then replays
its stored answer; if the first rolled back, the second does the work itself.
Each service's migrations create the `idempotency_key` table (see create_table_sql).

A key is bound to who asks and what for (issue 11 item 7): the caller's sub together with the
enhet, utförare, roles and scopes of their token, and the operation with the ids in its path. A
replay answers only that caller, for that operation on that object; anyone else (another
enhet's token with the same sub, the same key for another person) runs the request, and so is
authorised and refused exactly as without the key. Keys expire after IDEMPOTENCY_KEY_TTL_HOURS:
an expired key is a new one, and `purge_expired` (a worker) deletes them.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import structlog
from fastapi import Depends, FastAPI, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.auth import Principal, current_principal, operation_id
from common.clock import request_clock
from common.deferred_writes import defer
from common.problems import ProblemError
from common.shutdown import of_app as shutdown_of

log = structlog.get_logger(__name__)


class IdempotencyKeyReused(ProblemError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency-Key reused with another body"


@dataclass(frozen=True)
class Nyckel:
    """An Idempotency-Key with what it is bound to, as the request gave it."""

    key: str
    caller: str
    operation: str
    now: datetime
    expires_before: datetime


def _caller(principal: Principal) -> str:
    parts = [
        principal.enhet or "",
        principal.utforare or "",
        ",".join(sorted(principal.roles)),
        ",".join(sorted(principal.scopes)),
    ]
    return json.dumps(parts, separators=(",", ":"))


async def idempotency_key(
    request: Request,
    principal: Annotated[Principal, Depends(current_principal)],
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Repeat a create safely: the same key and body give the same answer "
            "(for the same caller and object, within IDEMPOTENCY_KEY_TTL_HOURS).",
        ),
    ] = None,
) -> Nyckel | None:
    if key is None:
        return None
    now = request_clock(request)()
    ttl = timedelta(hours=request.app.state.settings.idempotency_key_ttl_hours)
    path_ids = sorted((name, str(value)) for name, value in request.path_params.items())
    return Nyckel(
        key=key,
        caller=_caller(principal),
        operation=json.dumps([operation_id(request), path_ids], separators=(",", ":")),
        now=now,
        expires_before=now - ttl,
    )


IdempotencyKey = Annotated[Nyckel | None, Depends(idempotency_key)]

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


_STORE_ANSWER = (
    "UPDATE idempotency_key SET status_code = :s, response_body = CAST(:b AS jsonb), "
    "headers = CAST(:hd AS jsonb) WHERE principal = :p AND operation = :o AND key = :k"
)


async def run_idempotent(
    session: AsyncSession,
    *,
    key: Nyckel | None,
    principal: str,
    operation: str,
    body: BaseModel | None,
    work: Callable[[], Awaitable[Outcome]],
) -> JSONResponse:
    """`principal` and `operation` are the call site's names; the key adds the caller's whole
    scope and the operation's path ids to them, so a call site cannot forget either."""
    if key is None:
        outcome = await work()
        return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)
    params: dict[str, Any] = {
        "p": f"{principal}|{key.caller}",
        "o": f"{operation}|{key.operation}",
        "k": key.key,
        "h": _hash(body),
        "now": key.now,
        "cutoff": key.expires_before,
    }
    # A new key inserts; an expired one is taken over as if new; a live one replays.
    inserted = await session.execute(
        text(
            "INSERT INTO idempotency_key (principal, operation, key, request_hash, created_at) "
            "VALUES (:p, :o, :k, :h, :now) "
            "ON CONFLICT (principal, operation, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, "
            "status_code = NULL, response_body = NULL, headers = NULL, created_at = EXCLUDED.created_at "
            "WHERE idempotency_key.created_at < :cutoff RETURNING 1"
        ),
        params,
    )
    if inserted.scalar_one_or_none() is None:
        return await _replay(session, params)
    outcome = await work()
    # The answer is stored as the transaction commits, with its events (deferred_writes).
    defer(session, "idempotency_key", _STORE_ANSWER).params.update(
        {
            "p": params["p"],
            "o": params["o"],
            "k": params["k"],
            "s": outcome.status_code,
            "b": json.dumps(outcome.body),
            "hd": json.dumps(outcome.headers),
        }
    )
    return JSONResponse(outcome.body, outcome.status_code, headers=outcome.headers)


async def _replay(session: AsyncSession, params: dict[str, Any]) -> JSONResponse:
    row = (
        await session.execute(
            text(
                "SELECT request_hash, status_code, response_body, headers FROM idempotency_key "
                "WHERE principal = :p AND operation = :o AND key = :k"
            ),
            {"p": params["p"], "o": params["o"], "k": params["k"]},
        )
    ).one()
    if row.request_hash != params["h"]:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different body.")
    headers = dict(row.headers or {}) | {"Idempotent-Replayed": "true"}
    return JSONResponse(row.response_body, row.status_code, headers=headers)


async def purge_expired(session: AsyncSession, *, before: datetime, limit: int = 1000) -> int:
    """Delete up to `limit` keys made before `before`; returns how many went."""
    result = await session.execute(
        text(
            "DELETE FROM idempotency_key WHERE ctid IN (SELECT ctid FROM idempotency_key "
            "WHERE created_at < :before LIMIT :limit)"
        ),
        {"before": before, "limit": limit},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_round(
    session_factory: async_sessionmaker[AsyncSession], *, before: datetime, limit: int = 1000
) -> int:
    """Purge in batches of `limit`, each in its own short transaction, until none is left."""
    total = 0
    while True:
        async with session_factory() as session, session.begin():
            purged = await purge_expired(session, before=before, limit=limit)
        total += purged
        if purged < limit:
            return total


async def purge_worker(app: FastAPI) -> None:
    """A background worker: every IDEMPOTENCY_PURGE_INTERVAL_SECONDS, delete expired keys."""
    settings = app.state.settings
    shutdown = shutdown_of(app)
    while not shutdown.requested:
        try:
            before = app.state.clock() - timedelta(hours=settings.idempotency_key_ttl_hours)
            purged = await purge_round(app.state.session_factory, before=before)
            if purged:
                log.info("idempotency_keys_purged", count=purged)
        except Exception:
            log.exception("idempotency_purge_failed")
        await shutdown.wait(settings.idempotency_purge_interval_seconds)


def outcome(status_code: int, model: BaseModel, headers: dict[str, str] | None = None) -> Outcome:
    return Outcome(status_code, jsonable_encoder(model), headers or {})
