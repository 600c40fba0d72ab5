"""A request's BEGIN carries its scope (common.db.begin_with, case_api.kontext.apply_scope): one
round trip, the transaction SQLAlchemy's own (it commits and rolls back), a scope value that is
not a plain id never written into SQL, and no transaction left behind when anything fails."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from case_api.kontext import Scope, apply_scope
from common.db import begin_with, driver, make_engine, make_session_factory
from devstack.databases import ServiceDatabase
from tests.dbproxy import WireCounter, db_proxy

SCOPE_NOW = (
    "SELECT current_setting('app.enhet', true), current_setting('app.utforare', true), "
    "current_setting('app.alla', true)"
)
APPEND = text(
    "INSERT INTO audit_logg (at, sub, roller, handling, objekt_typ, utfall) "
    "VALUES (now(), :sub, '{handlaggare}', 'las', 'arende', 'tillaten')"
)


@pytest.fixture
async def counted_engine(
    committed_case_db: ServiceDatabase,
) -> AsyncIterator[tuple[AsyncEngine, WireCounter]]:
    counter = WireCounter()
    async with db_proxy(committed_case_db.app_url, counter) as proxy:
        engine = make_engine(proxy.url_for(committed_case_db.app_url), pool_size=1, max_overflow=0)
        try:
            async with engine.connect():  # the dialect's first-connect queries, before counting
                pass
            yield engine, counter
        finally:
            await engine.dispose()


async def _rows(engine: AsyncEngine, sub: str) -> int:
    async with engine.connect() as conn:
        found = await conn.execute(text("SELECT count(*) FROM audit_logg WHERE sub = :s"), {"s": sub})
        return int(found.scalar_one())


async def test_the_scope_goes_with_begin_and_the_transaction_commits(
    counted_engine: tuple[AsyncEngine, WireCounter],
) -> None:
    engine, counter = counted_engine
    async with make_session_factory(engine)() as session, session.begin():
        counter.reset()
        await apply_scope(session, Scope(enhet="bou-1", utforare="utf-1"))
        assert len(counter.statements) == 1, counter.statements
        assert counter.statements[0].startswith("BEGIN"), counter.statements
        pg = await driver(session)
        assert tuple(await pg.fetchrow(SCOPE_NOW)) == ("bou-1", "utf-1", "off")
        await session.execute(APPEND, {"sub": "committed"})
    assert await _rows(engine, "committed") == 1
    async with engine.connect() as conn:
        pg = (await conn.get_raw_connection()).driver_connection
        assert not pg.is_in_transaction()
        # set_config(..., true): the scope ended with its transaction.
        assert (await pg.fetchval("SELECT current_setting('app.enhet', true)")) in ("", None)


async def test_a_transaction_begun_with_the_scope_rolls_back(
    counted_engine: tuple[AsyncEngine, WireCounter],
) -> None:
    engine, _ = counted_engine
    with pytest.raises(RuntimeError):
        async with make_session_factory(engine)() as session, session.begin():
            await apply_scope(session, Scope(enhet="bou-1", utforare=None))
            await session.execute(APPEND, {"sub": "rolled-back"})
            raise RuntimeError("the request failed")
    assert await _rows(engine, "rolled-back") == 0
    async with engine.connect() as conn:
        assert not (await conn.get_raw_connection()).driver_connection.is_in_transaction()


@pytest.mark.parametrize(
    "hostile",
    [
        "bou-1', true), set_config('app.alla', 'on', true) --",
        "bou\\'1",
        "bou-1; DROP TABLE audit_logg",
        "bou-å",
        "x" * 201,
        "bou\u20281",
    ],
)
async def test_an_id_that_is_not_plain_is_bound_never_written_into_sql(
    counted_engine: tuple[AsyncEngine, WireCounter], hostile: str
) -> None:
    engine, counter = counted_engine
    async with make_session_factory(engine)() as session, session.begin():
        counter.reset()
        await apply_scope(session, Scope(enhet=hostile, utforare=hostile))
        assert not any(hostile in sql for sql in counter.statements), counter.statements
        pg = await driver(session)
        assert tuple(await pg.fetchrow(SCOPE_NOW)) == (hostile, hostile, "off")


async def test_a_scope_set_again_in_a_begun_transaction_is_bound(
    counted_engine: tuple[AsyncEngine, WireCounter],
) -> None:
    engine, counter = counted_engine
    async with make_session_factory(engine)() as session, session.begin():
        await apply_scope(session, Scope(enhet="bou-1", utforare=None))
        counter.reset()
        await apply_scope(session, Scope(enhet="bou-2", utforare=None))
        assert not counter.statements[0].startswith("BEGIN"), counter.statements
        pg = await driver(session)
        assert tuple(await pg.fetchrow(SCOPE_NOW)) == ("bou-2", "", "off")


async def test_a_failing_begin_drops_the_connection_and_reports_it_lost(
    counted_engine: tuple[AsyncEngine, WireCounter],
) -> None:
    engine, _ = counted_engine
    async with make_session_factory(engine)() as session:
        assert not await begin_with(session, "SELECT no_such_function()")
        # What the caller sends next fails as a lost connection does: invalidated (the app
        # answers 503), never run in a transaction the adapter does not know of.
        with pytest.raises(exc.DBAPIError) as lost:
            await session.execute(text("SELECT 1"))
        assert lost.value.connection_invalidated
    # The pool's one connection was replaced, and the next request begins as it should.
    async with make_session_factory(engine)() as session, session.begin():
        await apply_scope(session, Scope(enhet="bou-3", utforare=None))
        pg = await driver(session)
        assert await pg.fetchval("SELECT current_setting('app.enhet', true)") == "bou-3"


async def test_a_plain_asyncpg_connection_begins_the_usual_way(committed_case_db: ServiceDatabase) -> None:
    engine = make_engine(
        committed_case_db.app_url, pool_size=1, connect_args={"connection_class": asyncpg.Connection}
    )
    try:
        async with AsyncSession(engine) as session, session.begin():
            assert not await begin_with(session, "SELECT 1")
            await apply_scope(session, Scope(enhet="bou-1", utforare=None))
            pg = await driver(session)
            assert await pg.fetchval("SELECT current_setting('app.enhet', true)") == "bou-1"
    finally:
        await engine.dispose()


async def test_a_connection_the_server_closed_is_reported_lost(
    counted_engine: tuple[AsyncEngine, WireCounter], admin_url: str
) -> None:
    """No pre-ping: a pooled connection may be dead when a request takes it. Its BEGIN must fail
    as SQLAlchemy reports a lost connection (invalidated, so the app answers 503), not as the
    driver's own error (a 500, and the dead connection kept): seen in the fault run."""
    engine, _ = counted_engine
    async with engine.connect() as conn:
        pid = (await conn.get_raw_connection()).driver_connection.get_server_pid()
    owner = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        assert await owner.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await owner.close()
    with pytest.raises(exc.DBAPIError) as lost:
        async with make_session_factory(engine)() as session, session.begin():
            for _ in range(50):  # until the driver has read the server's goodbye
                pg = (await (await session.connection()).get_raw_connection()).driver_connection
                if pg.is_closed():
                    break
                await asyncio.sleep(0.02)
            await apply_scope(session, Scope(enhet="bou-1", utforare=None))
    assert lost.value.connection_invalidated
