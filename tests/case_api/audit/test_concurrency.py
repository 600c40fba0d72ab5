"""Concurrent writers never fork the chain (and the verifier would notice if they did)."""

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import kedja
from case_api.audit import repository as audit_repository
from case_api.audit import service as audit_service
from common.auth import Role
from tests.case_api.audit.conftest import caller

WRITERS = 20
ROWS_EACH = 5


async def _writer(engine, barrier: asyncio.Barrier, n: int) -> None:  # type: ignore[no-untyped-def]
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(text("SELECT 1"))  # the transaction's snapshot predates the others' commits
        await barrier.wait()
        vem = caller(Role.handlaggare, sub=f"user-{n}")
        for _ in range(ROWS_EACH):
            await audit_service.logga(
                session,
                vem=vem,
                handling="las",
                objekt_typ="arende",
                objekt_id=uuid.uuid4(),
                person_id=uuid.uuid4(),
                arende_id=None,
            )
            await asyncio.sleep(0.002)  # keep the transaction open: others queue on the lock


async def test_twenty_concurrent_transactions_keep_one_chain(committed_engine) -> None:
    barrier = asyncio.Barrier(WRITERS)
    await asyncio.gather(*(_writer(committed_engine, barrier, n) for n in range(WRITERS)))
    async with AsyncSession(committed_engine) as session, session.begin():
        rows = (await session.execute(text("SELECT * FROM audit_logg ORDER BY id"))).all()
        result = await audit_service.verifiera(session, vem=caller(Role.kvalitetssamordnare))
    assert len(rows) == WRITERS * ROWS_EACH
    assert len({r.prev_hash for r in rows}) == len(rows), "two rows claim the same predecessor: a fork"
    assert (result.ok, result.antal, result.antal_brott) == (True, WRITERS * ROWS_EACH, 0)
    # The lock is held to commit, so each transaction's rows are contiguous in the chain.
    runs = [rows[i].sub for i in range(0, len(rows), ROWS_EACH)]
    assert all(r.sub == runs[i // ROWS_EACH] for i, r in enumerate(rows))
    assert sorted(runs) == sorted(f"user-{n}" for n in range(WRITERS))


async def _unlocked_writer(engine, barrier: asyncio.Barrier) -> None:  # type: ignore[no-untyped-def]
    """What an append without the chain lock would do: read the head, then insert."""
    async with AsyncSession(engine) as session, session.begin():
        head = (await session.execute(text("SELECT hash FROM audit_logg ORDER BY id DESC LIMIT 1"))).scalar()
        prev = head or kedja.GENESIS
        await barrier.wait()
        content = {
            "at": audit_service.system_clock(),
            "sub": "x",
            "roller": ["handlaggare"],
            "enhet": None,
            "utforare": None,
            "handling": "las",
            "objekt_typ": "arende",
            "objekt_id": None,
            "person_id": None,
            "arende_id": None,
            "skal": None,
            "request_id": None,
            "utfall": "tillaten",
        }
        await audit_repository.append_rows(
            session, [{**content, "prev_hash": prev, "hash": kedja.row_hash(prev, content)}]
        )


async def test_without_the_lock_the_chain_forks_and_verification_says_so(committed_engine) -> None:
    """The control for the test above: the same race without the lock is caught."""
    barrier = asyncio.Barrier(4)
    await asyncio.gather(*(_unlocked_writer(committed_engine, barrier) for _ in range(4)))
    async with AsyncSession(committed_engine) as session, session.begin():
        result = await audit_service.verifiera(session, vem=caller(Role.kvalitetssamordnare))
    assert not result.ok
    assert result.antal_brott == 3
    assert result.forsta_brott is not None and result.forsta_brott.fel == "lank"
