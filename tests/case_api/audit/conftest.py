"""Fixtures for the audit tests: a session in the test's transaction, callers, committed apps."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from case_api.main import create_app
from common.auth import Principal, Role
from common.clock import FrozenClock
from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.conftest import asgi_client

T0 = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)


def caller(
    *roles: Role, sub: str = "anna", enhet: str | None = "bou-1", utforare: str | None = None
) -> Principal:
    return Principal(
        sub=sub, name=sub, roles=frozenset(roles or {Role.handlaggare}), enhet=enhet, utforare=utforare
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
async def audit_session(case_conn: AsyncConnection, clock: FrozenClock) -> AsyncIterator[AsyncSession]:
    """A session inside the test's rolled-back transaction (connected as the app role)."""
    async with AsyncSession(
        bind=case_conn, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        session.info["clock"] = clock
        yield session


async def audit_rows(conn: AsyncConnection | AsyncSession, **where: Any) -> list[Any]:
    clause = " AND ".join(f"{k} = :{k}" for k in where) or "true"
    return list(
        (await conn.execute(text(f"SELECT * FROM audit_logg WHERE {clause} ORDER BY id"), where)).all()
    )


@pytest.fixture
async def committed_engine(committed_case_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(committed_case_db.app_url, pool_size=25, max_overflow=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def owner_engine(committed_case_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(committed_case_db.owner_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def committed_app(case_settings: Any, committed_engine: AsyncEngine, clock: FrozenClock) -> Any:
    """The real app on a database of its own: each request commits or rolls back for real."""
    app = create_app(case_settings, engine=committed_engine)
    app.state.clock = clock
    return app


@pytest.fixture
async def committed_client(committed_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(committed_app) as client:
        yield client


def new_id() -> uuid.UUID:
    return uuid.uuid4()


async def sealed_chain(engine: AsyncEngine) -> list[Any]:
    """Every chain entry with its audit row, in position order."""
    async with engine.connect() as conn:
        query = text(
            "SELECT k.position, k.prev_hash, k.hash, a.* FROM audit_kedja k "
            "JOIN audit_logg a ON a.id = k.audit_id ORDER BY k.position"
        )
        return list((await conn.execute(query)).all())


async def seal(engine: AsyncEngine) -> int:
    from case_api.audit.sealer import seal_pending

    return await seal_pending(engine, now=T0)
