import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import cast, col, or_

from case_api.personer.models import Samtycke


async def for_person(session: AsyncSession, *, person_id: uuid.UUID) -> Sequence[Samtycke]:
    query = (
        select(Samtycke)
        .where(col(Samtycke.person_id) == person_id)
        .order_by(col(Samtycke.created_at), col(Samtycke.id))
    )
    return (await session.execute(query)).scalars().all()


async def i_kraft(
    session: AsyncSession, *, person_id: uuid.UUID, omfattning: str, dag: date
) -> Samtycke | None:
    """The samtycke in force on `dag` whose omfattning names `omfattning` (latest first).

    Row-level security limits it to the caller's enhet: a samtycke given to another enhet
    does not let this one share.
    """
    query = (
        select(Samtycke)
        .where(
            col(Samtycke.person_id) == person_id,
            col(Samtycke.aterkallat_at).is_(None),
            col(Samtycke.giltigt_fran) <= dag,
            or_(col(Samtycke.giltigt_till).is_(None), col(Samtycke.giltigt_till) >= dag),
            col(Samtycke.omfattning).op("@>")(cast([omfattning], JSONB)),
        )
        .order_by(col(Samtycke.giltigt_fran).desc(), col(Samtycke.created_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()
