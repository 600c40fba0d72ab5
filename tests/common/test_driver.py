"""common.db.driver hands out the session's asyncpg connection only inside its transaction:
SQL sent on it before the first statement would autocommit, outside the request's scope."""

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common.db import driver, make_session_factory


async def test_driver_is_refused_before_the_transaction_began(case_engine: AsyncEngine) -> None:
    async with make_session_factory(case_engine)() as session, session.begin():
        # SQLAlchemy's asyncpg adapter sends BEGIN only with its first statement.
        with pytest.raises(RuntimeError, match="autocommit"):
            await driver(session)


async def test_driver_runs_in_the_sessions_transaction(case_engine: AsyncEngine) -> None:
    async with make_session_factory(case_engine)() as session, session.begin():
        await session.execute(text("SELECT set_config('app.enhet', 'bou-1', true)"))
        conn = await driver(session)
        assert conn.is_in_transaction()
        assert await conn.fetchval("SELECT current_setting('app.enhet', true)") == "bou-1"
