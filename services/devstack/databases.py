"""Create each service's database with a non-superuser owner (runs migrations) and a separate
non-owner application role (serves requests), so row-level security applies to the app."""

import contextlib
from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import URL, make_url

_SETUP_LOCK = 7_245_001  # advisory lock id serialising role and database creation


@dataclass(frozen=True)
class ServiceDatabase:
    name: str
    owner_role: str
    app_role: str
    owner_url: str
    app_url: str


def _with(url: str, *, user: str, database: str) -> str:
    base: URL = make_url(url.replace("postgres://", "postgresql://", 1))
    target = base.set(drivername="postgresql", username=user, password=None, database=database)
    return str(target.render_as_string(hide_password=False))


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_role(conn: asyncpg.Connection, role: str) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    if exists:
        return
    # Suppressed: created meanwhile by a process that did not take the setup lock.
    with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
        await conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')


async def ensure_database(
    admin_url: str, *, name: str, owner_role: str, app_role: str, template: str | None = None
) -> ServiceDatabase:
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        # Roles and grants are cluster-wide catalog rows: parallel test workers would race.
        await conn.execute("SELECT pg_advisory_lock($1)", _SETUP_LOCK)
        await ensure_role(conn, owner_role)
        await ensure_role(conn, app_role)
        # The app role is granted owner-created objects through default privileges; it must be
        # able to act as neither owner nor superuser.
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            tmpl = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner_role}"{tmpl}')
        await conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{name}" TO "{app_role}"')
    finally:
        await conn.close()
    return ServiceDatabase(
        name=name,
        owner_role=owner_role,
        app_role=app_role,
        owner_url=_with(admin_url, user=owner_role, database=name),
        app_url=_with(admin_url, user=app_role, database=name),
    )


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
