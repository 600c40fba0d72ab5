"""Engines, sessions and the one transaction per request.

The session dependency owns the transaction: service functions flush, never commit, so a
domain change, its audit rows and its outbox events commit together, before the response
is sent (scope="function"), or not at all.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import registry

from common.clock import request_clock
from common.settings import CommonSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_registry() -> registry:
    """One registry (and MetaData) per service, so neither sees the other's tables."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def async_url(url: str) -> str:
    """Accept postgresql:// or postgres:// and use asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine without pre-ping and without bound parameters in its errors.

    Pre-ping cost a round trip on every checkout; a connection that died instead fails its
    request, which is invalidated by the dialect's disconnect detection and answers 503
    (common.problems), and the next checkout gets a fresh one. Bound parameters carry
    personnummer and free text, so they never reach an exception message or a log line.
    """
    options: dict[str, Any] = {
        "pool_pre_ping": False,
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": 2.0,
        "hide_parameters": True,
    }
    options.update(kwargs)
    engine = create_async_engine(async_url(url), **options)
    # The ORM's inserts of several rows of one table (the bevakningar a command opens) become
    # one multi-row INSERT ... VALUES, as SQLAlchemy already does when it needs RETURNING,
    # instead of one Execute per row.
    engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def engine_from_settings(url: str, settings: CommonSettings) -> AsyncEngine:
    return make_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_seconds,
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session, session.begin():
        # Code that has only the session (the audit log) reads the app's clock from here.
        session.info["clock"] = request_clock(request)
        yield session


async def driver(session: AsyncSession | AsyncConnection) -> Any:
    """The asyncpg connection under the session's (or connection's) open transaction, for the hot
    paths' own SQL.

    Statements sent here skip SQLAlchemy's compile, result and ORM layers (most of a read's
    CPU, docs/bench.md) but run in the same transaction, scope and row-level security. The
    transaction must have begun (the scope's set_config is the first statement of every
    request): SQLAlchemy's asyncpg adapter sends BEGIN only with its first statement.
    """
    connection = await session.connection() if isinstance(session, AsyncSession) else session
    raw = await connection.get_raw_connection()
    conn = raw.driver_connection
    if conn is None or not conn.is_in_transaction():
        raise RuntimeError("driver() before the transaction's first statement: it would autocommit")
    return conn


SessionDep = Annotated[AsyncSession, Depends(request_session, scope="function")]
