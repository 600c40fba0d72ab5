"""The sealer chains every committed row exactly once, whatever order writers commit in."""

import asyncio
import contextlib
import itertools
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from case_api.audit import service as audit_service
from case_api.audit.sealer import _PLAN, PENDING, leadership, seal_round
from common.auth import Role
from common.db import driver
from tests import event_contract
from tests.case_api.audit.conftest import T0, caller, seal, sealed_chain

WRITERS = 20
ROWS_EACH = 5


async def _append(session: AsyncSession, sub: str) -> None:
    await audit_service.logga(
        session,
        vem=caller(Role.handlaggare, sub=sub),
        handling="las",
        objekt_typ="arende",
        objekt_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        arende_id=None,
    )


async def _writer(engine: AsyncEngine, barrier: asyncio.Barrier, n: int) -> None:
    async with AsyncSession(engine) as session, session.begin():
        await barrier.wait()
        for _ in range(ROWS_EACH):
            await _append(session, f"user-{n}")
            await asyncio.sleep(0.002 * (n % 4))  # commits interleave with other writers and rounds


async def _sealing_while(engine: AsyncEngine, done: asyncio.Event) -> None:
    while not done.is_set():
        await seal(engine)
        await asyncio.sleep(0.001)


def assert_gap_free(chain: list, expected_rows: int) -> None:  # type: ignore[type-arg]
    assert [entry.position for entry in chain] == list(range(1, expected_rows + 1))
    assert len({entry.id for entry in chain}) == expected_rows, "a row sealed twice"
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash


async def test_concurrent_writers_and_sealers_give_one_gap_free_chain(committed_engine) -> None:
    barrier, done = asyncio.Barrier(WRITERS), asyncio.Event()
    sealers = [asyncio.create_task(_sealing_while(committed_engine, done)) for _ in range(3)]
    await asyncio.gather(*(_writer(committed_engine, barrier, n) for n in range(WRITERS)))
    done.set()
    await asyncio.gather(*sealers)
    await seal(committed_engine)
    chain = await sealed_chain(committed_engine)
    assert_gap_free(chain, WRITERS * ROWS_EACH)
    async with AsyncSession(committed_engine) as session, session.begin():
        result = await audit_service.verifiera(session, vem=caller(Role.kvalitetssamordnare))
    assert (result.ok, result.antal, result.antal_brott, result.antal_oforseglade) == (
        True,
        WRITERS * ROWS_EACH,
        0,
        0,
    )


async def test_a_late_commit_is_sealed_after_rows_sealed_before_it(committed_engine) -> None:
    """T1 appends first but commits last: a sealer that went by id would skip its row."""
    async with AsyncSession(committed_engine) as late:
        await late.begin()
        await _append(late, "late")
        late_id = (await late.execute(text("SELECT max(id) FROM audit_logg"))).scalar_one()
        async with AsyncSession(committed_engine) as early, early.begin():
            await _append(early, "early")
        assert await seal(committed_engine) == 1
        [first] = await sealed_chain(committed_engine)
        assert first.sub == "early" and first.id > late_id, "the sealed row is newer than the open one"
        await late.commit()
    assert await seal(committed_engine) == 1
    chain = await sealed_chain(committed_engine)
    assert [(e.position, e.sub) for e in chain] == [(1, "early"), (2, "late")]
    assert_gap_free(chain, 2)


async def test_a_rolled_back_append_leaves_no_gap(committed_engine) -> None:
    async with AsyncSession(committed_engine) as session:
        await session.begin()
        await _append(session, "rolled-back")
        await session.rollback()
    async with AsyncSession(committed_engine) as session, session.begin():
        await _append(session, "kept")
    await seal(committed_engine)
    chain = await sealed_chain(committed_engine)
    assert [(e.position, e.sub) for e in chain] == [(1, "kept")]


async def test_only_one_sealer_leads(committed_engine) -> None:
    async with leadership(committed_engine) as leader, leadership(committed_engine) as other:
        assert leader is not None and other is None
    async with leadership(committed_engine) as next_leader:  # released when the leader ends
        assert next_leader is not None


async def test_the_horizon_never_passes_an_open_transaction(committed_engine) -> None:
    """Rounds read only rows from the horizon on; it must stay at or below any open writer."""
    async with AsyncSession(committed_engine) as open_writer:
        await open_writer.begin()
        await _append(open_writer, "open")
        own = (await open_writer.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one()
        for n in range(3):
            async with AsyncSession(committed_engine) as session, session.begin():
                await _append(session, f"u{n}")
        async with leadership(committed_engine) as conn:
            assert conn is not None
            first = await seal_round(conn, now=T0)
            second = await seal_round(conn, now=T0)
        assert (first.sealed, second.sealed) == (3, 0)
        async with committed_engine.connect() as conn:
            horizon = (await conn.execute(text("SELECT horisont::text FROM audit_sigill"))).scalar_one()
        assert int(horizon) <= int(own)
        await open_writer.commit()
    assert await seal(committed_engine) == 1


async def _horizon(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT horisont::text FROM audit_sigill"))).scalar_one())


async def _xid_of(engine: AsyncEngine, sub: str) -> int:
    async with engine.connect() as conn:
        found = await conn.execute(text("SELECT xid::text FROM audit_logg WHERE sub = :s"), {"s": sub})
        return int(found.scalar_one())


async def _xmin_past(engine: AsyncEngine, xid: int, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    async with engine.connect() as conn:
        while True:
            found = await conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))
            if int(found.scalar_one()) > xid:
                return
            assert asyncio.get_running_loop().time() < deadline, (
                "a transaction older than the rows stayed open"
            )
            await conn.rollback()
            await asyncio.sleep(0.05)


async def test_a_sealer_behind_moves_the_horizon_forward_with_each_batch(committed_engine) -> None:
    """Full batches raise the horizon to their last row, so catching up reads forward: without
    it every round rescans all that was sealed since the horizon last moved."""
    for n in range(3):
        async with AsyncSession(committed_engine) as session, session.begin():
            await _append(session, f"b{n}")
    before = await _horizon(committed_engine)
    # xmin is the server's: another test's transaction (any database) still open would hold the
    # horizon below these rows. Wait for those to end, so the horizon is the batch's to set.
    await _xmin_past(committed_engine, await _xid_of(committed_engine, "b2"))
    async with leadership(committed_engine) as conn:
        assert conn is not None
        first = await seal_round(conn, now=T0, batch=1)
        assert (
            first.more and await _horizon(committed_engine) == await _xid_of(committed_engine, "b0") > before
        )
        second = await seal_round(conn, now=T0, batch=1)
        assert second.more and await _horizon(committed_engine) == await _xid_of(committed_engine, "b1")
    assert await seal(committed_engine) == 1
    assert_gap_free(await sealed_chain(committed_engine), 3)


async def test_a_sealer_behind_never_moves_the_horizon_past_an_open_transaction(committed_engine) -> None:
    async with AsyncSession(committed_engine) as open_writer:
        await open_writer.begin()
        await _append(open_writer, "open")
        own = int((await open_writer.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one())
        for n in range(3):
            async with AsyncSession(committed_engine) as session, session.begin():
                await _append(session, f"u{n}")
        async with leadership(committed_engine) as conn:
            assert conn is not None
            for _ in range(3):
                assert (await seal_round(conn, now=T0, batch=1)).sealed == 1
        assert await _horizon(committed_engine) <= own
        await open_writer.commit()
    assert await seal(committed_engine) == 1
    chain = await sealed_chain(committed_engine)
    assert [e.sub for e in chain] == ["u0", "u1", "u2", "open"]
    assert_gap_free(chain, 4)


def _nodes(node: dict) -> list[dict]:  # type: ignore[type-arg]
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


async def test_a_round_walks_the_xid_index_and_probes_the_chain_without_statistics(committed_engine) -> None:
    """A log of 20,000 sealed rows and 2,000 unsealed, never analysed: the round's query reads
    the index from the horizon in order and stops at the batch, whatever the planner guesses."""
    async with committed_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_logg (at, sub, roller, handling, objekt_typ, utfall) "
                "SELECT now(), 'u' || g, '{handlaggare}', 'las', 'arende', 'tillaten' FROM generate_series(1, 22000) g"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO audit_kedja (position, audit_id, prev_hash, hash) "
                "SELECT id, id, repeat('0', 64), repeat('0', 64) FROM audit_logg WHERE id <= 20000"
            )
        )
    async with committed_engine.connect() as conn, conn.begin():
        await conn.execute(_PLAN)
        plan = await (await driver(conn)).fetchval("EXPLAIN (FORMAT JSON) " + PENDING, 0, 1000)
        await conn.rollback()
    nodes = _nodes(plan[0]["Plan"])
    types = {n["Node Type"] for n in nodes}
    assert plan[0]["Plan"]["Node Type"] == "Limit", plan
    assert {n.get("Index Name") for n in nodes} >= {"ix_audit_logg_xid", "uq_audit_kedja_audit_id"}, plan
    assert not types & {"Seq Scan", "Sort", "Hash", "Hash Join", "Gather", "Gather Merge"}, plan


async def test_an_anchor_is_written_when_the_chain_grew(committed_engine) -> None:
    async with AsyncSession(committed_engine) as session, session.begin():
        await _append(session, "a")
    async with leadership(committed_engine) as conn:
        assert conn is not None
        grew = await seal_round(conn, now=T0, anchor_interval=timedelta(seconds=60))
        too_soon = await seal_round(
            conn, now=T0 + timedelta(seconds=1), anchor_interval=timedelta(seconds=60)
        )
    assert grew.anchored and not too_soon.anchored
    async with committed_engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT type, data FROM outbox_event WHERE type LIKE '%audit.forankrad'"))
        ).all()
    [(kind, data)] = rows
    assert kind == "se.socialtjanst.audit.forankrad"
    event_contract.check(kind, data)  # the catalogue's schema, as for events emitted by requests
    assert data["position"] == 1 and data["hash"] == grew.hash


async def test_the_running_sealer_chains_and_anchors_without_being_asked(
    committed_engine, case_settings
) -> None:
    """run_sealer as the worker process runs it: rows committed while it runs get sealed and
    the head is anchored, with no call from the test."""
    from case_api.audit.sealer import run_sealer
    from common.clock import system_clock

    settings = case_settings.model_copy(
        update={"audit_seal_interval_seconds": 0.05, "audit_anchor_interval_seconds": 0.1}
    )
    task = asyncio.create_task(run_sealer(committed_engine, settings, system_clock))
    try:
        for n in range(5):
            async with AsyncSession(committed_engine) as session, session.begin():
                await _append(session, f"u{n}")
        for _ in range(200):  # a bound on waiting, not a timing claim
            async with committed_engine.connect() as conn:
                sealed, anchored = (
                    await conn.execute(
                        text(
                            "SELECT (SELECT count(*) FROM audit_kedja), forankrad_position FROM audit_sigill"
                        )
                    )
                ).one()
            if sealed == 5 and anchored == 5:
                break
            await asyncio.sleep(0.05)
        assert (sealed, anchored) == (5, 5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert_gap_free(await sealed_chain(committed_engine), 5)
