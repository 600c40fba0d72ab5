"""Samtycke: recorded per person and enhet, withdrawn by a command, and required (krav) before
data crosses a boundary that needs it (an uppdrag to an external utförare, SIP)."""

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import service as audit_service
from case_api.events import service as event_service
from case_api.kontext import Kontext
from case_api.laddning import hamta_for_andring
from case_api.personer import service as person_service
from case_api.personer.models import Person, Samtycke
from case_api.personer.schemas import SamtyckeIn
from case_api.samtycke import repository as samtycke_repository
from case_api.samtycke.exceptions import SamtyckeAterkallat, SamtyckeSaknas
from case_api.uppdrag import atkomst
from common.problems import NotFound


async def _person(k: Kontext, person_id: uuid.UUID) -> Person:
    # Row-level security: a person the caller's enhet has no ärende with is not there.
    person = await k.session.get(Person, person_id)
    if person is None or k.scope.enhet is None:
        raise NotFound("No person with that id.")
    return person


async def registrera(k: Kontext, *, person_id: uuid.UUID, indata: SamtyckeIn) -> Samtycke:
    await _person(k, person_id)
    assert k.scope.enhet is not None
    samtycke = await person_service.registrera_samtycke(
        k, person_id=person_id, enhet=k.scope.enhet, indata=indata
    )
    await audit_service.logga(
        k.session,
        vem=k.vem,
        handling="skapa",
        objekt_typ="samtycke",
        objekt_id=samtycke.id,
        person_id=person_id,
        arende_id=None,
        nu=k.nu(),
    )
    await _handelse(k, samtycke, "samtycke.registrerat")
    return samtycke


async def _handelse(k: Kontext, samtycke: Samtycke, typ: str) -> None:
    # About a person, not an ärende: no arende_id. Who gave it (vardnadshavare or barnet) and
    # what it covers, never who the person is (the id stays inside case_api).
    await event_service.emit(
        k.session,
        type=typ,
        arende_id=None,
        subject=str(samtycke.id),
        data={
            "samtycke_id": samtycke.id,
            "enhet": samtycke.enhet,
            "givet_av": samtycke.givet_av,
            "omfattning": list(samtycke.omfattning),
            "giltigt_fran": samtycke.giltigt_fran,
            "giltigt_till": samtycke.giltigt_till,
            "aterkallat_at": samtycke.aterkallat_at,
        },
        occurred_at=k.nu(),
    )


async def lista(k: Kontext, *, person_id: uuid.UUID) -> list[Samtycke]:
    await _person(k, person_id)
    samtycken = list(await samtycke_repository.for_person(k.session, person_id=person_id))
    await audit_service.logga(
        k.session,
        vem=k.vem,
        handling="las",
        objekt_typ="samtycke",
        objekt_id=None,
        person_id=person_id,
        arende_id=None,
        nu=k.nu(),
    )
    return samtycken


async def aterkalla(k: Kontext, *, samtycke_id: uuid.UUID, if_match: str | None) -> Samtycke:
    samtycke = await hamta_for_andring(k, Samtycke, samtycke_id, objekt="samtycke", if_match=if_match)
    if samtycke.aterkallat_at is not None:
        raise SamtyckeAterkallat(
            "This samtycke was withdrawn before.", aterkallat_at=samtycke.aterkallat_at.isoformat()
        )
    samtycke.aterkallat_at = k.nu()
    samtycke.version += 1
    await k.session.flush()
    # The uppdrag that rested on it stop sharing the child's data with their utförare.
    await atkomst.upphor_for_samtycke(k.session, samtycke_id=samtycke.id, nu=k.nu())
    await audit_service.logga(
        k.session,
        vem=k.vem,
        handling="andra",
        objekt_typ="samtycke",
        objekt_id=samtycke.id,
        person_id=samtycke.person_id,
        arende_id=None,
        nu=k.nu(),
    )
    await _handelse(k, samtycke, "samtycke.aterkallat")
    return samtycke


async def krav(
    session: AsyncSession, person_id: uuid.UUID, omfattning: str | Sequence[str], dag: date
) -> Samtycke:
    """The samtycke in force on `dag` that covers `omfattning` (any one, given several), or a 409
    samtycke-saknas.

    The refusal is audited (a `nekad` row in its own transaction) by the refusal hook.
    """
    alternativ = [omfattning] if isinstance(omfattning, str) else list(omfattning)
    for enskild in alternativ:
        samtycke = await samtycke_repository.i_kraft(
            session, person_id=person_id, omfattning=enskild, dag=dag
        )
        if samtycke is not None:
            return samtycke
    raise SamtyckeSaknas(
        f"No samtycke in force on {dag.isoformat()} covers {' or '.join(repr(o) for o in alternativ)}.",
        person_id=person_id,
        omfattning=omfattning if isinstance(omfattning, str) else alternativ,
        dag=dag.isoformat(),
    )
