"""Ärenden: opened by the first aktualisering about a child at an enhet, closed with a reason."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col

from case_api.arenden import repository
from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.insats.models import Insats, Omprovning
from case_api.kontext import Kontext
from case_api.tillstand import krav, tillatna
from case_api.utredning.models import Utredning
from common.auth import Role
from common.db import driver
from common.problems import Conflict


class ArendetHarPagaende(Conflict):
    slug, title = "arende-has-open-work", "The ärende still has work in progress"


def event_data(a: Arende) -> dict[str, object]:
    return {
        "arende_id": a.id,
        "enhet": a.enhet,
        "typ": a.typ,
        "status": a.status,
        "handlaggare": a.handlaggare,
    }


async def oppna_eller_hamta(
    k: Kontext, *, person_id: uuid.UUID, enhet: str, typ: str = "barn"
) -> tuple[Arende, bool]:
    """The child's open ärende at this enhet, locked; opened when there is none. (ärende, new?)"""
    handlaggare = k.vem.sub if Role.handlaggare in k.vem.roles else None
    # Prepared SQL on the session's connection: the ORM built, compiled and read back this
    # INSERT on every aktualisering (a tenth of the POST's CPU). The partial unique index (one
    # open barn-ärende per child and enhet) settles races: then nothing is inserted.
    ny = Arende(
        id=uuid.uuid4(),
        person_id=person_id,
        enhet=enhet,
        typ=typ,
        handlaggare=handlaggare,
        status="oppet",
        oppnat_at=k.nu(),
        avslutat_at=None,
        avslut_orsak=None,
        version=1,
    )
    if await repository.oppna(await driver(k.session), ny):
        # Every column is what was inserted: the session holds it as if loaded, no read back.
        make_transient_to_detached(ny)
        k.session.add(ny)
        k.kand_person(ny.id, person_id)
        await events.emit(
            k.session,
            type="arende.oppnat",
            arende_id=ny.id,
            data=event_data(ny),
            occurred_at=k.nu(),
        )
        return ny, True
    query = select(Arende).where(
        col(Arende.person_id) == person_id,
        col(Arende.enhet) == enhet,
        col(Arende.status) == "oppet",
        col(Arende.typ) == "barn",
    )
    arende = (await k.session.execute(query.with_for_update())).scalar_one()
    k.kand_person(arende.id, person_id)
    return arende, False


async def las(k: Kontext, arende_id: uuid.UUID) -> Arende:
    """Lock the ärende: every command on it takes this lock first, so its events commit in order."""
    arende = await k.session.get(Arende, arende_id, with_for_update=True, populate_existing=True)
    if arende is None:
        from common.problems import NotFound

        raise NotFound("No ärende with that id.")
    k.krav_synlig("ärende", enhet=arende.enhet)
    k.kand_person(arende.id, arende.person_id)
    return arende


async def las_for_ordning(k: Kontext, arende_id: uuid.UUID) -> None:
    """Take the ärende's lock for a command on one of its objects (already scope-checked)."""
    await k.session.execute(select(col(Arende.id)).where(col(Arende.id) == arende_id).with_for_update())


async def avsluta(k: Kontext, *, arende: Arende, orsak: str) -> Arende:
    next_state = krav("arende", arende.status, "avslut")
    pagaende = await _pagaende(k, arende.id)
    if pagaende:
        raise ArendetHarPagaende(
            "Close the utredningar, insatser and omprövningar first.",
            pagaende=[{"objekt": o, "id": str(i)} for o, i in pagaende],
            tillstand=arende.status,
            tillatna_kommandon=[c for c in tillatna("arende", arende.status) if c != "avslut"],
        )
    arende.status = next_state
    arende.avslutat_at = k.nu()
    arende.avslut_orsak = orsak
    arende.version += 1
    await bevakning_service.avbryt(k, arende_id=arende.id, orsak="ärendet avslutat")
    await events.emit(
        k.session,
        type="arende.avslutat",
        arende_id=arende.id,
        data=event_data(arende) | {"orsak": orsak},
        occurred_at=k.nu(),
    )
    return arende


async def tilldela(k: Kontext, *, arende: Arende, handlaggare: str) -> Arende:
    arende.status = krav("arende", arende.status, "andring")
    arende.handlaggare = handlaggare
    arende.version += 1
    await bevakning_service.byt_handlaggare(k, arende_id=arende.id, handlaggare=handlaggare)
    await events.emit(
        k.session, type="arende.tilldelat", arende_id=arende.id, data=event_data(arende), occurred_at=k.nu()
    )
    return arende


async def _pagaende(k: Kontext, arende_id: uuid.UUID) -> list[tuple[str, uuid.UUID]]:
    utredningar = await k.session.execute(
        select(col(Utredning.id)).where(
            col(Utredning.arende_id) == arende_id, col(Utredning.status) == "pagaende"
        )
    )
    insatser = await k.session.execute(
        select(col(Insats.id)).where(col(Insats.arende_id) == arende_id, col(Insats.status) != "avslutad")
    )
    # An open omprövning is the handläggare's unfinished task: close it (POST
    # /v1/omprovningar/{id}/avslut) before the ärende.
    omprovningar = await k.session.execute(
        select(col(Omprovning.id)).where(
            col(Omprovning.arende_id) == arende_id, col(Omprovning.status) == "oppen"
        )
    )
    return (
        [("utredning", i) for i in utredningar.scalars()]
        + [("insats", i) for i in insatser.scalars()]
        + [("omprovning", i) for i in omprovningar.scalars()]
    )
