"""A row altered or removed by the owner (trigger disabled) is found by GET /v1/audit/verifiering."""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import kedja
from case_api.audit import service as audit_service
from common.auth import Role
from tests.case_api.audit.conftest import caller
from tests.helpers import bearer


async def _write_committed(engine, n: int) -> list:  # type: ignore[no-untyped-def]
    async with AsyncSession(engine) as session, session.begin():
        for i in range(n):
            await audit_service.logga(
                session,
                vem=caller(Role.handlaggare),
                handling="las",
                objekt_typ="arende",
                objekt_id=uuid.uuid4(),
                person_id=uuid.uuid4(),
                arende_id=None,
                skal=f"rad {i}",
            )
    async with engine.connect() as conn:
        return list((await conn.execute(text("SELECT * FROM audit_logg ORDER BY id"))).all())


async def _as_owner_without_trigger(owner_engine, statement: str) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_logg DISABLE TRIGGER audit_logg_append_only"))
        await conn.execute(text(statement))
        await conn.execute(text("ALTER TABLE audit_logg ENABLE TRIGGER audit_logg_append_only"))


async def _verify(client, token) -> dict:  # type: ignore[no-untyped-def]
    response = await client.get("/v1/audit/verifiering", headers=bearer(token("kvalitetssamordnare")))
    assert response.status_code == 200, response.text
    return response.json()


async def test_intact_chain_verifies(committed_engine, committed_client, token) -> None:
    rows = await _write_committed(committed_engine, 8)
    body = await _verify(committed_client, token)
    assert body == {
        "ok": True,
        "antal": 8,
        "antal_brott": 0,
        "forsta_brott": None,
        "senaste_hash": rows[-1].hash,
    }


async def test_altered_row_is_reported(committed_engine, owner_engine, committed_client, token) -> None:
    rows = await _write_committed(committed_engine, 8)
    target = rows[3]
    await _as_owner_without_trigger(
        owner_engine, f"UPDATE audit_logg SET sub = 'nagon-annan' WHERE id = {target.id}"
    )
    body = await _verify(committed_client, token)
    expected = kedja.row_hash(target.prev_hash, {**target._asdict(), "sub": "nagon-annan"})
    assert body["ok"] is False
    assert body["antal"] == 8 and body["antal_brott"] == 1
    assert body["forsta_brott"] == {
        "id": target.id,
        "fel": "hash",
        "forvantad": expected,
        "lagrad": target.hash,
    }


async def test_removed_row_is_reported_at_its_successor(
    committed_engine, owner_engine, committed_client, token
) -> None:
    rows = await _write_committed(committed_engine, 8)
    await _as_owner_without_trigger(owner_engine, f"DELETE FROM audit_logg WHERE id = {rows[5].id}")
    body = await _verify(committed_client, token)
    assert body["ok"] is False and body["antal"] == 7
    assert body["forsta_brott"] == {
        "id": rows[6].id,
        "fel": "lank",
        "forvantad": rows[4].hash,
        "lagrad": rows[5].hash,
    }


async def test_rehashed_row_breaks_the_next_link(
    committed_engine, owner_engine, committed_client, token
) -> None:
    """An owner who also recomputes the altered row's hash still breaks the link after it."""
    rows = await _write_committed(committed_engine, 5)
    target = rows[2]
    forged = kedja.row_hash(target.prev_hash, {**target._asdict(), "person_id": uuid.UUID(int=1)})
    await _as_owner_without_trigger(
        owner_engine,
        f"UPDATE audit_logg SET person_id = '{uuid.UUID(int=1)}', hash = '{forged}' WHERE id = {target.id}",
    )
    body = await _verify(committed_client, token)
    assert body["forsta_brott"] == {
        "id": rows[3].id,
        "fel": "lank",
        "forvantad": forged,
        "lagrad": target.hash,
    }
