"""Aktualiseringar: registration, skyddsbedömning and förhandsbedömning."""

from datetime import date

from sqlalchemy import select
from sqlmodel import col

from case_api.arenden import service as arende_service
from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.bevakning.models import Bevakning
from case_api.events import service as events
from case_api.intake.models import Aktualisering, Forhandsbedomning, Skyddsbedomning
from case_api.intake.schemas import AktualiseringIn, ForhandsbedomningIn, SkyddsbedomningIn
from case_api.kontext import Kontext
from case_api.laddning import rader
from case_api.personer import service as person_service
from case_api.regler import datum
from case_api.tillstand import krav
from case_api.utredning import service as utredning_service
from common.problems import Forbidden, UnprocessableContent

START_STATE = {"anmalan": "inkommen", "ansokan": "utredning_inledd", "ovrig_information": "registrerad"}


class AnnanEnhet(Forbidden):
    slug, title = "other-enhet", "You act for another enhet"


def event_data(a: Aktualisering) -> dict[str, object]:
    return {
        "aktualisering_id": a.id,
        "arende_id": a.arende_id,
        "enhet": a.enhet,
        "typ": a.typ,
        "inkom": a.inkom,
        "inkom_dag": a.inkom_dag,
        "status": a.status,
        "kalla_typ": a.kalla.get("typ"),
    }


async def registrera(k: Kontext, *, indata: AktualiseringIn) -> Aktualisering:
    if not k.scope.ser(enhet=indata.enhet):
        raise AnnanEnhet(f"You may register only for your own enhet ({k.scope.enhet}).")
    if indata.inkom > k.nu():
        raise UnprocessableContent.field("inkom", "lies in the future", "future")
    person_id = await person_service.hitta_eller_skapa(k, barn=indata.barn, enhet=indata.enhet)
    arende, ny = await arende_service.oppna_eller_hamta(k, person_id=person_id, enhet=indata.enhet)
    inkom_dag = datum.lokal_dag(indata.inkom)
    aktualisering = Aktualisering(
        arende_id=arende.id,
        enhet=arende.enhet,
        typ=indata.typ,
        inkom=indata.inkom,
        inkom_dag=inkom_dag,
        kalla=indata.kalla.model_dump(exclude_none=True),
        beskrivning=indata.beskrivning,
        status=START_STATE[indata.typ],
        registrerad_av=k.vem.sub,
        created_at=k.nu(),
    )
    # Inserted with the bevakningar at the flush below: one statement each, no re-read.
    k.session.add(aktualisering)
    await events.emit(
        k.session,
        type="aktualisering.registrerad",
        arende_id=arende.id,
        data=event_data(aktualisering),
        occurred_at=k.nu(),
    )
    # A new ärende has no utredning yet.
    open_utredning = None if ny else await utredning_service.pagaende(k, arende.id)
    if indata.typ == "anmalan":
        await _anmalan(k, arende, aktualisering, open_utredning)
    elif indata.typ == "ansokan":
        if open_utredning is not None:
            aktualisering.ansluten_utredning_id = open_utredning.id
        else:
            await utredning_service.inled(
                k, arende=arende, startdatum=inkom_dag, aktualisering_id=aktualisering.id
            )
    elif open_utredning is not None:
        aktualisering.status = krav("aktualisering", aktualisering.status, "anslut")
        aktualisering.ansluten_utredning_id = open_utredning.id
    await k.session.flush()
    return aktualisering


async def _anmalan(k: Kontext, arende: Arende, akt: Aktualisering, open_utredning: object | None) -> None:
    await bevakning_service.oppna(
        k,
        typ="skyddsbedomning",
        arende=arende,
        objekt_typ="aktualisering",
        objekt_id=akt.id,
        startdatum=akt.inkom_dag,
    )
    if open_utredning is not None:
        # The förhandsbedömning's clock does not start when an utredning is already open.
        akt.status = krav("aktualisering", akt.status, "anslut")
        akt.ansluten_utredning_id = open_utredning.id  # type: ignore[attr-defined]
        return
    await bevakning_service.oppna(
        k,
        typ="forhandsbedomning",
        arende=arende,
        objekt_typ="aktualisering",
        objekt_id=akt.id,
        startdatum=akt.inkom_dag,
    )


async def krav_oppet_arende(k: Kontext, akt: Aktualisering) -> None:
    """An anmälan left waiting when its ärende closed takes no more commands (the close
    cancelled its bevakningar); a new aktualisering opens a new ärende instead."""
    arende = await k.session.get(Arende, akt.arende_id)
    assert arende is not None
    krav("arende", arende.status, "andring")


async def skyddsbedom(k: Kontext, *, akt: Aktualisering, indata: SkyddsbedomningIn) -> Skyddsbedomning:
    next_state = krav("aktualisering", akt.status, "skyddsbedomning")
    await krav_oppet_arende(k, akt)
    if indata.bedomd_at < akt.inkom:
        raise UnprocessableContent.field("bedomd_at", "is before the anmälan came in", "too_early")
    if indata.bedomd_at > k.nu():
        raise UnprocessableContent.field("bedomd_at", "lies in the future", "future")
    bedomning = Skyddsbedomning(
        aktualisering_id=akt.id,
        arende_id=akt.arende_id,
        enhet=akt.enhet,
        bedomd_at=indata.bedomd_at,
        bedomd_av=k.vem.sub,
        omedelbart_skydd=indata.omedelbart_skydd,
        motivering=indata.motivering,
        created_at=k.nu(),
    )
    k.session.add(bedomning)
    akt.status = next_state
    akt.version += 1
    await bevakning_service.uppfyll(
        k, objekt_id=akt.id, typ="skyddsbedomning", datum_=datum.lokal_dag(indata.bedomd_at)
    )
    await events.emit(
        k.session,
        type="skyddsbedomning.dokumenterad",
        arende_id=akt.arende_id,
        data={
            "arende_id": akt.arende_id,
            "aktualisering_id": akt.id,
            "skyddsbedomning_id": bedomning.id,
            "enhet": akt.enhet,
            "bedomd_at": bedomning.bedomd_at,
            "omedelbart_skydd": bedomning.omedelbart_skydd,
        },
        occurred_at=k.nu(),
    )
    await k.session.flush()
    return bedomning


async def forhandsbedom(k: Kontext, *, akt: Aktualisering, indata: ForhandsbedomningIn) -> Forhandsbedomning:
    target = "utredning_inledd" if indata.beslut == "inled_utredning" else "ej_utredning"
    next_state = krav("aktualisering", akt.status, "forhandsbedomning", target)
    await krav_oppet_arende(k, akt)
    if indata.beslutsdatum < akt.inkom_dag:
        raise UnprocessableContent.field("beslutsdatum", "is before the aktualisering came in", "too_early")
    if indata.beslutsdatum > k.idag():
        raise UnprocessableContent.field("beslutsdatum", "lies in the future", "future")
    due = await _forfallodatum(k, akt, "forhandsbedomning")
    if due is not None and indata.beslutsdatum > due and indata.synnerliga_skal is None:
        raise UnprocessableContent.field(
            "synnerliga_skal", f"decided after the limit ({due}): state the synnerliga skäl", "required"
        )
    bedomning = Forhandsbedomning(
        aktualisering_id=akt.id,
        arende_id=akt.arende_id,
        enhet=akt.enhet,
        beslut=indata.beslut,
        beslutsdatum=indata.beslutsdatum,
        motivering=indata.motivering,
        synnerliga_skal=indata.synnerliga_skal,
        beslutad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(bedomning)
    akt.status = next_state
    akt.version += 1
    await bevakning_service.uppfyll(k, objekt_id=akt.id, typ="forhandsbedomning", datum_=indata.beslutsdatum)
    await events.emit(
        k.session,
        type="forhandsbedomning.beslutad",
        arende_id=akt.arende_id,
        data={
            "arende_id": akt.arende_id,
            "aktualisering_id": akt.id,
            "forhandsbedomning_id": bedomning.id,
            "enhet": akt.enhet,
            "beslut": bedomning.beslut,
            "beslutsdatum": bedomning.beslutsdatum,
            "synnerliga_skal_angivna": bedomning.synnerliga_skal is not None,
        },
        occurred_at=k.nu(),
    )
    from case_api.intake import aterkoppling

    await aterkoppling.efter_forhandsbedomning(k, akt=akt, beslutsdatum=indata.beslutsdatum)
    if indata.beslut == "inled_utredning":
        arende = await arende_service.las(k, akt.arende_id)
        await utredning_service.inled(
            k, arende=arende, startdatum=indata.beslutsdatum, aktualisering_id=akt.id
        )
    await k.session.flush()
    return bedomning


async def _forfallodatum(k: Kontext, akt: Aktualisering, typ: str) -> date | None:
    found = await k.session.execute(
        select(col(Bevakning.forfallodatum)).where(
            col(Bevakning.objekt_id) == akt.id, col(Bevakning.typ) == typ
        )
    )
    return found.scalars().first()


async def bedomningar(
    k: Kontext, akt: Aktualisering
) -> tuple[Skyddsbedomning | None, Forhandsbedomning | None]:
    skydd = await rader(k, Skyddsbedomning, aktualisering_id=akt.id)
    forhand = await rader(k, Forhandsbedomning, aktualisering_id=akt.id)
    return (skydd[0] if skydd else None), (forhand[0] if forhand else None)
