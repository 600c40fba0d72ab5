"""The async alembic environment both services' env.py call into."""

import asyncio
import os

from alembic import context
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from common.db import async_url


def _database_url() -> str:
    config = context.config
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    for name in (config.get_main_option("url_env") or "").split(","):
        if os.environ.get(name.strip()):
            return os.environ[name.strip()]
    raise RuntimeError("No database URL: set DATABASE_MIGRATION_URL or DATABASE_URL")


def app_role() -> str:
    """The non-owner role the service runs as; migrations grant it what it needs."""
    config = context.config
    role = config.attributes.get("app_role")
    if not role:
        role = os.environ.get(config.get_main_option("app_role_env") or "", "")
    return str(role or config.get_main_option("default_app_role"))


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _lock_name() -> str:
    config = context.config
    return "handlaggning-migrate:" + str(config.attributes.get("service") or config.config_ini_section)


async def _run_async(metadata: MetaData) -> None:
    engine = create_async_engine(async_url(_database_url()), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        # Two runs at once (a Job retried while the first still runs, replicas started by
        # hand) would interleave DDL: the second waits here, then finds the head applied.
        # A session lock, so it spans the per-migration transactions; it ends with the
        # connection even if the process dies.
        lock = {"name": _lock_name()}
        await connection.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), lock)
        await connection.commit()
        try:
            await connection.run_sync(_run_sync, metadata)
            await connection.commit()
        finally:
            await connection.rollback()  # a failed migration leaves its transaction aborted
            await connection.execute(
                text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": _lock_name()}
            )
            await connection.commit()
    await engine.dispose()


def run(metadata: MetaData) -> None:
    if context.is_offline_mode():
        context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(metadata))
