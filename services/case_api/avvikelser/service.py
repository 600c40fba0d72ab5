"""Use cases of an avvikelse: register, investigate, decide on IVO (lex Sarah), close."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.arenden.models import Arende
from case_api.audit import service as audit_service
from case_api.avvikelser import repository
from case_api.avvikelser.exceptions import (
    ArendeSaknas,
    AvvikelseSaknas,
    EnhetEjTillaten,
    KommandoEjTillatet,
)
from case_api.avvikelser.models import Avvikelse
from case_api.avvikelser.schemas import (
    AvvikelseAvslutInput,
    AvvikelseCreate,
    AvvikelseRead,
    IvoBeslutInput,
    LexSarahCreate,
    UtredningInput,
)
from case_api.avvikelser.state_machine import (
    AvvikelseTyp,
    Kommando,
    NotAllowed,
    Status,
    allowed_commands,
    next_state,
)
from case_api.bevakning import service as bevakning_service
from case_api.events import service as event_service
from case_api.kontext import SYSTEM_SCOPE, Kontext, Scope, apply_scope, system_kontext
from case_api.regler import datum
from case_api.regler import service as regler_service
from case_api.settings import Settings
from common.auth import Principal, Role
from common.concurrency import check_if_match
from common.cursor import decode_cursor, encode_cursor


def read(avvikelse: Avvikelse) -> AvvikelseRead:
    typ, status = AvvikelseTyp(avvikelse.typ), Status(avvikelse.status)
    return AvvikelseRead.model_validate(
        {**avvikelse.model_dump(), "tillatna_kommandon": allowed_commands(typ, status)}
    )


def sees_all_units(caller: Principal) -> bool:
    return caller.has(Role.kvalitetssamordnare)


def visible_unit(caller: Principal, requested: str | None) -> str | None:
    """The enhet a list or report is limited to: an enhetschef sees only their own."""
    if sees_all_units(caller):
        return requested
    if caller.enhet is None or (requested is not None and requested != caller.enhet):
        raise EnhetEjTillaten(f"You may see avvikelser of enhet {caller.enhet!r} only.")
    return caller.enhet


def _may_see(caller: Principal, avvikelse: Avvikelse) -> bool:
    return sees_all_units(caller) or (caller.has(Role.enhetschef) and caller.enhet == avvikelse.enhet)


def las_scope(caller: Principal, enhet: str | None = None) -> Scope:
    """The row-level security scope of a handler's reads and changes: the kvalitetssamordnare
    every enhet (or the one asked for), the enhetschef their own, anyone else none."""
    if sees_all_units(caller):
        return Scope(enhet=enhet, utforare=None, alla=enhet is None)
    return Scope(enhet=caller.enhet if caller.has(Role.enhetschef) else None, utforare=None)


def _event_data(avvikelse: Avvikelse) -> dict[str, Any]:
    # Minimised: no free text, which may name people.
    return {
        "id": avvikelse.id,
        "typ": avvikelse.typ,
        "lex_sarah_typ": avvikelse.lex_sarah_typ,
        "enhet": avvikelse.enhet,
        "orsakskategori": avvikelse.orsakskategori,
        "arende_id": avvikelse.arende_id,
        "status": avvikelse.status,
        "befogad": avvikelse.befogad,
        "ivo_anmalan": avvikelse.ivo_anmalan,
    }


async def _emit(session: AsyncSession, avvikelse: Avvikelse, type_: str, now: datetime) -> None:
    await event_service.emit(
        session,
        type=type_,
        arende_id=avvikelse.arende_id,
        subject=None if avvikelse.arende_id else f"avvikelse/{avvikelse.id}",
        data=_event_data(avvikelse),
        occurred_at=now,
    )


LEX_SARAH_REGEL = "lex_sarah_utredning"
OBJEKT_TYP = "avvikelse"
# Why the texts were read: handling the deviation (seed 002), whatever ärende it names.
SKAL = "avvikelsehantering"


async def _logga(
    session: AsyncSession,
    *,
    caller: Principal,
    handling: str,
    avvikelser: Sequence[Avvikelse],
    scope: Scope,
    nu: datetime | None = None,
) -> None:
    """Audit rows for the avvikelser whose texts the caller got, which may name a child: the
    person is the child of the ärende an avvikelse names, else none. Called last (audit lock)."""
    arende_ids = {a.arende_id for a in avvikelser if a.arende_id is not None}
    personer: dict[uuid.UUID, uuid.UUID] = {}
    if arende_ids:
        # The ärende may belong to an enhet outside the caller's scope: read its person id only.
        await apply_scope(session, SYSTEM_SCOPE)
        personer = await repository.person_ids(session, arende_ids)
        await apply_scope(session, scope)
    await audit_service.logga_manga(
        session,
        vem=caller,
        handling=handling,
        objekt_typ=OBJEKT_TYP,
        skal=SKAL,
        rader=[
            (a.id, personer.get(a.arende_id) if a.arende_id is not None else None, a.arende_id)
            for a in avvikelser
        ],
        nu=nu,
    )


class _AsSystem:
    """The bevakning and ärende tables sit behind row-level security, while a lex Sarah report
    may come from anyone on staff about any enhet. The system scope opens them for these few
    statements only; the caller's scope is put back on the way out."""

    def __init__(self, session: AsyncSession, *, now: datetime, settings: Settings, scope: Scope) -> None:
        self.session, self.now, self.settings, self.scope = session, now, settings, scope

    async def __aenter__(self) -> Kontext:
        return await system_kontext(self.session, clock=lambda: self.now, settings=self.settings)

    async def __aexit__(self, _type: object, exc: BaseException | None, _tb: object) -> None:
        # A failed statement has aborted the transaction: nothing more can run, nor needs to.
        if not isinstance(exc, DBAPIError):
            # What was written as the system goes out now, while its scope is open (the
            # bevakningar wait for a flush, which would otherwise run under the caller's).
            await self.session.flush()
            await apply_scope(self.session, self.scope)


async def _bevaka(k: Kontext, avvikelse: Avvikelse, arende: Arende | None, start: date) -> None:
    """Every lex Sarah report is watched until investigated: about an ärende, with the ärende's
    handläggare; about none, by its enhet (the late alert goes to the enhet's ledning)."""
    if arende is not None:
        await bevakning_service.oppna(
            k,
            typ=LEX_SARAH_REGEL,
            arende=arende,
            objekt_typ=OBJEKT_TYP,
            objekt_id=avvikelse.id,
            startdatum=start,
        )
    else:
        await bevakning_service.oppna_utan_arende(
            k,
            typ=LEX_SARAH_REGEL,
            enhet=avvikelse.enhet,
            objekt_typ=OBJEKT_TYP,
            objekt_id=avvikelse.id,
            startdatum=start,
        )


def _arende_saknas() -> ArendeSaknas:
    return ArendeSaknas(
        "arende_id names no ärende.",
        errors=[{"field": "arende_id", "message": "no such ärende", "code": "not_found"}],
    )


async def _krav_arende_synligt(session: AsyncSession, *, caller: Principal, arende_id: uuid.UUID) -> None:
    """The reporter may name an ärende they could see (their enhet's, or one with an uppdrag to
    their utförare; any, for the kvalitetssamordnare). Another's is as unknown as one that does
    not exist: the answer must not confirm it exists (issue 5)."""
    await apply_scope(session, SYSTEM_SCOPE if sees_all_units(caller) else Scope.of(caller))
    if not await repository.arende_synligt(session, arende_id):
        raise _arende_saknas()


async def registrera(
    session: AsyncSession, *, data: AvvikelseCreate, caller: Principal, now: datetime, settings: Settings
) -> Avvikelse:
    start = datum.lokal_dag(now)
    lex_sarah = isinstance(data, LexSarahCreate)
    regel = regler_service.hamta_regel(settings=settings, regel_id=LEX_SARAH_REGEL)
    if data.arende_id is not None:
        await _krav_arende_synligt(session, caller=caller, arende_id=data.arende_id)
    scope = las_scope(caller)
    await apply_scope(session, scope)
    avvikelse = Avvikelse(
        typ=data.typ,
        lex_sarah_typ=data.lex_sarah_typ if isinstance(data, LexSarahCreate) else None,
        inkommen_fran=data.inkommen_fran,
        form=data.form,
        enhet=data.enhet,
        orsakskategori=data.orsakskategori,
        beskrivning=data.beskrivning,
        arende_id=data.arende_id,
        status=Status.registrerad,
        registrerad_at=now,
        registrerad_av=caller.sub,
        utredning_forfallodatum=datum.forfallodatum(regel, start) if lex_sarah else None,
    )
    if data.arende_id is None and not lex_sarah:
        await repository.add(session, avvikelse)
    else:
        async with _AsSystem(session, now=now, settings=settings, scope=scope) as k:
            arende = None if data.arende_id is None else await session.get(Arende, data.arende_id)
            if data.arende_id is not None and arende is None:
                raise _arende_saknas()
            await repository.add(session, avvikelse)
            if lex_sarah:
                await _bevaka(k, avvikelse, arende, start)
    await _emit(session, avvikelse, "avvikelse.registrerad", now)
    await _logga(session, caller=caller, handling="skapa", avvikelser=[avvikelse], scope=scope, nu=now)
    return avvikelse


async def hamta(session: AsyncSession, *, avvikelse_id: uuid.UUID, caller: Principal) -> Avvikelse:
    scope = las_scope(caller)
    await apply_scope(session, scope)
    avvikelse = await repository.get(session, avvikelse_id)
    if avvikelse is None or not _may_see(caller, avvikelse):
        raise AvvikelseSaknas()
    await _logga(session, caller=caller, handling="las", avvikelser=[avvikelse], scope=scope)
    return avvikelse


async def lista(
    session: AsyncSession,
    *,
    caller: Principal,
    enhet: str | None,
    typ: AvvikelseTyp | None,
    status: Status | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Avvikelse], str | None]:
    unit = visible_unit(caller, enhet)
    scope = las_scope(caller, unit)
    await apply_scope(session, scope)
    rows = await repository.page(
        session,
        enhet=unit,
        typ=typ,
        status=status,
        after=decode_cursor(cursor) if cursor else None,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    await _logga(session, caller=caller, handling="sok", avvikelser=rows, scope=scope)
    return rows, (encode_cursor(rows[-1].registrerad_at, rows[-1].id) if more else None)


async def _for_command(
    session: AsyncSession,
    *,
    avvikelse_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    command: Kommando,
) -> tuple[Avvikelse, Status]:
    await apply_scope(session, las_scope(caller))
    avvikelse = await repository.get(session, avvikelse_id, for_update=True)
    if avvikelse is None or not _may_see(caller, avvikelse):
        raise AvvikelseSaknas()
    check_if_match(if_match, avvikelse.version)
    try:
        target = next_state(AvvikelseTyp(avvikelse.typ), Status(avvikelse.status), command)
    except NotAllowed as exc:
        raise KommandoEjTillatet(
            f"The avvikelse is {exc.state}; {command} is not one of its commands.",
            tillstand=exc.state,
            kommando=command,
            tillatna_kommandon=exc.allowed,
        ) from None
    return avvikelse, target


async def utred(
    session: AsyncSession,
    *,
    avvikelse_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: UtredningInput,
    now: datetime,
    settings: Settings,
) -> Avvikelse:
    avvikelse, target = await _for_command(
        session, avvikelse_id=avvikelse_id, caller=caller, if_match=if_match, command=Kommando.utred
    )
    if avvikelse.typ == AvvikelseTyp.lex_sarah:
        async with _AsSystem(session, now=now, settings=settings, scope=las_scope(caller)) as k:
            await bevakning_service.uppfyll(
                k, objekt_id=avvikelse.id, typ=LEX_SARAH_REGEL, datum_=datum.lokal_dag(now)
            )
    avvikelse.utredd_at = now
    avvikelse.utredd_av = caller.sub
    avvikelse.utredare = data.utredare
    avvikelse.iakttagelser = data.iakttagelser
    avvikelse.atgarder = data.atgarder
    avvikelse.befogad = data.befogad
    return await _changed(session, caller, avvikelse, target, "avvikelse.utredd", now)


async def besluta_ivo(
    session: AsyncSession,
    *,
    avvikelse_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: IvoBeslutInput,
    now: datetime,
) -> Avvikelse:
    avvikelse, target = await _for_command(
        session, avvikelse_id=avvikelse_id, caller=caller, if_match=if_match, command=Kommando.besluta_ivo
    )
    avvikelse.ivo_beslut_at = now
    avvikelse.ivo_beslut_av = caller.sub
    avvikelse.ivo_beslutsfattare = data.beslutsfattare
    avvikelse.ivo_anmalan = data.anmals_till_ivo
    avvikelse.ivo_motivering = data.motivering
    return await _changed(session, caller, avvikelse, target, "avvikelse.ivo_beslut", now)


async def avsluta(
    session: AsyncSession,
    *,
    avvikelse_id: uuid.UUID,
    caller: Principal,
    if_match: str | None,
    data: AvvikelseAvslutInput,
    now: datetime,
) -> Avvikelse:
    avvikelse, target = await _for_command(
        session, avvikelse_id=avvikelse_id, caller=caller, if_match=if_match, command=Kommando.avsluta
    )
    avvikelse.avslutad_at = now
    avvikelse.avslutad_av = caller.sub
    avvikelse.avslut_kommentar = data.kommentar
    return await _changed(session, caller, avvikelse, target, "avvikelse.avslutad", now)


async def _changed(
    session: AsyncSession,
    caller: Principal,
    avvikelse: Avvikelse,
    target: Status,
    event_type: str,
    now: datetime,
) -> Avvikelse:
    avvikelse.status = target
    avvikelse.version += 1
    await session.flush()
    await _emit(session, avvikelse, event_type, now)
    await _logga(
        session, caller=caller, handling="andra", avvikelser=[avvikelse], scope=las_scope(caller), nu=now
    )
    return avvikelse
