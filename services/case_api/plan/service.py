"""Genomförandeplaner: drafted by the utförare with the child and guardians, established, revised
as new versions (never overwritten)."""

import uuid

from sqlalchemy import select
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.insats.models import Insats
from case_api.kontext import Kontext
from case_api.personer import identitet
from case_api.personer.models import Person
from case_api.plan.models import Genomforandeplan
from case_api.plan.schemas import FaststallandeIn, GenomforandeplanIn
from case_api.tillstand import krav
from case_api.uppdrag.models import Uppdrag
from common.problems import UnprocessableContent

EGEN_TALAN_FRAN = 15  # from 15 the child speaks for themself (seed 001)


def event_data(p: Genomforandeplan) -> dict[str, object]:
    return {
        "genomforandeplan_id": p.id,
        "uppdrag_id": p.uppdrag_id,
        "arende_id": p.arende_id,
        "enhet": p.enhet,
        "utforare": p.utforare,
        "versionsnummer": p.versionsnummer,
        "status": p.status,
        "faststalld_datum": p.faststalld_datum,
    }


def _invalid(field: str, message: str, code: str = "invalid") -> UnprocessableContent:
    return UnprocessableContent(
        f"{field}: {message}.", errors=[{"field": field, "message": message, "code": code}]
    )


async def upratta(k: Kontext, *, uppdrag: Uppdrag, indata: GenomforandeplanIn) -> Genomforandeplan:
    uppdrag.status = krav("uppdrag", uppdrag.status, "genomforandeplan")
    insats = await k.session.get(Insats, uppdrag.insats_id)
    assert insats is not None
    if insats.insatstyp == "kontaktfamilj" and not any(d.roll == "kontaktfamilj" for d in indata.deltagare):
        raise _invalid(
            "deltagare", "a kontaktfamilj plan is made with the family: add the kontaktfamilj", "required"
        )
    previous = await senaste(k, uppdrag.id)
    if previous is not None:
        previous.status = krav("genomforandeplan", previous.status, "ersatt")
        previous.version += 1
    plan = Genomforandeplan(
        uppdrag_id=uppdrag.id,
        arende_id=uppdrag.arende_id,
        enhet=uppdrag.enhet,
        utforare=uppdrag.utforare,
        versionsnummer=(previous.versionsnummer + 1) if previous else 1,
        foregaende_id=previous.id if previous else None,
        mal=list(indata.mal),
        aktiviteter=indata.aktiviteter,
        deltagare=[d.model_dump(exclude_none=True) for d in indata.deltagare],
        barnets_delaktighet=indata.barnets_delaktighet,
        barnets_synpunkter=indata.barnets_synpunkter,
        synpunkter_saknas_skal=indata.synpunkter_saknas_skal,
        barnet_eget_talan=await _eget_talan(k, uppdrag.person_id),
        upprattad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(plan)
    await k.session.flush()
    await events.emit(
        k.session,
        type="genomforandeplan.upprattad",
        arende_id=plan.arende_id,
        data=event_data(plan),
        occurred_at=k.nu(),
    )
    return plan


async def _eget_talan(k: Kontext, person_id: uuid.UUID) -> bool:
    person = await k.session.get(Person, person_id)
    if person is None or person.fodelsedatum is None:
        return False
    return identitet.alder(person.fodelsedatum, k.idag()) >= EGEN_TALAN_FRAN


async def faststall(k: Kontext, *, plan: Genomforandeplan, indata: FaststallandeIn) -> Genomforandeplan:
    next_state = krav("genomforandeplan", plan.status, "faststallande")
    uppdrag = await k.session.get(Uppdrag, plan.uppdrag_id, with_for_update=True)
    assert uppdrag is not None
    # A draft left when the insats ended (its uppdrag closed) is not established afterwards.
    krav("uppdrag", uppdrag.status, "genomforandeplan")
    if uppdrag.verkstallighetsdatum and indata.faststalld_datum < uppdrag.verkstallighetsdatum:
        raise _invalid("faststalld_datum", "is before the verkställighetsdatum", "too_early")
    if indata.faststalld_datum > k.idag():
        raise _invalid("faststalld_datum", "lies in the future", "future")
    if indata.kopia_lamnad_datum < indata.faststalld_datum:
        raise _invalid("kopia_lamnad_datum", "is before the plan was established", "too_early")
    plan.status = next_state
    plan.faststalld_datum = indata.faststalld_datum
    plan.undertecknad_av = list(indata.undertecknad_av)
    plan.kopia_lamnad_datum = indata.kopia_lamnad_datum
    plan.version += 1
    await bevakning_service.uppfyll(
        k, objekt_id=uppdrag.id, typ="genomforandeplan", datum_=indata.faststalld_datum
    )
    await _forsta_uppfoljning(k, uppdrag=uppdrag, fran=indata.faststalld_datum)
    await events.emit(
        k.session,
        type="genomforandeplan.faststalld",
        arende_id=plan.arende_id,
        data=event_data(plan),
        occurred_at=k.nu(),
    )
    return plan


async def _forsta_uppfoljning(k: Kontext, *, uppdrag: Uppdrag, fran: object) -> None:
    """The uppföljning clock starts when the first plan is established; later versions keep it."""
    open_ = await bevakning_service.oppna_for(k, objekt_id=uppdrag.id, typ="uppfoljning")
    if open_:
        return
    arende = await k.session.get(Arende, uppdrag.arende_id)
    insats = await k.session.get(Insats, uppdrag.insats_id)
    assert arende is not None and insats is not None
    await bevakning_service.oppna(
        k,
        typ="uppfoljning",
        arende=arende,
        objekt_typ="uppdrag",
        objekt_id=uppdrag.id,
        startdatum=fran,  # type: ignore[arg-type]
        insatstyp=insats.insatstyp,
        utforare=uppdrag.utforare,
    )


async def senaste(k: Kontext, uppdrag_id: uuid.UUID) -> Genomforandeplan | None:
    rows = await k.session.execute(
        select(Genomforandeplan)
        .where(col(Genomforandeplan.uppdrag_id) == uppdrag_id, col(Genomforandeplan.status) != "ersatt")
        .order_by(col(Genomforandeplan.versionsnummer).desc())
        .with_for_update()
    )
    return rows.scalars().first()
