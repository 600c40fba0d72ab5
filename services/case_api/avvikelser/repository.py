import uuid
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.avvikelser.models import Avvikelse


async def add(session: AsyncSession, avvikelse: Avvikelse) -> Avvikelse:
    session.add(avvikelse)
    await session.flush()
    return avvikelse


async def get(
    session: AsyncSession, avvikelse_id: uuid.UUID, *, for_update: bool = False
) -> Avvikelse | None:
    query = select(Avvikelse).where(col(Avvikelse.id) == avvikelse_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    *,
    enhet: str | None,
    typ: str | None,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Avvikelse]:
    """Newest first, keyset-paginated on (registrerad_at, id)."""
    query = select(Avvikelse)
    if enhet is not None:
        query = query.where(col(Avvikelse.enhet) == enhet)
    if typ is not None:
        query = query.where(col(Avvikelse.typ) == typ)
    if status is not None:
        query = query.where(col(Avvikelse.status) == status)
    if after is not None:
        query = query.where(tuple_(col(Avvikelse.registrerad_at), col(Avvikelse.id)) < tuple_(*after))
    query = query.order_by(col(Avvikelse.registrerad_at).desc(), col(Avvikelse.id).desc()).limit(limit)
    return list((await session.execute(query)).scalars())


async def person_ids(session: AsyncSession, arende_ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """The child of each ärende: the person an avvikelse about that ärende concerns."""
    query = select(col(Arende.id), col(Arende.person_id)).where(col(Arende.id).in_(arende_ids))
    return {arende_id: person_id for arende_id, person_id in (await session.execute(query)).all()}


async def arende_synligt(session: AsyncSession, arende_id: uuid.UUID) -> bool:
    """Whether the ärende is there under the session's row-level security scope."""
    query = select(col(Arende.id)).where(col(Arende.id) == arende_id)
    return (await session.execute(query)).scalar_one_or_none() is not None
