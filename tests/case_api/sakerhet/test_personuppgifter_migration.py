"""Migration c1103 on a database with data: the details stored on the shared person row become
the records of every enhet holding an ärende about the person (and of the enhet that created
it), the row keeps identity only, and the downgrade puts one set back."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.script import ScriptDirectory

from devstack.databases import ServiceDatabase, drop_database, ensure_database
from devstack.migrate import alembic_config
from tests.conftest import SERVICES

EFTER = "c1103"
P1, P2 = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
async def db(admin_url: str) -> AsyncIterator[ServiceDatabase]:
    owner, app_role = SERVICES["case_api"]
    name = f"t_case_api_c1103_{uuid.uuid4().hex[:8]}"
    database = await ensure_database(admin_url, name=name, owner_role=owner, app_role=app_role)
    yield database
    await drop_database(admin_url, name)


async def _migrate(db: ServiceDatabase, direction: str, revision: str) -> None:
    config = alembic_config("case_api", db.owner_url, db.app_role)
    await asyncio.to_thread(getattr(command, direction), config, revision)


async def _rows(db: ServiceDatabase, sql: str) -> list[Any]:
    conn = await asyncpg.connect(db.owner_url)  # the owner is not bound by row-level security
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def _seed(db: ServiceDatabase) -> None:
    conn = await asyncpg.connect(db.owner_url)
    try:
        await conn.execute(
            "INSERT INTO person (id, identitet_typ, personnummer, fornamn, efternamn, fodelsedatum, "
            "skyddad_identitet, kontakt, skapad_av_enhet, created_at) VALUES "
            "($1, 'personnummer', '201503142380', 'Test', 'Testsson', '2015-03-14', true, "
            "'{\"adress\": \"Gatan 1\"}', 'bou-1', now()), "
            "($2, 'okand', NULL, 'Utan', 'Arende', '2016-01-01', false, '{}', 'bou-3', now())",
            P1,
            P2,
        )
        await conn.execute(
            "INSERT INTO arende (id, person_id, enhet, typ, handlaggare, status, oppnat_at, version) VALUES "
            "(gen_random_uuid(), $1, 'bou-1', 'barn', 'anna', 'oppet', now(), 1), "
            "(gen_random_uuid(), $1, 'bou-2', 'barn', 'bengt', 'oppet', now(), 1), "
            "(gen_random_uuid(), $1, 'bou-2', 'service', 'bengt', 'oppet', now(), 1)",
            P1,
        )
    finally:
        await conn.close()


async def test_existing_details_belong_to_the_enheter_holding_the_person(db: ServiceDatabase) -> None:
    # The revision before, whatever the chain is relinked onto.
    script = ScriptDirectory.from_config(alembic_config("case_api", db.owner_url, db.app_role))
    revision = script.get_revision(EFTER)
    assert revision is not None and isinstance(revision.down_revision, str)
    fore = revision.down_revision
    await _migrate(db, "upgrade", fore)
    await _seed(db)
    await _migrate(db, "upgrade", EFTER)

    records = await _rows(
        db,
        "SELECT person_id, kalla, enhet, fornamn, efternamn, skyddad_identitet, kontakt::text AS kontakt "
        "FROM person_uppgifter ORDER BY person_id = '" + str(P1) + "' DESC, enhet",
    )
    assert [tuple(r) for r in records] == [
        (P1, "enhet", "bou-1", "Test", "Testsson", True, '{"adress": "Gatan 1"}'),
        (P1, "enhet", "bou-2", "Test", "Testsson", True, '{"adress": "Gatan 1"}'),
        (P2, "enhet", "bou-3", "Utan", "Arende", False, "{}"),
    ]
    columns = {r["column_name"] for r in await _rows(db, _COLUMNS)}
    assert columns == {"id", "identitet_typ", "personnummer", "fodelsedatum", "skapad_av_enhet", "created_at"}
    skyddade = await _rows(db, "SELECT * FROM skyddade_person_ids() p(id)")
    assert [r["id"] for r in skyddade] == [P1]

    await _migrate(db, "downgrade", fore)
    back = await _rows(
        db,
        "SELECT id, fornamn, efternamn, skyddad_identitet, kontakt::text AS kontakt FROM person ORDER BY fornamn",
    )
    assert [tuple(r) for r in back] == [
        (P1, "Test", "Testsson", True, '{"adress": "Gatan 1"}'),
        (P2, "Utan", "Arende", False, "{}"),
    ]
    assert not await _rows(db, "SELECT 1 FROM pg_tables WHERE tablename = 'person_uppgifter'")


_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = 'person'"
