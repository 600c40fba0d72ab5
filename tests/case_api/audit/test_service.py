"""logga / logga_manga write complete, chained rows in the caller's transaction."""

import itertools
import uuid

import pytest
from sqlalchemy import text

from case_api.audit import kedja
from case_api.audit import service as audit_service
from case_api.audit.repository import ChainNeedsReadCommitted
from common.auth import Role
from tests.case_api.audit.conftest import T0, audit_rows, caller

HANDLINGAR = ["las", "skapa", "andra", "sok", "utdrag", "loggkontroll"]


@pytest.mark.parametrize("handling", HANDLINGAR)
async def test_every_handling_writes_a_row_with_all_fields(audit_session, handling: str) -> None:
    vem = caller(Role.handlaggare, Role.arbetsledare, sub="karin", enhet="bou-2", utforare="utf-9")
    objekt, person, arende = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await audit_service.logga(
        audit_session,
        vem=vem,
        handling=handling,
        objekt_typ="utredning",
        objekt_id=objekt,
        person_id=person,
        arende_id=arende,
        skal="ärendet",
    )
    [row] = await audit_rows(audit_session)
    assert row.id > 0
    assert row.at == T0
    assert (row.sub, row.roller, row.enhet, row.utforare) == (
        "karin",
        ["arbetsledare", "handlaggare"],
        "bou-2",
        "utf-9",
    )
    assert (row.handling, row.objekt_typ, row.objekt_id, row.person_id, row.arende_id) == (
        handling,
        "utredning",
        objekt,
        person,
        arende,
    )
    assert (row.skal, row.utfall, row.request_id) == ("ärendet", "tillaten", None)  # no request here
    assert row.prev_hash == kedja.GENESIS
    assert row.hash == kedja.row_hash(kedja.GENESIS, row._asdict())


async def test_nekad_and_missing_ids_are_kept(audit_session) -> None:
    await audit_service.logga(
        audit_session,
        vem=caller(Role.utforare, enhet=None, utforare="utf-1"),
        handling="las",
        objekt_typ="arende",
        objekt_id=None,
        person_id=None,
        arende_id=None,
        utfall="nekad",
    )
    [row] = await audit_rows(audit_session)
    assert (row.utfall, row.enhet, row.utforare, row.objekt_id, row.skal) == (
        "nekad",
        None,
        "utf-1",
        None,
        None,
    )


async def test_logga_manga_writes_one_chained_row_per_person(audit_session, clock) -> None:
    vem = caller(Role.handlaggare)
    rader = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(5)]
    await audit_service.logga(
        audit_session,
        vem=vem,
        handling="las",
        objekt_typ="arende",
        objekt_id=None,
        person_id=None,
        arende_id=None,
    )
    await audit_service.logga_manga(audit_session, vem=vem, handling="sok", objekt_typ="person", rader=rader)
    await audit_service.logga_manga(audit_session, vem=vem, handling="sok", objekt_typ="person", rader=[])
    rows = await audit_rows(audit_session)
    assert len(rows) == 6
    assert [(r.objekt_id, r.person_id, r.arende_id) for r in rows[1:]] == rader
    assert {r.handling for r in rows[1:]} == {"sok"}
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
        assert after.hash == kedja.row_hash(after.prev_hash, after._asdict())


async def test_chain_verifies_after_many_appends(audit_session, clock) -> None:
    vem = caller(Role.kvalitetssamordnare)
    for i in range(30):
        await audit_service.logga(
            audit_session,
            vem=vem,
            handling="las",
            objekt_typ="arende",
            objekt_id=uuid.uuid4(),
            person_id=uuid.uuid4(),
            arende_id=None,
            skal=str(i),
        )
    result = await audit_service.verifiera(audit_session, vem=vem, batch=7)  # several batches
    assert (result.ok, result.antal, result.antal_brott, result.forsta_brott) == (True, 30, 0, None)
    rows = await audit_rows(audit_session)
    assert result.senaste_hash == rows[29].hash
    assert rows[-1].handling == "loggkontroll" and rows[-1].objekt_typ == "audit_verifiering"


async def test_unknown_utfall_and_empty_handling_are_programming_errors(audit_session) -> None:
    with pytest.raises(ValueError, match="utfall"):
        await audit_service.logga(
            audit_session,
            vem=caller(),
            handling="las",
            objekt_typ="arende",
            objekt_id=None,
            person_id=None,
            arende_id=None,
            utfall="kanske",
        )
    with pytest.raises(ValueError, match="handling"):
        await audit_service.logga(
            audit_session,
            vem=caller(),
            handling="",
            objekt_typ="arende",
            objekt_id=None,
            person_id=None,
            arende_id=None,
        )


async def test_append_refuses_repeatable_read(committed_engine) -> None:
    """Under REPEATABLE READ the head read after the lock may predate the last commit: refuse."""
    from sqlalchemy.ext.asyncio import AsyncSession

    async with committed_engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with AsyncSession(bind=conn) as session, session.begin():
            with pytest.raises(ChainNeedsReadCommitted):
                await audit_service.logga(
                    session,
                    vem=caller(),
                    handling="las",
                    objekt_typ="arende",
                    objekt_id=None,
                    person_id=None,
                    arende_id=None,
                )
    async with committed_engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM audit_logg"))).scalar_one() == 0


async def test_an_explicit_nu_wins_over_the_session_clock(audit_session) -> None:
    later = T0.replace(year=2027)
    await audit_service.logga(
        audit_session,
        vem=caller(),
        handling="las",
        objekt_typ="arende",
        objekt_id=None,
        person_id=None,
        arende_id=None,
        nu=later,
    )
    await audit_service.logga_manga(
        audit_session, vem=caller(), handling="sok", objekt_typ="arende", rader=[(None, None, None)], nu=later
    )
    assert [row.at for row in await audit_rows(audit_session)] == [later, later]
