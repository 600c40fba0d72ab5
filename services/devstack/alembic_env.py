"""The async alembic environment both services' env.py call into."""

import asyncio
import os

from alembic import context
from sqlalchemy import MetaData, pool
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


async def _run_async(metadata: MetaData) -> None:
    engine = create_async_engine(async_url(_database_url()), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync, metadata)
        await connection.commit()
    await engine.dispose()


def run(metadata: MetaData) -> None:
    if context.is_offline_mode():
        context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_async(metadata))
