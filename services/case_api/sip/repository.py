"""The SIP queries: an ärende's plans in the order drawn up, and the bevakning of each."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from case_api.bevakning.models import Bevakning
from case_api.sip.models import Sip

REGEL = "sip_uppfoljning"
OPEN = ("oppen", "forsenad")


async def for_arende(session: AsyncSession, *, arende_id: uuid.UUID) -> Sequence[Sip]:
    query = select(Sip).where(col(Sip.arende_id) == arende_id).order_by(col(Sip.created_at), col(Sip.id))
    return (await session.execute(query)).scalars().all()


async def bevakningar(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Bevakning]:
    """The open bevakning of each plan's next uppföljning, by SIP id."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Bevakning).where(
            col(Bevakning.typ) == REGEL,
            col(Bevakning.objekt_id).in_(list(ids)),
            col(Bevakning.status).in_(OPEN),
        )
    )
    return {b.objekt_id: b for b in rows.scalars()}
