import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.prenumerationer.models import Prenumeration


async def get(
    session: AsyncSession, prenumeration_id: uuid.UUID, *, for_update: bool = False
) -> Prenumeration | None:
    statement = select(Prenumeration).where(Prenumeration.id == prenumeration_id)  # type: ignore[arg-type]
    if for_update:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    *,
    enhet: str | None,
    kind: str | None,
    status: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[Prenumeration]:
    statement = select(Prenumeration).order_by(Prenumeration.id).limit(limit)  # type: ignore[arg-type]
    if enhet is not None:
        statement = statement.where(Prenumeration.enhet == enhet)  # type: ignore[arg-type]
    if kind is not None:
        statement = statement.where(Prenumeration.kind == kind)  # type: ignore[arg-type]
    if status is not None:
        statement = statement.where(Prenumeration.status == status)  # type: ignore[arg-type]
    if after is not None:
        statement = statement.where(Prenumeration.id > after)  # type: ignore[arg-type]
    return list((await session.execute(statement)).scalars())


async def active(session: AsyncSession) -> list[Prenumeration]:
    statement = select(Prenumeration).where(Prenumeration.status == "aktiv")  # type: ignore[arg-type]
    return list((await session.execute(statement)).scalars())


async def disable(session: AsyncSession, prenumeration_id: uuid.UUID, *, reason: str, now: object) -> None:
    await session.execute(
        update(Prenumeration)
        .where(Prenumeration.id == prenumeration_id, Prenumeration.status == "aktiv")  # type: ignore[arg-type]
        .values(
            status="inaktiverad", inaktiverad_orsak=reason, updated_at=now, version=Prenumeration.version + 1
        )
    )
