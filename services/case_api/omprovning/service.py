"""Opening an omprövning (a dated task for the handläggare) and closing it."""

import uuid

from sqlalchemy import select, text
from sqlmodel import col

from case_api.bevakning import service as bevakning_service
from case_api.bevakning.models import Bevakning
from case_api.events import service as events
from case_api.insats.models import Beslut, Insats, Omprovning
from case_api.kontext import Kontext
from case_api.omprovning.schemas import OmprovningAvslutIn
from case_api.tillstand import krav
from common.problems import UnprocessableContent

REGEL = "omprovning"


def event_data(o: Omprovning) -> dict[str, object]:
    # No beskrivning or motivering: free text about the child stays out of events.
    return {
        "omprovning_id": o.id,
        "insats_id": o.insats_id,
        "arende_id": o.arende_id,
        "enhet": o.enhet,
        "uppdrag_id": o.uppdrag_id,
        "anledning": o.anledning,
        "status": o.status,
        "oppnad_datum": o.oppnad_datum,
        "avslutad_datum": o.avslutad_datum,
        "beslut_id": o.beslut_id,
    }


async def oppna(
    k: Kontext, *, insats: Insats, anledning: str, beskrivning: str, uppdrag_id: uuid.UUID | None
) -> Omprovning:
    """Open an omprövning of `insats` with its bevakning, due after the rule's length.

    The caller may be the utförare whose report opened it: the bevakning is the handläggare's
    (no utforare), which row-level security would not let the utförare insert, so the narrow
    function case_omprovning_bevakning (migration c1402) inserts exactly that row."""
    omprovning = Omprovning(
        insats_id=insats.id,
        arende_id=insats.arende_id,
        enhet=insats.enhet,
        uppdrag_id=uppdrag_id,
        anledning=anledning,
        beskrivning=beskrivning,
        rapporterad_av=k.vem.sub,
        oppnad_datum=k.idag(),
        created_at=k.nu(),
    )
    k.session.add(omprovning)
    await k.session.flush()
    b = bevakning_service.bygg(
        k,
        typ=REGEL,
        arende_id=omprovning.arende_id,
        enhet=omprovning.enhet,
        handlaggare=None,  # the function takes the ärende's handläggare
        objekt_typ="omprovning",
        objekt_id=omprovning.id,
        startdatum=omprovning.oppnad_datum,
    )
    inserted = await k.session.execute(
        text("SELECT case_omprovning_bevakning(:id, :o, :start, :due, :pam, :nasta, :at)"),
        {
            "id": b.id,
            "o": omprovning.id,
            "start": b.startdatum,
            "due": b.forfallodatum,
            "pam": list(b.paminnelser),
            "nasta": b.nasta_larm,
            "at": b.created_at,
        },
    )
    if inserted.scalar_one_or_none() is None:
        raise RuntimeError(f"omprövning {omprovning.id}: its bevakning was not inserted")
    await events.emit(
        k.session,
        type="omprovning.oppnad",
        arende_id=omprovning.arende_id,
        data=event_data(omprovning) | {"forfallodatum": b.forfallodatum},
        occurred_at=k.nu(),
    )
    return omprovning


async def avsluta(k: Kontext, *, omprovning: Omprovning, indata: OmprovningAvslutIn) -> Omprovning:
    next_state = krav("omprovning", omprovning.status, "avslut")
    if indata.avslutad_datum > k.idag():
        raise UnprocessableContent.field("avslutad_datum", "lies in the future", "future")
    if indata.avslutad_datum < omprovning.oppnad_datum:
        raise UnprocessableContent.field(
            "avslutad_datum",
            f"is before the omprövning was opened ({omprovning.oppnad_datum.isoformat()})",
            "before_opened",
        )
    if indata.beslut_id is None and indata.motivering is None:
        raise UnprocessableContent.field(
            "motivering", "without a new beslut, say why none was needed", "required"
        )
    if indata.beslut_id is not None:
        await _krav_nytt_beslut(k, omprovning, indata.beslut_id)
    omprovning.status = next_state
    omprovning.avslutad_datum = indata.avslutad_datum
    omprovning.beslut_id = indata.beslut_id
    omprovning.motivering = indata.motivering
    omprovning.avslutad_av = k.vem.sub
    omprovning.version += 1
    await bevakning_service.uppfyll(k, objekt_id=omprovning.id, typ=REGEL, datum_=indata.avslutad_datum)
    await events.emit(
        k.session,
        type="omprovning.avslutad",
        arende_id=omprovning.arende_id,
        data=event_data(omprovning) | {"med_nytt_beslut": omprovning.beslut_id is not None},
        occurred_at=k.nu(),
    )
    return omprovning


async def _krav_nytt_beslut(k: Kontext, omprovning: Omprovning, beslut_id: uuid.UUID) -> None:
    beslut = await k.session.get(Beslut, beslut_id)
    if beslut is None or beslut.arende_id != omprovning.arende_id:
        raise UnprocessableContent.field("beslut_id", "no beslut of this ärende has that id", "unknown")
    if beslut.beslutsdatum < omprovning.oppnad_datum:
        raise UnprocessableContent.field(
            "beslut_id",
            f"the beslut ({beslut.beslutsdatum.isoformat()}) is older than the omprövning "
            f"({omprovning.oppnad_datum.isoformat()}): it cannot be its outcome",
            "before_opened",
        )


async def bevakningar(k: Kontext, ids: list[uuid.UUID]) -> dict[uuid.UUID, Bevakning]:
    """Each omprövning's bevakning (its due date), by omprövning id."""
    if not ids:
        return {}
    rows = await k.session.execute(
        select(Bevakning).where(col(Bevakning.typ) == REGEL, col(Bevakning.objekt_id).in_(ids))
    )
    return {b.objekt_id: b for b in rows.scalars()}
