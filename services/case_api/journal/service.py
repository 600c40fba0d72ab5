"""Writing to the journal: an entry, or a correction naming the entry it corrects."""

from case_api.arenden.models import Arende
from case_api.events import service as events
from case_api.journal.exceptions import JournalStangd
from case_api.journal.models import Journalanteckning
from case_api.journal.schemas import JournalanteckningIn
from case_api.kontext import Kontext
from case_api.tillstand import slutlagen
from case_api.uppdrag.models import Uppdrag
from common.auth import Role
from common.problems import UnprocessableContent

# An uppdrag that was declined, ended or withdrawn takes no new entries from the utförare.
UPPDRAG_AVSLUTADE = slutlagen("uppdrag")
# The role an entry was written in, most specific first.
ROLLER = (Role.handlaggare, Role.arbetsledare, Role.enhetschef, Role.utforare)


def event_data(j: Journalanteckning) -> dict[str, object]:
    # No text: subscribers learn that the file grew, not what it says.
    return {
        "journalanteckning_id": j.id,
        "arende_id": j.arende_id,
        "uppdrag_id": j.uppdrag_id,
        "enhet": j.enhet,
        "utforare": j.utforare,
        "datum": j.datum,
        "slag": j.slag,
        "forfattare": j.forfattare,
        "rattar_id": j.rattar_id,
    }


async def anteckna_arende(k: Kontext, *, arende: Arende, indata: JournalanteckningIn) -> Journalanteckning:
    if indata.rattar_id is None and arende.status != "oppet":
        raise JournalStangd(
            "The ärende is closed: only a correction of an existing entry can be added.",
            tillstand=arende.status,
        )
    return await _anteckna(k, arende=arende, uppdrag=None, indata=indata)


async def anteckna_uppdrag(
    k: Kontext, *, arende: Arende, uppdrag: Uppdrag, indata: JournalanteckningIn
) -> Journalanteckning:
    if indata.rattar_id is None and uppdrag.status in UPPDRAG_AVSLUTADE:
        raise JournalStangd(
            "The uppdrag has ended: only a correction of an existing entry can be added.",
            tillstand=uppdrag.status,
        )
    return await _anteckna(k, arende=arende, uppdrag=uppdrag, indata=indata)


async def _anteckna(
    k: Kontext, *, arende: Arende, uppdrag: Uppdrag | None, indata: JournalanteckningIn
) -> Journalanteckning:
    if indata.datum > k.idag():
        raise UnprocessableContent.field("datum", "lies in the future", "future")
    uppdrag_id = uppdrag.id if uppdrag else None
    if indata.rattar_id is not None:
        rattad = await k.session.get(Journalanteckning, indata.rattar_id)
        # Row-level security hides other journals' entries; one of another journal is as unknown.
        if rattad is None or (rattad.arende_id, rattad.uppdrag_id) != (arende.id, uppdrag_id):
            raise UnprocessableContent.field("rattar_id", "no entry of this journal has that id", "unknown")
    anteckning = Journalanteckning(
        arende_id=arende.id,
        uppdrag_id=uppdrag_id,
        person_id=arende.person_id,
        enhet=arende.enhet,
        utforare=uppdrag.utforare if uppdrag else None,
        datum=indata.datum,
        slag=indata.slag,
        text=indata.text,
        forfattare=k.vem.sub,
        forfattare_roll=next(r.value for r in ROLLER if r in k.vem.roles),
        rattar_id=indata.rattar_id,
        created_at=k.nu(),
    )
    k.session.add(anteckning)
    await k.session.flush()
    await events.emit(
        k.session,
        type="journalanteckning.registrerad",
        arende_id=arende.id,
        data=event_data(anteckning),
        occurred_at=k.nu(),
    )
    return anteckning
