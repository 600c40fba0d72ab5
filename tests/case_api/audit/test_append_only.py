"""audit_logg is append-only in the database: grants for the app role, a trigger for everyone."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from case_api.audit import service as audit_service
from common.db import make_engine
from tests.case_api.audit.conftest import audit_rows, caller

CHANGES = [
    "UPDATE audit_logg SET sub = 'mallory'",
    "DELETE FROM audit_logg",
    "TRUNCATE audit_logg CASCADE",  # audit_kedja refers to it: a plain TRUNCATE fails earlier
    "UPDATE audit_logg SET sub = 'mallory' WHERE false",  # a change that matches nothing
]
CHAIN_CHANGES = [
    "UPDATE audit_kedja SET hash = repeat('0', 64)",
    "DELETE FROM audit_kedja",
    "TRUNCATE audit_kedja",
    "UPDATE audit_kedja SET hash = repeat('0', 64) WHERE false",
]


@pytest.mark.parametrize("table", ["audit_logg", "audit_kedja"])
async def test_app_role_may_only_select_and_insert(case_conn, case_db, table: str) -> None:
    role = (await case_conn.execute(text("SELECT current_user"))).scalar_one()
    assert role == case_db.app_role
    privileges = {
        p: (
            await case_conn.execute(text("SELECT has_table_privilege(:t, :p)"), {"t": table, "p": p})
        ).scalar_one()
        for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    }
    assert privileges == {
        "SELECT": True,
        "INSERT": True,
        "UPDATE": False,
        "DELETE": False,
        "TRUNCATE": False,
        "REFERENCES": False,
        "TRIGGER": False,
    }


@pytest.mark.parametrize("statement", CHANGES)
async def test_changes_fail_for_the_app_role(audit_session, case_conn, statement: str) -> None:
    await audit_service.logga(
        audit_session,
        vem=caller(),
        handling="las",
        objekt_typ="arende",
        objekt_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        arende_id=None,
    )
    before = await audit_rows(case_conn)
    savepoint = await case_conn.begin_nested()
    with pytest.raises(DBAPIError, match="permission denied"):
        await case_conn.execute(text(statement))
    await savepoint.rollback()
    assert await audit_rows(case_conn) == before


@pytest.mark.parametrize("statement", CHANGES + CHAIN_CHANGES)
async def test_the_trigger_refuses_the_owner_too(case_db, statement: str) -> None:
    engine = make_engine(case_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT current_user"))).scalar_one() == case_db.owner_role
            table = "audit_kedja" if "audit_kedja" in statement else "audit_logg"
            with pytest.raises(DBAPIError, match=f"{table} is append-only"):
                await conn.execute(text(statement))
            await conn.rollback()
    finally:
        await engine.dispose()


GOOD = "0123456789abcdef" * 4
BAD_HASHES = {
    "upper case": GOOD.upper(),
    "63 characters": GOOD[:-1],
    "65 characters": GOOD + "0",
    "not hexadecimal": "g" + GOOD[1:],
    "whitespace": GOOD[:-2] + " 0",
    "empty": "",
}


@pytest.mark.parametrize("column", ["hash", "prev_hash"])
@pytest.mark.parametrize("bad", list(BAD_HASHES.values()), ids=list(BAD_HASHES))
async def test_the_chain_holds_only_lower_case_sha256_hex(case_conn, column: str, bad: str) -> None:
    """The check is what a row may hold, whatever the sealer computes (migration c1508)."""
    audit_id = (
        await case_conn.execute(
            text(
                "INSERT INTO audit_logg (at, sub, roller, handling, objekt_typ, utfall) "
                "VALUES (now(), 'u', '{handlaggare}', 'las', 'arende', 'tillaten') RETURNING id"
            )
        )
    ).scalar_one()
    row = {"position": 1, "audit_id": audit_id, "prev_hash": GOOD, "hash": GOOD}
    insert = text(
        "INSERT INTO audit_kedja (position, audit_id, prev_hash, hash) "
        "VALUES (:position, :audit_id, :prev_hash, :hash)"
    )
    await case_conn.execute(text("SAVEPOINT before"))
    await case_conn.execute(insert, row)  # the good one passes
    await case_conn.execute(text("ROLLBACK TO SAVEPOINT before"))
    with pytest.raises(DBAPIError):
        await case_conn.execute(insert, {**row, column: bad})
