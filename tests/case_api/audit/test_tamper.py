"""Rows altered or removed by the owner (triggers disabled) are found by GET /v1/audit/verifiering,
and so is a chain cut back below its last anchor."""

import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import kedja
from case_api.audit import service as audit_service
from case_api.audit.sealer import leadership, seal_round
from common.auth import Role
from tests.case_api.audit.conftest import T0, caller, seal, sealed_chain
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
    await seal(engine)
    return await sealed_chain(engine)


async def _as_owner_without_triggers(owner_engine, *statements: str) -> None:  # type: ignore[no-untyped-def]
    async with owner_engine.begin() as conn:
        for table in ("audit_logg", "audit_kedja"):
            await conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        for statement in statements:
            await conn.execute(text(statement))
        for table in ("audit_logg", "audit_kedja"):
            await conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


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
        "senaste_position": 8,
        "senaste_hash": rows[-1].hash,
        "antal_oforseglade": 0,
        "aldsta_oforseglade_sekunder": None,
        "forankring": None,
    }


async def test_unsealed_rows_are_counted_with_the_oldest_age(
    committed_engine, committed_client, token
) -> None:
    await _write_committed(committed_engine, 2)
    async with AsyncSession(committed_engine) as session, session.begin():
        await audit_service.logga(
            session,
            vem=caller(),
            handling="las",
            objekt_typ="arende",
            objekt_id=None,
            person_id=None,
            arende_id=None,
            nu=T0 - timedelta(seconds=30),
        )
    body = await _verify(committed_client, token)  # the app's clock is T0
    assert (body["ok"], body["antal"], body["antal_oforseglade"]) == (True, 2, 1)
    assert body["aldsta_oforseglade_sekunder"] == 30.0


async def test_altered_row_is_reported(committed_engine, owner_engine, committed_client, token) -> None:
    rows = await _write_committed(committed_engine, 8)
    target = rows[3]
    await _as_owner_without_triggers(
        owner_engine, f"UPDATE audit_logg SET sub = 'nagon-annan' WHERE id = {target.id}"
    )
    body = await _verify(committed_client, token)
    expected = kedja.row_hash(target.prev_hash, {**target._asdict(), "sub": "nagon-annan"})
    assert body["ok"] is False
    assert body["antal"] == 8 and body["antal_brott"] == 1
    assert body["forsta_brott"] == {
        "position": 4,
        "id": target.id,
        "fel": "hash",
        "forvantad": expected,
        "lagrad": target.hash,
    }


async def test_removed_row_is_reported_at_its_successor(
    committed_engine, owner_engine, committed_client, token
) -> None:
    rows = await _write_committed(committed_engine, 8)
    await _as_owner_without_triggers(
        owner_engine,
        f"DELETE FROM audit_kedja WHERE audit_id = {rows[5].id}",
        f"DELETE FROM audit_logg WHERE id = {rows[5].id}",
    )
    body = await _verify(committed_client, token)
    assert body["ok"] is False and body["antal"] == 7
    assert body["forsta_brott"] == {
        "position": 7,
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
    await _as_owner_without_triggers(
        owner_engine,
        f"UPDATE audit_logg SET person_id = '{uuid.UUID(int=1)}' WHERE id = {target.id}",
        f"UPDATE audit_kedja SET hash = '{forged}' WHERE position = 3",
    )
    body = await _verify(committed_client, token)
    assert body["forsta_brott"] == {
        "position": 4,
        "id": rows[3].id,
        "fel": "lank",
        "forvantad": forged,
        "lagrad": target.hash,
    }


async def test_newest_rows_removed_below_the_anchor_are_detected(
    committed_engine, owner_engine, committed_client, token
) -> None:
    """Deleting the newest rows leaves a chain that verifies link by link; the anchor does not."""
    await _write_committed(committed_engine, 3)
    async with leadership(committed_engine) as conn:
        assert conn is not None
        anchored = await seal_round(conn, now=T0, anchor_interval=timedelta(seconds=1))
    assert anchored.anchored and anchored.position == 3
    rows = await sealed_chain(committed_engine)
    await _as_owner_without_triggers(
        owner_engine,
        "DELETE FROM audit_kedja WHERE position >= 2",
        f"DELETE FROM audit_logg WHERE id IN ({rows[1].id}, {rows[2].id})",
    )
    body = await _verify(committed_client, token)
    assert (body["antal"], body["antal_brott"]) == (1, 0), "what is left links correctly"
    assert body["forankring"] == {"position": 3, "hash": rows[2].hash, "stammer": False}
    assert body["ok"] is False
