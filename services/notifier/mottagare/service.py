"""The e-mail directory (who gets bevakning alerts at which address), managed by `system`."""

from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import Clock
from common.concurrency import check_if_match
from notifier.mottagare import repository as mottagare_repository
from notifier.mottagare.exceptions import MottagareExists, MottagareNotFound
from notifier.mottagare.models import Mottagare
from notifier.mottagare.schemas import MottagareCreate, MottagareUpdate


async def create(session: AsyncSession, *, data: MottagareCreate, clock: Clock) -> Mottagare:
    if await mottagare_repository.get(session, data.sub) is not None:
        raise MottagareExists(f"{data.sub} is already in the directory.")
    now = clock()
    row = Mottagare(**data.model_dump(), created_at=now, updated_at=now, version=1)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, *, sub: str, for_update: bool = False) -> Mottagare:
    row = await mottagare_repository.get(session, sub, for_update=for_update)
    if row is None:
        raise MottagareNotFound(f"No recipient {sub}.")
    return row


async def update(
    session: AsyncSession, *, sub: str, data: MottagareUpdate, if_match: str | None, clock: Clock
) -> Mottagare:
    row = await get(session, sub=sub, for_update=True)
    check_if_match(if_match, row.version)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, field, value)
    row.updated_at = clock()
    row.version += 1
    await session.flush()
    return row


async def list_page(
    session: AsyncSession, *, enhet: str | None, cursor: str | None, limit: int
) -> tuple[list[Mottagare], str | None]:
    rows = await mottagare_repository.page(session, enhet=enhet, after=cursor, limit=limit + 1)
    next_cursor = rows[limit - 1].sub if len(rows) > limit else None
    return rows[:limit], next_cursor
