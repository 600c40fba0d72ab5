"""When an utförare's access to the child's personal data through an uppdrag ends (issue 14
item 6): the uppdrag declined, ended or withdrawn, or the samtycke it rested on withdrawn.

Set here, once, by every path that ends an uppdrag (a CHECK refuses an uppdrag in an end
state without it); read by row-level security (person, person_uppgifter: an utförare sees the
child only through an uppdrag whose access is open) and by the uppdrag's answer, which then
carries no barn and no kontaktuppgifter for the utförare. What the utförare wrote itself
(journal, genomförandeplaner, uppföljningar) is its own and stays readable.
"""

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.uppdrag.models import Uppdrag

SAMTYCKE_ATERKALLAT = "samtycke_aterkallat"


def upphor(u: Uppdrag, *, nu: datetime) -> None:
    """The uppdrag has reached an end state (its status is the reason)."""
    if u.atkomst_upphord_at is None:
        u.atkomst_upphord_at = nu
        u.atkomst_upphord_orsak = u.status


async def upphor_for_samtycke(
    session: AsyncSession, *, samtycke_id: uuid.UUID, nu: datetime
) -> list[uuid.UUID]:
    """The samtycke was withdrawn: every uppdrag that rested on it stops sharing, in one
    statement; returns their ids. The uppdrag itself goes on (the beställare decides)."""
    rows = await session.execute(
        update(Uppdrag)
        .where(col(Uppdrag.samtycke_id) == samtycke_id, col(Uppdrag.atkomst_upphord_at).is_(None))
        .values(atkomst_upphord_at=nu, atkomst_upphord_orsak=SAMTYCKE_ATERKALLAT, version=Uppdrag.version + 1)
        .returning(col(Uppdrag.id))
    )
    return list(rows.scalars())


def upphord_for(u: Uppdrag, *, bestallare: bool) -> bool:
    """Is the child's personal data closed to this caller on this uppdrag? The beställare's
    enhet always reads its own record; the utförare only while access is open."""
    return not bestallare and u.atkomst_upphord_at is not None
