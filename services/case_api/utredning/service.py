"""Utredningar: opened by a förhandsbedömning or an ansökan, extended by decision, closed."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlmodel import col

from case_api import barnperspektiv
from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.intake.models import Aktualisering
from case_api.kontext import Kontext
from case_api.laddning import rader
from case_api.placering import service as placering_service
from case_api.regler import datum
from case_api.regler import service as regler_service
from case_api.tillstand import krav
from case_api.utredning.models import Utredning, UtredningForlangning
from case_api.utredning.schemas import ForlangningIn, UtredningAvslutIn
from common.problems import UnprocessableContent

VANTAR_PA_FORHANDSBEDOMNING = ("inkommen", "skyddsbedomd", "registrerad")


def event_data(u: Utredning) -> dict[str, object]:
    return {
        "utredning_id": u.id,
        "arende_id": u.arende_id,
        "enhet": u.enhet,
        "startdatum": u.startdatum,
        "slutdatum": u.slutdatum,
        "status": u.status,
        "resultat": u.resultat,
    }


async def pagaende(k: Kontext, arende_id: uuid.UUID) -> Utredning | None:
    found = await k.session.execute(
        select(Utredning).where(col(Utredning.arende_id) == arende_id, col(Utredning.status) == "pagaende")
    )
    return found.scalars().first()


async def inled(
    k: Kontext, *, arende: Arende, startdatum: date, aktualisering_id: uuid.UUID | None
) -> Utredning:
    utredning = Utredning(
        arende_id=arende.id,
        enhet=arende.enhet,
        aktualisering_id=aktualisering_id,
        startdatum=startdatum,
        slutdatum=datum.forfallodatum(
            regler_service.hamta_regel(settings=k.settings, regel_id="utredning"), startdatum
        ),
        created_at=k.nu(),
    )
    k.session.add(utredning)
    await k.session.flush()
    await bevakning_service.oppna(
        k,
        typ="utredning",
        arende=arende,
        objekt_typ="utredning",
        objekt_id=utredning.id,
        startdatum=startdatum,
    )
    await events.emit(
        k.session,
        type="utredning.inledd",
        arende_id=arende.id,
        data=event_data(utredning),
        occurred_at=k.nu(),
    )
    await anslut_vantande(k, arende=arende, utredning=utredning, utom=aktualisering_id)
    return utredning


async def anslut_vantande(
    k: Kontext, *, arende: Arende, utredning: Utredning, utom: uuid.UUID | None = None
) -> None:
    """Anmälningar still waiting for a förhandsbedömning join the utredning now open: their
    förhandsbedömning is moot, and its bevakning is cancelled with the reason."""
    waiting = await k.session.execute(
        select(Aktualisering)
        .where(
            col(Aktualisering.arende_id) == arende.id,
            col(Aktualisering.status).in_(VANTAR_PA_FORHANDSBEDOMNING),
        )
        .with_for_update()
    )
    for akt in waiting.scalars():
        if akt.id == utom:
            continue
        akt.status = krav("aktualisering", akt.status, "anslut")
        akt.ansluten_utredning_id = utredning.id
        akt.version += 1
        await bevakning_service.avbryt(
            k, objekt_id=akt.id, typ="forhandsbedomning", orsak="anmälan ansluten till pågående utredning"
        )
        await events.emit(
            k.session,
            type="aktualisering.ansluten",
            arende_id=arende.id,
            data={
                "arende_id": arende.id,
                "aktualisering_id": akt.id,
                "utredning_id": utredning.id,
                "enhet": arende.enhet,
                "status": akt.status,
            },
            occurred_at=k.nu(),
        )


async def forlang(k: Kontext, *, utredning: Utredning, indata: ForlangningIn) -> UtredningForlangning:
    utredning.status = krav("utredning", utredning.status, "forlangning")
    if indata.ny_slutdatum <= utredning.slutdatum:
        raise UnprocessableContent.field("ny_slutdatum", f"must be after {utredning.slutdatum}", "too_early")
    forlangning = UtredningForlangning(
        utredning_id=utredning.id,
        arende_id=utredning.arende_id,
        enhet=utredning.enhet,
        beslutad_av=k.vem.sub,
        beslutsdatum=indata.beslutsdatum,
        skal=indata.skal,
        tidigare_slutdatum=utredning.slutdatum,
        ny_slutdatum=indata.ny_slutdatum,
        sen=k.idag() > utredning.slutdatum or indata.beslutsdatum > utredning.slutdatum,
        created_at=k.nu(),
    )
    k.session.add(forlangning)
    utredning.slutdatum = indata.ny_slutdatum
    utredning.version += 1
    await bevakning_service.flytta(
        k, objekt_id=utredning.id, typ="utredning", ny_forfallodatum=indata.ny_slutdatum
    )
    await events.emit(
        k.session,
        type="utredning.forlangd",
        arende_id=utredning.arende_id,
        data=event_data(utredning)
        | {"tidigare_slutdatum": forlangning.tidigare_slutdatum, "sen": forlangning.sen},
        occurred_at=k.nu(),
    )
    return forlangning


async def avsluta(k: Kontext, *, utredning: Utredning, indata: UtredningAvslutIn) -> Utredning:
    utredning.status = krav("utredning", utredning.status, "avslut")
    if indata.avslutad_datum < utredning.startdatum:
        raise UnprocessableContent.dates(
            "avslutad_datum", indata.avslutad_datum, "before", "startdatum", utredning.startdatum, "too_early"
        )
    if indata.avslutad_datum > k.idag():
        # An utredning is closed when it is done, not ahead of time: a later date is a typo.
        raise UnprocessableContent.dates(
            "avslutad_datum", indata.avslutad_datum, "after", "today", k.idag(), "future"
        )
    arende = await k.session.get(Arende, utredning.arende_id)
    assert arende is not None
    await barnperspektiv.krav(
        k,
        indata.barnperspektiv,
        person_id=arende.person_id,
        dag=indata.avslutad_datum,
        field="barnperspektiv",
    )
    utredning.barnperspektiv = indata.barnperspektiv.model_dump()
    utredning.resultat = indata.resultat
    utredning.avslutad_datum = indata.avslutad_datum
    utredning.version += 1
    await bevakning_service.uppfyll(k, objekt_id=utredning.id, typ="utredning", datum_=indata.avslutad_datum)
    await placering_service.vid_utredning_avslutad(k, utredning=utredning)
    await events.emit(
        k.session,
        type="utredning.avslutad",
        arende_id=utredning.arende_id,
        data=event_data(utredning),
        occurred_at=k.nu(),
    )
    return utredning


async def forlangningar(k: Kontext, utredning_id: uuid.UUID) -> list[UtredningForlangning]:
    return await rader(k, UtredningForlangning, ordning=("created_at",), utredning_id=utredning_id)
