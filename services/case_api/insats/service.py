"""Beslut and insatser: decided, carried out (or not), reconsidered, ended."""

import uuid

from sqlalchemy import select
from sqlmodel import col

from case_api import barnperspektiv
from case_api.arenden import service as arende_service
from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.insats.models import Beslut, Insats
from case_api.insats.schemas import BeslutIn, InsatsAvslutIn, ServiceinsatsIn
from case_api.kontext import Kontext
from case_api.personer import service as person_service
from case_api.placering import service as placering_service
from case_api.tillstand import krav, slutlagen
from case_api.uppdrag import atkomst
from case_api.uppdrag.models import Uppdrag
from case_api.utredning.models import Utredning
from common.problems import NotFound, UnprocessableContent


def event_data(i: Insats) -> dict[str, object]:
    return {
        "insats_id": i.id,
        "beslut_id": i.beslut_id,
        "arende_id": i.arende_id,
        "enhet": i.enhet,
        "insatstyp": i.insatstyp,
        "status": i.status,
        "beslutsdatum": i.beslutsdatum,
        "verkstallighetsdatum": i.verkstallighetsdatum,
        "avbrott_datum": i.avbrott_datum,
        "avslutad_datum": i.avslutad_datum,
        "avslut_orsak": i.avslut_orsak,
    }


async def besluta(k: Kontext, *, arende: Arende, indata: BeslutIn) -> tuple[Beslut, Insats | None]:
    krav("arende", arende.status, "andring")
    if indata.beslutsdatum > k.idag():
        raise UnprocessableContent.field("beslutsdatum", "lies in the future", "future")
    utredning = await _utredning(k, arende=arende, indata=indata)
    await barnperspektiv.krav(
        k, indata.barnperspektiv, person_id=arende.person_id, dag=indata.beslutsdatum, field="barnperspektiv"
    )
    beslut = Beslut(
        arende_id=arende.id,
        enhet=arende.enhet,
        utredning_id=utredning.id if utredning else None,
        utfall=indata.utfall,
        insatstyp=indata.insatstyp,
        rattslig_grund=indata.rattslig_grund,
        placeringsgrund=indata.placeringsgrund,
        beslutsdatum=indata.beslutsdatum,
        period_fran=indata.period_fran,
        period_till=indata.period_till,
        beslutsfattare=indata.beslutsfattare,
        motivering=indata.motivering,
        barnperspektiv=indata.barnperspektiv.model_dump(),
        created_at=k.nu(),
    )
    k.session.add(beslut)
    await k.session.flush()
    insats = None
    if indata.utfall == "bifall":
        insats = Insats(
            beslut_id=beslut.id,
            arende_id=arende.id,
            enhet=arende.enhet,
            insatstyp=indata.insatstyp,
            placeringsgrund=indata.placeringsgrund,
            status="beslutad",
            beslutsdatum=indata.beslutsdatum,
            created_at=k.nu(),
        )
        k.session.add(insats)
        await k.session.flush()
    if insats is not None and not (indata.placeringsgrund or "").startswith("lvu"):
        # 34 kap. 1 § SoL (2025:400) reports gynnande beslut under that law: not vård enligt LVU.
        await bevakning_service.oppna(
            k,
            typ="verkstallighet",
            arende=arende,
            objekt_typ="insats",
            objekt_id=insats.id,
            startdatum=indata.beslutsdatum,
        )
    if insats is not None:
        await placering_service.vid_beslut(k, arende=arende, insats=insats)
    await events.emit(
        k.session,
        type="beslut.fattat",
        arende_id=arende.id,
        data={
            "beslut_id": beslut.id,
            "arende_id": arende.id,
            "enhet": arende.enhet,
            "utfall": beslut.utfall,
            "insatstyp": beslut.insatstyp,
            "beslutsdatum": beslut.beslutsdatum,
            "insats_id": insats.id if insats else None,
        },
        occurred_at=k.nu(),
    )
    return beslut, insats


async def _utredning(k: Kontext, *, arende: Arende, indata: BeslutIn) -> Utredning | None:
    """The utredning the beslut rests on: the one named, else the ärende's latest.

    A bifall rests on an utredning (11 kap. 1 § SoL (2025:400): the nämnd investigates before it
    decides); one without any went straight into the IVO report. Its date cannot precede the
    utredning's start.
    """
    if indata.utredning_id is not None:
        utredning = await k.session.get(Utredning, indata.utredning_id)
        if utredning is None or utredning.arende_id != arende.id:
            raise UnprocessableContent.field(
                "utredning_id", "no utredning of this ärende has that id", "unknown"
            )
    else:
        found = await k.session.execute(
            select(Utredning)
            .where(col(Utredning.arende_id) == arende.id)
            .order_by(col(Utredning.startdatum).desc(), col(Utredning.created_at).desc())
            .limit(1)
        )
        utredning = found.scalars().first()
    if utredning is None:
        if indata.utfall == "bifall":
            raise UnprocessableContent.field(
                "utredning_id", "a bifall rests on an utredning, and this ärende has none", "missing"
            )
        return None
    if indata.beslutsdatum < utredning.startdatum:
        raise UnprocessableContent.dates(
            "beslutsdatum",
            indata.beslutsdatum,
            "before",
            "utredning.startdatum",
            utredning.startdatum,
            "before_utredning",
        )
    return utredning


async def starta_service(k: Kontext, *, indata: ServiceinsatsIn) -> Insats:
    """A serviceinsats: the samtycke comes first, in the same transaction as the data it allows."""
    if not k.scope.ser(enhet=indata.enhet):
        from case_api.intake.service import AnnanEnhet

        raise AnnanEnhet(f"You may register only for your own enhet ({k.scope.enhet}).")
    if indata.samtycke.giltigt_fran > indata.startdatum:
        raise UnprocessableContent.field(
            "samtycke.giltigt_fran", "the samtycke must be in force when the service starts"
        )
    person_id = await person_service.hitta_eller_skapa(k, barn=indata.barn, enhet=indata.enhet)
    arende, _ = await arende_service.oppna_eller_hamta(
        k, person_id=person_id, enhet=indata.enhet, typ="service"
    )
    samtycke = await person_service.registrera_samtycke(
        k, person_id=person_id, enhet=indata.enhet, indata=indata.samtycke, field="samtycke.givet_av"
    )
    insats = Insats(
        arende_id=arende.id,
        enhet=arende.enhet,
        insatstyp="serviceinsats",
        status="pagaende_service",
        verkstallighetsdatum=indata.startdatum,
        samtycke_id=samtycke.id,
        created_at=k.nu(),
    )
    k.session.add(insats)
    await k.session.flush()
    await events.emit(
        k.session, type="insats.paborjad", arende_id=arende.id, data=event_data(insats), occurred_at=k.nu()
    )
    return insats


async def avsluta(k: Kontext, *, insats: Insats, indata: InsatsAvslutIn) -> Insats:
    insats.status = krav("insats", insats.status, "avslut")
    for other, other_value in (
        ("verkstallighetsdatum", insats.verkstallighetsdatum),
        ("beslutsdatum", insats.beslutsdatum),
    ):
        if other_value is not None and indata.avslutad_datum < other_value:
            raise UnprocessableContent.dates(
                "avslutad_datum", indata.avslutad_datum, "before", other, other_value, "too_early"
            )
    insats.avslutad_datum = indata.avslutad_datum
    insats.avslut_orsak = indata.orsak
    insats.version += 1
    await placering_service.fore_avslut(k, insats=insats, dag=indata.avslutad_datum)
    await bevakning_service.avbryt(k, objekt_id=insats.id, orsak="insatsen avslutad")
    await placering_service.efter_avslut(
        k, insats=insats, dag=indata.avslutad_datum, aterforening_forbereds=indata.aterforening_forbereds
    )
    for uppdrag in await aktiva_uppdrag(k, insats.id):
        uppdrag.status = krav("uppdrag", uppdrag.status, "avslut")
        uppdrag.version += 1
        atkomst.upphor(uppdrag, nu=k.nu())
        await bevakning_service.avbryt(k, objekt_id=uppdrag.id, orsak="insatsen avslutad")
    await events.emit(
        k.session,
        type="insats.avslutad",
        arende_id=insats.arende_id,
        data=event_data(insats),
        occurred_at=k.nu(),
    )
    if insats.insatstyp == "serviceinsats":
        # The family ends a service; the service ärende has nothing else in it.
        arende = await arende_service.las(k, insats.arende_id)
        await arende_service.avsluta(k, arende=arende, orsak=f"serviceinsatsen avslutad: {indata.orsak}")
    return insats


UPPDRAG_SLUT = slutlagen("uppdrag")


async def aktiva_uppdrag(k: Kontext, insats_id: uuid.UUID) -> list[Uppdrag]:
    rows = await k.session.execute(
        select(Uppdrag)
        .where(col(Uppdrag.insats_id) == insats_id, col(Uppdrag.status).not_in(UPPDRAG_SLUT))
        .with_for_update()
    )
    return list(rows.scalars())


async def las_insats(k: Kontext, insats_id: uuid.UUID) -> Insats:
    insats = await k.session.get(Insats, insats_id, with_for_update=True, populate_existing=True)
    if insats is None:
        raise NotFound("No insats with that id.")
    return insats


async def insats_for_beslut(k: Kontext, beslut_id: uuid.UUID) -> Insats | None:
    rows = await k.session.execute(select(Insats).where(col(Insats.beslut_id) == beslut_id))
    return rows.scalars().first()
