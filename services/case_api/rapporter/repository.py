"""The queries behind the reports. Reports read other modules' tables; they never write."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.avvikelser.models import Avvikelse


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
