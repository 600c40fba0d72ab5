"""The queries behind the reports. Reports read other modules' tables; they never write."""

import uuid
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.avvikelser.models import Avvikelse
from case_api.bevakning.models import Bevakning
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
