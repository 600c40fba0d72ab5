"""Use cases of the kontaktfamilj register, and the check the uppdrag module calls."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.events import service as event_service
from case_api.kontaktfamiljer import repository
from case_api.kontaktfamiljer.exceptions import (
    IngenEnhet,
    KommandoEjTillatet,
    KontaktfamiljEjUtredd,
    KontaktfamiljSaknas,
)
from case_api.kontaktfamiljer.models import Kontaktfamilj, KontaktfamiljUtredningssteg
from case_api.kontaktfamiljer.schemas import (
    AvtalInput,
    KontaktfamiljAvslutInput,
    KontaktfamiljCreate,
    KontaktfamiljRead,
    UtredningsstegCreate,
    UtredningsstegRead,
)
from case_api.kontaktfamiljer.state_machine import (
    Kommando,
    NotAllowed,
    Resultat,
    Status,
    Steg,
    allowed_commands,
    missing_for_uppdrag,
    missing_steps,
    next_state,
)
from case_api.kontext import SYSTEM_SCOPE, Scope, apply_scope
from common.auth import Principal
from common.concurrency import check_if_match
from common.cursor import decode_cursor, encode_cursor
from common.problems import UnprocessableContent

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def recruiting_unit(caller: Principal) -> str:
    if caller.enhet is None:
        raise IngenEnhet("Kontaktfamiljer belong to the recruiting enhet; your token names none.")
    return caller.enhet


async def _scoped(session: AsyncSession, caller: Principal) -> str | None:
    """The caller's enhet, set as the transaction's row-level security scope too (none: no rows)."""
    await apply_scope(session, Scope(enhet=caller.enhet, utforare=None))
    return caller.enhet


def latest_results(steps: Sequence[KontaktfamiljUtredningssteg]) -> dict[Steg, Resultat]:
    return {Steg(s.steg): Resultat(s.resultat) for s in steps}  # oldest first: the last one wins


def read(family: Kontaktfamilj, steps: Sequence[KontaktfamiljUtredningssteg]) -> KontaktfamiljRead:
    status = Status(family.status)
    return KontaktfamiljRead.model_validate(
        {
            **family.model_dump(),
            "tillatna_kommandon": allowed_commands(status),
            "utredningssteg": [UtredningsstegRead.model_validate(s.model_dump()) for s in steps],
            "saknas_for_godkannande": missing_steps(latest_results(steps)),
        }
    )


async def _emit(
    session: AsyncSession, family: Kontaktfamilj, type_: str, now: datetime, **extra: Any
) -> None:
    await event_service.emit(
        session,
        type=type_,
        arende_id=None,
        subject=f"kontaktfamilj/{family.id}",
        data={"id": family.id, "enhet": family.enhet, "status": family.status, **extra},
        occurred_at=now,
    )


async def registrera(
    session: AsyncSession, *, data: KontaktfamiljCreate, caller: Principal, now: datetime
) -> Kontaktfamilj:
    await _scoped(session, caller)
    family = Kontaktfamilj(
        enhet=recruiting_unit(caller),
        namn=data.namn,
        status=Status.under_utredning,
        registrerad_at=now,
        registrerad_av=caller.sub,
    )
    await repository.add(session, family)
    await _emit(session, family, "kontaktfamilj.registrerad", now)
    return family


async def hamta(
    session: AsyncSession, *, kontaktfamilj_id: uuid.UUID, caller: Principal
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    # A caller of no enhet gets the 404 of any other enhet's family, not the list's 403
    # ingen-enhet: an id path answers the same whether the family exists or not (issue 5).
    enhet = await _scoped(session, caller)
    family = None if enhet is None else await repository.get(session, kontaktfamilj_id, enhet=enhet)
    if family is None:
        raise KontaktfamiljSaknas()
    return family, await repository.steps(session, family.id)


async def lista(
    session: AsyncSession, *, caller: Principal, status: Status | None, cursor: str | None, limit: int
) -> tuple[list[Kontaktfamilj], str | None]:
    await _scoped(session, caller)
    rows = await repository.page(
        session,
        enhet=recruiting_unit(caller),
        status=status,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].registrerad_at, rows[-1].id) if more else None)


async def _for_command(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    command: Kommando,
) -> tuple[Kontaktfamilj, Status]:
    enhet = await _scoped(session, caller)
    family = (
        None
        if enhet is None
        else await repository.get(session, kontaktfamilj_id, enhet=enhet, for_update=True)
    )
    if family is None:
        raise KontaktfamiljSaknas()
    check_if_match(if_match, family.version)
    try:
        target = next_state(Status(family.status), command)
    except NotAllowed as exc:
        raise KommandoEjTillatet(
            f"The kontaktfamilj is {exc.state}; {command} is not one of its commands.",
            tillstand=exc.state,
            kommando=command,
            tillatna_kommandon=exc.allowed,
        ) from None
    return family, target


async def _changed(
    session: AsyncSession, family: Kontaktfamilj, target: Status, event: str, now: datetime, **extra: Any
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    family.status = target
    family.version += 1
    await session.flush()
    await _emit(session, family, event, now, **extra)
    return family, await repository.steps(session, family.id)


async def registrera_utredningssteg(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: UtredningsstegCreate,
    now: datetime,
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    family, target = await _for_command(
        session,
        kontaktfamilj_id=kontaktfamilj_id,
        caller=caller,
        if_match=if_match,
        command=Kommando.registrera_utredningssteg,
    )
    if data.datum > now.astimezone(STOCKHOLM).date():
        raise UnprocessableContent(
            "A step cannot be dated in the future.",
            errors=[{"field": "datum", "message": "after today", "code": "date_in_future"}],
        )
    await repository.add(
        session,
        KontaktfamiljUtredningssteg(
            kontaktfamilj_id=family.id,
            steg=data.steg,
            datum=data.datum,
            resultat=data.resultat,
            anteckning=data.anteckning,
            registrerad_at=now,
            registrerad_av=caller.sub,
        ),
    )
    return await _changed(
        session,
        family,
        target,
        "kontaktfamilj.utredningssteg_registrerat",
        now,
        steg=data.steg,
        resultat=data.resultat,
        datum=data.datum,
    )


async def registrera_avtal(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: AvtalInput,
    now: datetime,
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    family, target = await _for_command(
        session,
        kontaktfamilj_id=kontaktfamilj_id,
        caller=caller,
        if_match=if_match,
        command=Kommando.registrera_avtal,
    )
    family.avtal_fran, family.avtal_till = data.fran, data.till
    return await _changed(
        session,
        family,
        target,
        "kontaktfamilj.avtal_registrerat",
        now,
        avtal_fran=data.fran,
        avtal_till=data.till,
    )


async def godkann(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    now: datetime,
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    family, target = await _for_command(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, command=Kommando.godkann
    )
    saknas = missing_steps(latest_results(await repository.steps(session, family.id)))
    if saknas:
        raise KontaktfamiljEjUtredd(
            f"Approval needs a positive result of every step; missing: {', '.join(saknas)}.",
            kontaktfamilj_id=str(family.id),
            kontaktfamilj_status=family.status,
            saknas=saknas,
        )
    family.godkand_at, family.godkand_av = now, caller.sub
    return await _changed(session, family, target, "kontaktfamilj.godkand", now)


async def avsluta(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: KontaktfamiljAvslutInput,
    now: datetime,
) -> tuple[Kontaktfamilj, list[KontaktfamiljUtredningssteg]]:
    family, target = await _for_command(
        session, kontaktfamilj_id=kontaktfamilj_id, caller=caller, if_match=if_match, command=Kommando.avsluta
    )
    family.avslutad_at, family.avslutad_av, family.avslut_orsak = now, caller.sub, data.orsak
    return await _changed(session, family, target, "kontaktfamilj.avslutad", now)


async def krav_godkand(
    session: AsyncSession,
    *,
    kontaktfamilj_id: uuid.UUID,
    enhet: str,
    dag: date,
    delade_enheter: frozenset[str],
) -> Kontaktfamilj:
    """The family may take an uppdrag on `dag`: approved, every step positive, an agreement in force.

    `enhet` is the beställare's (the ärende's) enhet. A family serves its own enhet, and a
    recruiting unit named in `delade_enheter` (KONTAKTFAMILJ_ENHETER) investigates families for
    every beställare (seed 004). Any other enhet's family is as unknown: a 404 that tells nothing
    of its vetting (issue 11 item 9).
    Raises KontaktfamiljEjUtredd (409, `saknas` lists what is missing) or KontaktfamiljSaknas (404).
    """
    # The family belongs to another enhet than the beställare's scope: look across enheter for
    # these two reads only, then put the caller's scope back.
    before = await repository.current_scope(session)
    await apply_scope(session, SYSTEM_SCOPE)
    family = await repository.get_any(session, kontaktfamilj_id)
    steps = [] if family is None else await repository.steps(session, family.id)
    await repository.restore_scope(session, before)
    if family is None or family.enhet not in delade_enheter | {enhet}:
        raise KontaktfamiljSaknas()
    saknas = missing_for_uppdrag(
        status=Status(family.status),
        latest=latest_results(steps),
        avtal_fran=family.avtal_fran,
        avtal_till=family.avtal_till,
        dag=dag,
    )
    if saknas:
        raise KontaktfamiljEjUtredd(
            f"The kontaktfamilj cannot take an uppdrag from {enhet} on {dag}; missing: {', '.join(saknas)}.",
            kontaktfamilj_id=str(family.id),
            kontaktfamilj_status=family.status,
            saknas=saknas,
        )
    return family
