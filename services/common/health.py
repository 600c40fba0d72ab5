"""Liveness and readiness, unauthenticated and free of personal data."""

import asyncio
from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

log = structlog.get_logger(__name__)

READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable", "not-migrated"] | None = None
    migration: str | None = None
    expected_migration: str | None = None


# Every 503 says when to look again (docs/api.md); a probe or a balancer may ignore it.
_RETRY = {"Retry-After": "5"}


def health_router(expected_head: str | None) -> APIRouter:
    router = APIRouter(prefix="/health", tags=["health"])

    @router.get(
        "/live", response_model=Health, response_model_exclude_none=True, operation_id="get_health_live"
    )
    async def get_health_live() -> Health:
        return Health(status="ok")

    @router.get(
        "/ready",
        response_model=Health,
        operation_id="get_health_ready",
        responses={503: {"model": Health, "description": "Database unreachable or not migrated"}},
    )
    async def health_ready(request: Request) -> JSONResponse:
        engine: AsyncEngine = request.app.state.engine
        try:
            # Bounded: a database that drops packets instead of refusing must not hang the
            # probe past the orchestrator's own timeout.
            async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as conn:
                current = (
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one_or_none()
        except (SQLAlchemyError, OSError) as exc:
            # OSError: connecting raises the socket's error (refused, reset, timed out), which
            # SQLAlchemy does not wrap; it answered 500 during an outage before.
            log.warning("readiness_check_failed", error=type(exc).__name__)
            body = Health(status="unavailable", database="unreachable")
            return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers=_RETRY)
        ready = current == expected_head
        body = Health(
            status="ok" if ready else "unavailable",
            database="ok" if ready else "not-migrated",
            migration=current,
            expected_migration=expected_head,
        )
        if ready:
            return JSONResponse(body.model_dump(exclude_none=True))
        return JSONResponse(body.model_dump(exclude_none=True), status_code=503, headers=_RETRY)

    return router
