"""Engines, sessions and the one transaction per request.

The session dependency owns the transaction: service functions flush, never commit, so a
domain change, its audit rows and its outbox events commit together, before the response
is sent (scope="function"), or not at all.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
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
    options["connect_args"] = {"connection_class": BeginWithConnection, **kwargs.get("connect_args", {})}
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


class BeginWithConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg has no types
    """An asyncpg connection whose next BEGIN can carry statements of the caller's (begin_with).

    Every request's first two round trips were BEGIN and the scope's set_config; sent as one
    simple query they are one (docs/bench.md). Only `begin_with` uses it, with SQL it built from
    values it checked; any other BEGIN goes out as it came."""

    _begin_suffix: str | None = None

    # asyncpg's own signature, timeout included.
    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109
        suffix, self._begin_suffix = self._begin_suffix, None
        if suffix is not None and not args and query.startswith("BEGIN"):
            query = f"{query} {suffix}"
        result: str = await super().execute(query, *args, timeout=timeout)
        return result


async def begin_with(session: AsyncSession, sql: str) -> bool:
    """Begin the session's transaction with `sql` in the same round trip (a simple query: no
    parameters, so `sql` must hold only values the caller has checked). False, and nothing
    sent, when the transaction has begun already or the connection cannot, and False after a
    failed BEGIN too (then send `sql` the usual way).

    SQLAlchemy's asyncpg adapter begins lazily, with the first statement, and has no hook to add
    one to its BEGIN; this starts the transaction as its _start_transaction does (an asyncpg
    Transaction with the adapter's isolation settings) and hands it to the adapter, which then
    commits or rolls it back as its own. tests/common/test_begin_with.py holds it to that."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapter: Any = raw.dbapi_connection
    pg: Any = raw.driver_connection
    # Not isinstance: asyncpg's ConnectionMeta answers True for any subclass of its Connection.
    if (
        BeginWithConnection not in type(pg).__mro__
        or getattr(adapter, "_transaction", True) is not None
        or adapter.isolation_level == "autocommit"
        or pg.is_closed()
        or pg.is_in_transaction()
    ):
        # A connection the server closed is SQLAlchemy's to report (invalidated: 503).
        return False
    try:
        transaction = pg.transaction(
            isolation=adapter.isolation_level, readonly=adapter.readonly, deferrable=adapter.deferrable
        )
        pg._begin_suffix = sql
        await transaction.start()
    except Exception:
        pg._begin_suffix = None
        # A BEGIN that failed (the connection died, or the statement after it failed) leaves the
        # driver's and the adapter's state in doubt: drop the connection. The caller then sends
        # its statement the usual way, which fails as SQLAlchemy reports a lost connection (the
        # connection invalidated, 503), and the pool opens a new one.
        pg.terminate()
        return False
    adapter._transaction = transaction
    return True


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def request_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session, session.begin():
        # Code that has only the session (the audit log) reads the app's clock from here.
        session.info["clock"] = request_clock(request)
        yield session


def json_default(value: Any) -> str:
    """orjson's `default` for values the driver returns: orjson encodes uuid.UUID itself, but not
    asyncpg's subclass of it."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


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
