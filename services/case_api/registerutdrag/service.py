"""Registerutdrag: one person's data, every table, plus who has accessed it."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from case_api import kontext
from case_api.audit import service as audit_service
from case_api.registerutdrag import repository as utdrag_repository
from case_api.registerutdrag.schemas import Registerutdrag
from common.auth import Principal
from common.clock import Clock
from common.problems import NotFound


async def upratta(
    session: AsyncSession, *, vem: Principal, person_id: uuid.UUID, clock: Clock, skal: str | None = None
) -> Registerutdrag:
    # Everything about the person, whichever enhet recorded it: row-level security would hide
    # the rows of other enheter, so this transaction reads with the system's scope.
    await kontext.apply_scope(session, kontext.SYSTEM_SCOPE)
    person = await utdrag_repository.person_rad(session, person_id=person_id)
    if person is None:
        raise NotFound("No person with that id.")
    uppgifter = {
        tabell.namn: list(await utdrag_repository.rader(session, tabell=tabell, person_id=person_id))
        for tabell in await utdrag_repository.person_tabeller(session)
    }
    atkomster = await audit_service.atkomster_till_person(session, person_id=person_id)
    nu = clock()
    await audit_service.logga(
        session,
        vem=vem,
        handling="utdrag",
        objekt_typ="registerutdrag",
        objekt_id=person_id,
        person_id=person_id,
        arende_id=None,
        skal=skal,
        nu=nu,
    )
    return Registerutdrag(
        person_id=person_id,
        upprattat_at=nu,
        upprattat_av=vem.sub,
        person=person,
        uppgifter=uppgifter,
        atkomster=atkomster,
    )
