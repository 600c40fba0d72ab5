"""The queries behind the reports. Reports read other modules' tables; they never write."""

import uuid
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.avvikelser.models import Avvikelse
from case_api.bevakning.models import Bevakning
from case_api.insats.models import Beslut, Insats
from case_api.personer.models import Person
from case_api.uppdrag.models import EjVerkstalltRapport
from case_api.utredning.models import UtredningForlangning


class AvvikelseCount(NamedTuple):
    typ: str
    lex_sarah_typ: str | None
    enhet: str
    orsakskategori: str
    status: str
    befogad: bool | None
    ivo_anmalan: bool | None
    antal: int


async def avvikelse_counts(
    session: AsyncSession, *, start: datetime, end: datetime, enhet: str | None
) -> list[AvvikelseCount]:
    """Counts of avvikelser registered in [start, end), per combination of what reports group by."""
    dims = (
        col(Avvikelse.typ),
        col(Avvikelse.lex_sarah_typ),
        col(Avvikelse.enhet),
        col(Avvikelse.orsakskategori),
        col(Avvikelse.status),
        col(Avvikelse.befogad),
        col(Avvikelse.ivo_anmalan),
    )
    query = (
        select(*dims, func.count())
        .where(col(Avvikelse.registrerad_at) >= start, col(Avvikelse.registrerad_at) < end)
        .group_by(*dims)
    )
    if enhet is not None:
        query = query.where(col(Avvikelse.enhet) == enhet)
    return [AvvikelseCount(*row) for row in (await session.execute(query)).all()]


class BevakningRow(NamedTuple):
    typ: str
    objekt_id: uuid.UUID
    startdatum: date
    forfallodatum: date
    status: str
    uppfylld_datum: date | None


async def bevakningar_forfallna(
    session: AsyncSession, *, fran: date, till: date, enhet: str | None
) -> list[BevakningRow]:
    """Bevakningar due in [fran, till]: the same rows the worklists show (ix_bevakning_forfallo)."""
    query = select(
        col(Bevakning.typ),
        col(Bevakning.objekt_id),
        col(Bevakning.startdatum),
        col(Bevakning.forfallodatum),
        col(Bevakning.status),
        col(Bevakning.uppfylld_datum),
    ).where(col(Bevakning.forfallodatum) >= fran, col(Bevakning.forfallodatum) <= till)
    if enhet is not None:
        query = query.where(col(Bevakning.enhet) == enhet)
    return [BevakningRow(*row) for row in (await session.execute(query)).all()]


async def forlangda_utredningar(session: AsyncSession, utredning_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    if not utredning_ids:
        return set()
    query = select(col(UtredningForlangning.utredning_id)).where(
        col(UtredningForlangning.utredning_id).in_(utredning_ids)
    )
    return set((await session.execute(query)).scalars())


class VerkstallighetRow(NamedTuple):
    bevakning_id: uuid.UUID
    insats_id: uuid.UUID
    startdatum: date
    forfallodatum: date
    status: str
    uppfylld_datum: date | None
    enhet: str
    insatstyp: str
    avslutad_datum: date | None
    beslutsdatum: date
    rattslig_grund: str
    arende_id: uuid.UUID
    person_id: uuid.UUID
    fodelsedatum: date | None
    personnummer: str | None


async def verkstallighet(session: AsyncSession, *, till: date, enhet: str | None) -> list[VerkstallighetRow]:
    """Verkställighet bevakningar of gynnande beslut whose three months ran out by the end of `till`."""
    query = (
        select(
            col(Bevakning.id),
            col(Bevakning.objekt_id),
            col(Bevakning.startdatum),
            col(Bevakning.forfallodatum),
            col(Bevakning.status),
            col(Bevakning.uppfylld_datum),
            col(Insats.enhet),
            col(Insats.insatstyp),
            col(Insats.avslutad_datum),
            col(Beslut.beslutsdatum),
            col(Beslut.rattslig_grund),
            col(Arende.id),
            col(Person.id),
            col(Person.fodelsedatum),
            col(Person.personnummer),
        )
        .join(Insats, col(Insats.id) == col(Bevakning.objekt_id))
        .join(Beslut, col(Beslut.id) == col(Insats.beslut_id))
        .join(Arende, col(Arende.id) == col(Insats.arende_id))
        .join(Person, col(Person.id) == col(Arende.person_id))
        .where(
            col(Bevakning.typ) == "verkstallighet",
            col(Bevakning.forfallodatum) <= till,
            col(Beslut.utfall) == "bifall",
        )
    )
    if enhet is not None:
        query = query.where(col(Insats.enhet) == enhet)
    return [VerkstallighetRow._make(row) for row in (await session.execute(query)).all()]


async def uppfyllda_verkstalligheter(
    session: AsyncSession, insats_ids: set[uuid.UUID]
) -> dict[uuid.UUID, list[date]]:
    """Start days of the verkställighet bevakningar met per insats: an earlier one means an avbrott."""
    if not insats_ids:
        return {}
    query = select(col(Bevakning.objekt_id), col(Bevakning.startdatum)).where(
        col(Bevakning.typ) == "verkstallighet",
        col(Bevakning.status) == "uppfylld",
        col(Bevakning.objekt_id).in_(insats_ids),
    )
    starts: dict[uuid.UUID, list[date]] = {}
    for insats_id, start in (await session.execute(query)).all():
        starts.setdefault(insats_id, []).append(start)
    return starts


async def ej_verkstallt_skal(session: AsyncSession, insats_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The latest reason given (by the utförare or the system) per insats."""
    if not insats_ids:
        return {}
    query = (
        select(col(EjVerkstalltRapport.insats_id), col(EjVerkstalltRapport.orsak))
        .where(col(EjVerkstalltRapport.insats_id).in_(insats_ids))
        # A verkställd insats not used is not ej verkställt: its reason is no IVO reason.
        .where(col(EjVerkstalltRapport.typ) != "ej_nyttjad")
        .order_by(col(EjVerkstalltRapport.created_at))
    )
    return {insats_id: orsak for insats_id, orsak in (await session.execute(query)).all()}
