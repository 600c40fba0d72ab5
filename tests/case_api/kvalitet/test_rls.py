"""Row-level security alone, connected as the application role: the quality tables show a
transaction only the enhet its scope names (set_config(..., true)), and nothing without one."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import make_engine
from devstack.databases import ServiceDatabase

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def app_conn(case_db: ServiceDatabase) -> AsyncIterator[AsyncConnection]:
    """A connection of our own as the app role (not the owner), rolled back at the end."""
    engine = make_engine(case_db.app_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            trans = await conn.begin()
            try:
                role = (await conn.execute(text("SELECT current_user"))).scalar_one()
                assert role == case_db.app_role != case_db.owner_role
                yield conn
            finally:
                await trans.rollback()
    finally:
        await engine.dispose()


async def scope(conn: AsyncConnection, *, enhet: str = "", alla: bool = False) -> None:
    await conn.execute(
        text("SELECT set_config('app.enhet', :e, true), set_config('app.alla', :a, true)"),
        {"e": enhet, "a": "on" if alla else "off"},
    )


async def add_avvikelse(conn: AsyncConnection, enhet: str) -> uuid.UUID:
    avvikelse_id = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO avvikelse (id, version, typ, inkommen_fran, form, enhet, orsakskategori,"
            " beskrivning, status, registrerad_at, registrerad_av) VALUES (:id, 1, 'klagomal',"
            " 'barn', 'skriftlig', :enhet, 'ovrigt', 'Text som kan namnge ett barn.', 'registrerad',"
            " :now, 'anna')"
        ),
        {"id": avvikelse_id, "enhet": enhet, "now": NOW},
    )
    return avvikelse_id


async def add_kontaktfamilj(conn: AsyncConnection, enhet: str) -> uuid.UUID:
    family_id = uuid.uuid4()
    await conn.execute(
        text(
            "INSERT INTO kontaktfamilj (id, version, enhet, namn, status, registrerad_at, registrerad_av)"
            " VALUES (:id, 1, :enhet, 'Familjen Ek', 'under_utredning', :now, 'anna')"
        ),
        {"id": family_id, "enhet": enhet, "now": NOW},
    )
    await conn.execute(
        text(
            "INSERT INTO kontaktfamilj_utredningssteg (id, kontaktfamilj_id, steg, datum, resultat,"
            " registrerad_at, registrerad_av) VALUES (:id, :family, 'intervju', :datum, 'positivt',"
            " :now, 'anna')"
        ),
        {"id": uuid.uuid4(), "family": family_id, "datum": date(2026, 3, 1), "now": NOW},
    )
    return family_id


async def ids(conn: AsyncConnection, table: str, column: str = "id") -> set[uuid.UUID]:
    return set((await conn.execute(text(f"SELECT {column} FROM {table}"))).scalars())


async def test_rls_alone_hides_other_enheters_quality_rows(app_conn: AsyncConnection) -> None:
    await scope(app_conn, alla=True)
    avv_1, avv_2 = await add_avvikelse(app_conn, "bou-1"), await add_avvikelse(app_conn, "bou-2")
    kf_1, kf_2 = await add_kontaktfamilj(app_conn, "bou-1"), await add_kontaktfamilj(app_conn, "bou-2")
    assert {avv_1, avv_2} <= await ids(app_conn, "avvikelse")
    assert {kf_1, kf_2} <= await ids(app_conn, "kontaktfamilj_utredningssteg", "kontaktfamilj_id")

    # No WHERE clause below: only the policies narrow what the queries return.
    await scope(app_conn, enhet="bou-1")
    assert await ids(app_conn, "avvikelse") == {avv_1}
    assert await ids(app_conn, "kontaktfamilj") == {kf_1}
    assert await ids(app_conn, "kontaktfamilj_utredningssteg", "kontaktfamilj_id") == {kf_1}
    # Nor can a transaction of bou-1 change bou-2's rows: they are not there for it.
    changed = await app_conn.execute(
        text("UPDATE avvikelse SET status = 'avslutad' WHERE id = :id"), {"id": avv_2}
    )
    assert changed.rowcount == 0

    await scope(app_conn)  # no setting: no rows
    for table in ("avvikelse", "kontaktfamilj", "kontaktfamilj_utredningssteg"):
        assert (await app_conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 0


async def test_anyone_may_report_an_avvikelse_but_not_read_it_back(app_conn: AsyncConnection) -> None:
    await scope(app_conn, enhet="bou-1")
    # Staff report about any enhet (seed 002): the insert policy admits it ...
    reported = await add_avvikelse(app_conn, "bou-2")
    # ... and reading stays within the scope.
    assert reported not in await ids(app_conn, "avvikelse")
    await scope(app_conn, enhet="bou-2")
    assert reported in await ids(app_conn, "avvikelse")


async def test_a_kontaktfamilj_of_another_enhet_cannot_be_written(app_conn: AsyncConnection) -> None:
    await scope(app_conn, enhet="bou-1")
    with pytest.raises(DBAPIError, match="row-level security"):
        await add_kontaktfamilj(app_conn, "bou-2")
