"""Drawing up a SIP on an ärende and following it up; each uppföljning date is watched.

10 kap. 8 § SoL (2025:400): when the child needs insatser from both socialtjänsten and hälso-
och sjukvården, the kommun and the region draw up an individuell plan, if one of them finds it
needed and the person consents; the plan says who is responsible for what and which huvudman
has the overall responsibility. The samtycke is one the enhet recorded for this child.
"""

import uuid
from datetime import date

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.kontext import Kontext
from case_api.personer.models import Samtycke
from case_api.sip import repository
from case_api.sip.models import Sip
from case_api.sip.schemas import SipIn, SipUppfoljningIn
from case_api.tillstand import krav
from common.problems import UnprocessableContent

REGEL = repository.REGEL


def event_data(s: Sip) -> dict[str, object]:
    # Who took part by huvudman only: no names, nothing about the child.
    return {
        "sip_id": s.id,
        "arende_id": s.arende_id,
        "enhet": s.enhet,
        "datum": s.datum,
        "initierad_av": s.initierad_av_huvudman,
        "huvudman": sorted({d["huvudman"] for d in s.deltagare}),
        "overgripande_ansvar": s.overgripande_ansvar,
        "uppfoljningsdatum": s.uppfoljningsdatum,
        "senast_uppfoljd": s.senast_uppfoljd,
        "status": s.status,
    }


async def _krav_samtycke(k: Kontext, *, samtycke_id: uuid.UUID, person_id: uuid.UUID, dag: date) -> None:
    """The samtycke is this child's (row-level security hides other enheters'), not withdrawn,
    and in force on the day of the plan."""
    samtycke = await k.session.get(Samtycke, samtycke_id)
    if samtycke is None or samtycke.person_id != person_id:
        raise UnprocessableContent.field(
            "samtycke_id", "no samtycke of this ärende's child has that id", "unknown"
        )
    if samtycke.aterkallat_at is not None:
        raise UnprocessableContent.field("samtycke_id", "the samtycke has been withdrawn", "withdrawn")
    if samtycke.giltigt_fran > dag or (samtycke.giltigt_till is not None and samtycke.giltigt_till < dag):
        raise UnprocessableContent.field(
            "samtycke_id", f"the samtycke is not in force on {dag.isoformat()}", "not_in_force"
        )


def _krav_datum(k: Kontext, field: str, dag: date) -> None:
    if dag > k.idag():
        raise UnprocessableContent.field(field, "lies in the future", "future")


def _krav_senare(field: str, dag: date, *, an: date, vad: str) -> None:
    if dag <= an:
        raise UnprocessableContent.field(field, f"must be after {vad} ({an.isoformat()})", "not_after")


async def _bevaka(k: Kontext, *, arende: Arende, sip: Sip, dag: date) -> None:
    # The rule's length is 0: the bevakning is due on the day the plan set, and late after it.
    await bevakning_service.oppna(
        k, typ=REGEL, arende=arende, objekt_typ="sip", objekt_id=sip.id, startdatum=dag
    )


async def upratta(k: Kontext, *, arende: Arende, indata: SipIn) -> Sip:
    krav("arende", arende.status, "andring")
    _krav_datum(k, "datum", indata.datum)
    _krav_senare("uppfoljningsdatum", indata.uppfoljningsdatum, an=indata.datum, vad="the plan's datum")
    await _krav_samtycke(k, samtycke_id=indata.samtycke_id, person_id=arende.person_id, dag=indata.datum)
    sip = Sip(
        arende_id=arende.id,
        person_id=arende.person_id,
        enhet=arende.enhet,
        datum=indata.datum,
        initierad_av_huvudman=indata.initierad_av.huvudman,
        initierad_av_namn=indata.initierad_av.namn,
        deltagare=[d.model_dump() for d in indata.deltagare],
        overgripande_ansvar=indata.overgripande_ansvar,
        samtycke_id=indata.samtycke_id,
        uppfoljningsdatum=indata.uppfoljningsdatum,
        registrerad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(sip)
    await k.session.flush()
    await _bevaka(k, arende=arende, sip=sip, dag=indata.uppfoljningsdatum)
    await k.session.flush()
    await events.emit(
        k.session, type="sip.upprattad", arende_id=arende.id, data=event_data(sip), occurred_at=k.nu()
    )
    return sip


async def folj_upp(k: Kontext, *, arende: Arende, sip: Sip, indata: SipUppfoljningIn) -> Sip:
    nasta = indata.nasta_uppfoljningsdatum
    next_state = krav("sip", sip.status, "uppfoljning", "aktiv" if nasta else "avslutad")
    _krav_datum(k, "datum", indata.datum)
    if indata.datum < sip.datum:
        raise UnprocessableContent.field(
            "datum", f"is before the plan was drawn up ({sip.datum.isoformat()})", "before_plan"
        )
    if nasta is not None:
        _krav_senare("nasta_uppfoljningsdatum", nasta, an=indata.datum, vad="this uppföljning")
        # Going on with the plan needs the samtycke still: once withdrawn, the plan can only end.
        samtycke = await k.session.get(Samtycke, sip.samtycke_id)
        if samtycke is None or samtycke.aterkallat_at is not None:
            raise UnprocessableContent.field(
                "nasta_uppfoljningsdatum", "the samtycke the plan rests on has been withdrawn", "withdrawn"
            )
    sip.status = next_state
    sip.senast_uppfoljd = indata.datum
    sip.uppfoljningsdatum = nasta
    sip.version += 1
    await bevakning_service.uppfyll(k, objekt_id=sip.id, typ=REGEL, datum_=indata.datum)
    if nasta is not None:
        await _bevaka(k, arende=arende, sip=sip, dag=nasta)
    await k.session.flush()
    await events.emit(
        k.session, type="sip.uppfoljd", arende_id=sip.arende_id, data=event_data(sip), occurred_at=k.nu()
    )
    return sip
