from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.mottagare.models import Mottagare


async def get(session: AsyncSession, sub: str, *, for_update: bool = False) -> Mottagare | None:
    statement = select(Mottagare).where(Mottagare.sub == sub)  # type: ignore[arg-type]
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def page(session: AsyncSession, *, enhet: str | None, after: str | None, limit: int) -> list[Mottagare]:
    statement: Any = select(Mottagare).order_by(Mottagare.sub).limit(limit)
    if enhet is not None:
        statement = statement.where(Mottagare.enhet == enhet)
    if after is not None:
        statement = statement.where(Mottagare.sub > after)
    return list((await session.execute(statement)).scalars())
