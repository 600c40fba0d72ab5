"""logga / logga_manga write complete rows in the caller's transaction, taking no lock."""

import uuid

import pytest
from sqlalchemy import text

from case_api.audit import service as audit_service
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
    assert "hash" not in row._fields, "hashing is the sealer's, after commit"


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


async def test_logga_manga_writes_one_row_per_person(audit_session, clock) -> None:
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
    assert [r.id for r in rows] == sorted(r.id for r in rows)


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


async def test_appends_do_not_wait_for_each_other(committed_engine) -> None:
    """Two open transactions append at once: neither waits (the old chain lock made the second
    wait for the first's commit; lock_timeout turns such a wait into an error here)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    async with (
        AsyncSession(committed_engine) as first,
        AsyncSession(committed_engine) as second,
        first.begin(),
        second.begin(),
    ):
        for session in (first, second):
            await session.execute(text("SET LOCAL lock_timeout = '500ms'"))
            await audit_service.logga(
                session,
                vem=caller(),
                handling="las",
                objekt_typ="arende",
                objekt_id=None,
                person_id=None,
                arende_id=None,
            )
        held = await first.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        assert held.scalar_one() == 0
    async with committed_engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM audit_logg"))).scalar_one() == 2


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
