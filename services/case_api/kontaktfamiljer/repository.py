import uuid
from datetime import datetime

from sqlalchemy import select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.kontaktfamiljer.models import Kontaktfamilj, KontaktfamiljUtredningssteg


async def add(session: AsyncSession, row: Kontaktfamilj | KontaktfamiljUtredningssteg) -> None:
    session.add(row)
    await session.flush()


async def get(
    session: AsyncSession, kontaktfamilj_id: uuid.UUID, *, enhet: str, for_update: bool = False
) -> Kontaktfamilj | None:
    query = select(Kontaktfamilj).where(
        col(Kontaktfamilj.id) == kontaktfamilj_id, col(Kontaktfamilj.enhet) == enhet
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def get_any(session: AsyncSession, kontaktfamilj_id: uuid.UUID) -> Kontaktfamilj | None:
    """Whatever the recruiting unit: for the check an uppdrag from any beställare goes through."""
    return await session.get(Kontaktfamilj, kontaktfamilj_id)


async def steps(session: AsyncSession, kontaktfamilj_id: uuid.UUID) -> list[KontaktfamiljUtredningssteg]:
    """Oldest first, so the last of each kind is its latest result."""
    query = (
        select(KontaktfamiljUtredningssteg)
        .where(col(KontaktfamiljUtredningssteg.kontaktfamilj_id) == kontaktfamilj_id)
        .order_by(
            col(KontaktfamiljUtredningssteg.datum),
            col(KontaktfamiljUtredningssteg.seq),
        )
    )
    return list((await session.execute(query)).scalars())


async def page(
    session: AsyncSession,
    *,
    enhet: str,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Kontaktfamilj]:
    query = select(Kontaktfamilj).where(col(Kontaktfamilj.enhet) == enhet)
    if status is not None:
        query = query.where(col(Kontaktfamilj.status) == status)
    if after is not None:
        query = query.where(tuple_(col(Kontaktfamilj.registrerad_at), col(Kontaktfamilj.id)) < tuple_(*after))
    query = query.order_by(col(Kontaktfamilj.registrerad_at).desc(), col(Kontaktfamilj.id).desc()).limit(
        limit
    )
    return list((await session.execute(query)).scalars())


ScopeSettings = tuple[str | None, str | None, str | None]


async def current_scope(session: AsyncSession) -> ScopeSettings:
    """The transaction's row-level security settings as they stand (see case_api.kontext)."""
    row = await session.execute(
        text(
            "SELECT current_setting('app.enhet', true), current_setting('app.utforare', true), "
            "current_setting('app.alla', true)"
        )
    )
    enhet, utforare, alla = row.one()
    return enhet, utforare, alla


async def restore_scope(session: AsyncSession, settings: ScopeSettings) -> None:
    enhet, utforare, alla = settings
    await session.execute(
        text(
            "SELECT set_config('app.enhet', :e, true), set_config('app.utforare', :u, true), "
            "set_config('app.alla', :a, true)"
        ),
        {"e": enhet or "", "u": utforare or "", "a": alla or ""},
    )
