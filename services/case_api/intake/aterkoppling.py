"""Återkoppling till anmälaren (19 kap. 6 § SoL (2025:400), as amended by SFS 2025:1501).

An anmälare who asks is told whether an utredning was opened, not opened, or is already under
way, unless that is olämpligt: at the latest a week after the förhandsbedömning's beslut, or at
once when the request comes after it or an utredning is already under way. The request is
recorded on the aktualisering; the bevakning opens with the beslut (or with a late request) and
is met when the återkoppling is recorded, given or refused with its reason.
"""

from datetime import date

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.intake.models import Aktualisering, Aterkoppling
from case_api.intake.schemas import AterkopplingBegaranIn, AterkopplingIn
from case_api.kontext import Kontext
from case_api.laddning import rader
from case_api.tillstand import krav
from common.problems import Conflict, UnprocessableContent

VECKA, GENAST = "aterkoppling_anmalare", "aterkoppling_anmalare_genast"
# The förhandsbedömning is still to come: the week starts with its beslut.
FORE_BESLUT = ("inkommen", "skyddsbedomd")
# The anmälan joined an utredning already under way: that can be told at once.
ANSLUTEN = ("ansluten", "ansluten_skyddsbedomd")


class AterkopplingFinns(Conflict):
    slug, title = "aterkoppling-already-requested", "The anmälare's request is already recorded"


async def hamta(k: Kontext, akt: Aktualisering) -> Aterkoppling | None:
    rows = await rader(k, Aterkoppling, aktualisering_id=akt.id)
    return rows[0] if rows else None


async def _oppna(k: Kontext, akt: Aktualisering, a: Aterkoppling, *, typ: str, start: date) -> None:
    arende = await k.session.get(Arende, akt.arende_id)
    assert arende is not None
    await bevakning_service.oppna(
        k, typ=typ, arende=arende, objekt_typ="aterkoppling", objekt_id=a.id, startdatum=start
    )


async def begar(k: Kontext, *, akt: Aktualisering, indata: AterkopplingBegaranIn) -> Aterkoppling:
    from case_api.intake.service import krav_oppet_arende

    await krav_oppet_arende(k, akt)
    if akt.typ != "anmalan":
        raise UnprocessableContent.field(
            "begard_datum", "only the one who made an anmälan may ask", "not_anmalan"
        )
    if indata.begard_datum < akt.inkom_dag:
        raise UnprocessableContent.field("begard_datum", "is before the anmälan came in", "too_early")
    if indata.begard_datum > k.idag():
        raise UnprocessableContent.field("begard_datum", "lies in the future", "future")
    if await hamta(k, akt) is not None:
        raise AterkopplingFinns("The request for återkoppling on this anmälan is already recorded.")
    a = Aterkoppling(
        aktualisering_id=akt.id,
        arende_id=akt.arende_id,
        enhet=akt.enhet,
        begard_datum=indata.begard_datum,
        registrerad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(a)
    akt.version += 1
    await k.session.flush()
    if akt.status not in FORE_BESLUT:
        # After the beslut, or with an utredning already under way: genast, from the request.
        await _oppna(k, akt, a, typ=GENAST, start=indata.begard_datum)
    await _emit(k, akt, a, "aterkoppling.begard")
    return a


async def efter_forhandsbedomning(k: Kontext, *, akt: Aktualisering, beslutsdatum: date) -> None:
    """The förhandsbedömning was decided: a request made before it now has its week."""
    a = await hamta(k, akt)
    if a is not None and a.status == "begard":
        await _oppna(k, akt, a, typ=VECKA, start=beslutsdatum)


async def lamna(k: Kontext, *, akt: Aktualisering, indata: AterkopplingIn) -> Aterkoppling:
    a = await hamta(k, akt)
    if a is None:
        raise UnprocessableContent.field(
            "datum", "the anmälare has not asked for återkoppling", "not_requested"
        )
    target = krav("aterkoppling", a.status, "lamna", "lamnad" if indata.lamnad else "ej_lamnad")
    if akt.status in FORE_BESLUT:
        raise UnprocessableContent.field(
            "datum", "the förhandsbedömning is not decided: there is nothing to tell yet", "too_early"
        )
    if indata.datum < a.begard_datum or indata.datum > k.idag():
        raise UnprocessableContent.field("datum", "must lie between the request and today", "out_of_range")
    a.status = target
    a.lamnad_datum = indata.datum
    a.skal_ej_lamnad = None if indata.lamnad else indata.skal_ej_lamnad
    akt.version += 1
    for typ in (VECKA, GENAST):
        await bevakning_service.uppfyll(k, objekt_id=a.id, typ=typ, datum_=indata.datum)
    await _emit(k, akt, a, "aterkoppling.lamnad")
    return a


async def _emit(k: Kontext, akt: Aktualisering, a: Aterkoppling, typ: str) -> None:
    # Who the anmälare is and why a återkoppling was refused stay in the case.
    await events.emit(
        k.session,
        type=typ,
        arende_id=akt.arende_id,
        data={
            "arende_id": akt.arende_id,
            "aktualisering_id": akt.id,
            "aterkoppling_id": a.id,
            "enhet": akt.enhet,
            "status": a.status,
            "begard_datum": a.begard_datum,
            "lamnad_datum": a.lamnad_datum,
        },
        occurred_at=k.nu(),
    )
