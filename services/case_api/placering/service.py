"""Placements (vård utanför det egna hemmet): the bevakningar a placement opens, and the decisions
recorded about it, which meet one bevakning and open the next.

Which rules a placement has follows from its insatstyp and the law it rests on:

| placement | from verkställigheten | after the utredning | after the end |
| --- | --- | --- | --- |
| SoL, LVU 2 § | overvagande, 6 months, then from each | | |
| LVU 3 § | omprovning_lvu, 6 months, then from each | | |
| familjehem (any) | vardnadsoverflyttning, 24 months, then 12 | | |
| jourhem (any) | | jourhem, 2 months | |
| LVU (under 18) | | | uppfoljning_efter_vard, 6 months |
| LVU, återförening prepared | | | the same, from the day it happened |
| SoL familjehem, HVB | | | the same, when the nämnd decides on one |
| familjehem, stödboende, HVB | vardplan_revidering, 24 months | | |

and from the beslut about a familjehem, stödboende or HVB placement, `vardplan` (the vårdplan of
9 kap. 12 § SoL (2025:400), due the beslut's day: the nämnd's own requirement, the law names no
time), met by the first version; its first revision meets `vardplan_revidering` (9 kap. 13 §).
"""

import uuid
from datetime import date

from sqlalchemy import func, select, text
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.bevakning.models import Bevakning
from case_api.events import service as events
from case_api.insats.models import Beslut, Insats
from case_api.insats.schemas import PLACERINGAR
from case_api.kontext import Kontext
from case_api.personer.models import Person
from case_api.placering.models import Placeringsbeslut, Vardplan
from case_api.placering.schemas import (
    EfteruppfoljningIn,
    OvervagandeIn,
    VardplanFaststallandeIn,
    VardplanIn,
)
from case_api.plan.models import Genomforandeplan
from case_api.regler import datum
from case_api.regler import service as regler_service
from case_api.uppdrag.models import Uppdrag
from case_api.utredning.models import Utredning
from common.problems import Conflict, NotFound, UnprocessableContent

# Which review rule watches a placement of that ground.
OVERVAGANDE = {"sol": "overvagande", "lvu_2": "overvagande", "lvu_3": "omprovning_lvu"}
# 23 kap. 2 § SoL (2025:400): the nämnd may decide on an uppföljning after these (skyddat boende
# is no insatstyp here); jourhem and stödboende are not named.
EFTERUPPFOLJNING_SOL = frozenset({"familjehem", "hvb"})
# 9 kap. 12 § SoL (2025:400): a vårdplan when a person is cared for in a familjehem, stödboende,
# skyddat boende or HVB (skyddat boende is no insatstyp here). Jourhem is not named.
VARDPLAN_TYPER = frozenset({"familjehem", "stodboende", "hvb"})
# What each recorded decision may conclude.
UTFALL = {
    "overvagande": frozenset({"fortsatt", "upphor"}),
    "omprovning_lvu": frozenset({"fortsatt", "upphor"}),
    "vardnadsoverflyttning": frozenset({"ansoka", "ej_ansoka"}),
    "jourhem": frozenset({"forlangd"}),
}


class EjPlacering(Conflict):
    slug, title = "not-a-placement", "The insats is no placement, or not one this rule watches"


def ar_placering(insats: Insats) -> bool:
    return insats.insatstyp in PLACERINGAR and insats.placeringsgrund is not None


def regler_for(insats: Insats) -> frozenset[str]:
    """The rules a placement may record decisions for (none for any other insats)."""
    if not ar_placering(insats):
        return frozenset()
    assert insats.placeringsgrund is not None
    regler = {OVERVAGANDE[insats.placeringsgrund]}
    if insats.insatstyp == "familjehem":
        regler.add("vardnadsoverflyttning")
    if insats.insatstyp == "jourhem":
        regler.add("jourhem")
    return frozenset(regler)


def event_data(p: Placeringsbeslut, nasta: Bevakning | None) -> dict[str, object]:
    return {
        "placeringsbeslut_id": p.id,
        "insats_id": p.insats_id,
        "arende_id": p.arende_id,
        "enhet": p.enhet,
        "regel": p.regel,
        "datum": p.datum,
        "utfall": p.utfall,
        "ny_sista_dag": p.ny_sista_dag,
        "nasta_forfallodatum": nasta.forfallodatum if nasta else None,
    }


async def _arende(k: Kontext, arende_id: uuid.UUID) -> Arende:
    arende = await k.session.get(Arende, arende_id)
    assert arende is not None
    return arende


async def vid_beslut(k: Kontext, *, arende: Arende, insats: Insats) -> None:
    """A placement was decided: its vårdplan is watched from the beslut's day (9 kap. 12 §)."""
    if ar_placering(insats) and insats.insatstyp in VARDPLAN_TYPER and insats.beslutsdatum is not None:
        await bevakning_service.oppna(
            k,
            typ="vardplan",
            arende=arende,
            objekt_typ="insats",
            objekt_id=insats.id,
            startdatum=insats.beslutsdatum,
        )


async def vid_verkstallighet(k: Kontext, *, insats: Insats, dag: date) -> None:
    """The placement began (LVU 10 §: care begins when the child is placed outside the home).

    The utförare reports it, but the bevakningar are the nämnd's: opened through the narrow
    database functions of migration c1504, as rows without an utförare it could not write."""
    if not ar_placering(insats):
        return
    for regel in sorted(regler_for(insats) - {"jourhem"}):
        await _oppna_at_namnden(k, insats=insats, typ=regel, dag=dag)
    if insats.insatstyp in VARDPLAN_TYPER:
        # 9 kap. 13 § andra stycket: revised at the latest when the child has been placed two years.
        await _oppna_at_namnden(k, insats=insats, typ="vardplan_revidering", dag=dag)
    if insats.insatstyp == "jourhem":
        avslutad = (
            await k.session.execute(text("SELECT case_placering_utredning_slut(:i)"), {"i": insats.id})
        ).scalar_one()
        if avslutad is not None:
            await _oppna_at_namnden(k, insats=insats, typ="jourhem", dag=avslutad)


async def _oppna_at_namnden(k: Kontext, *, insats: Insats, typ: str, dag: date) -> None:
    regel = regler_service.hamta_regel(settings=k.settings, regel_id=typ)
    b = Bevakning(
        typ=typ,
        arende_id=insats.arende_id,
        enhet=insats.enhet,
        objekt_typ="insats",
        objekt_id=insats.id,
        startdatum=dag,
        forfallodatum=datum.forfallodatum(regel, dag),
        paminnelser=sorted(regel.paminnelser, reverse=True),
        created_at=k.nu(),
    )
    opened = await k.session.execute(
        text("SELECT case_placering_bevakning(:id, :i, :t, :s, :f, :p, :n, :c)"),
        {
            "id": uuid.uuid4(),
            "i": insats.id,
            "t": typ,
            "s": dag,
            "f": b.forfallodatum,
            "p": b.paminnelser,
            "n": bevakning_service.nasta_larm(b),
            "c": b.created_at,
        },
    )
    # The function opens nothing for a caller that holds no uppdrag on the insats: a bug here.
    assert opened.scalar_one() == 1, f"{typ} bevakning not opened for insats {insats.id}"


async def _oppna_jourhem(k: Kontext, *, arende: Arende, insats: Insats, dag: date) -> None:
    if await bevakning_service.oppna_for(k, objekt_id=insats.id, typ="jourhem"):
        return
    await bevakning_service.oppna(
        k, typ="jourhem", arende=arende, objekt_typ="insats", objekt_id=insats.id, startdatum=dag
    )


async def vid_utredning_avslutad(k: Kontext, *, utredning: Utredning) -> None:
    """A child already in a jourhem when the utredning ends: the two months of 22 kap. 4 § start."""
    rows = await k.session.execute(
        select(Insats)
        .join(Beslut, col(Beslut.id) == col(Insats.beslut_id))
        .where(
            col(Beslut.utredning_id) == utredning.id,
            col(Insats.insatstyp) == "jourhem",
            col(Insats.status).in_(("verkstalld", "avbruten")),
        )
    )
    insatser = list(rows.scalars())
    if not insatser or utredning.avslutad_datum is None:
        return
    arende = await _arende(k, utredning.arende_id)
    for insats in insatser:
        await _oppna_jourhem(k, arende=arende, insats=insats, dag=utredning.avslutad_datum)


async def fore_avslut(k: Kontext, *, insats: Insats, dag: date) -> None:
    """The jourhem stay ended: that is what its bevakning waited for (met, not cancelled)."""
    if ar_placering(insats) and insats.insatstyp == "jourhem":
        await bevakning_service.uppfyll(k, objekt_id=insats.id, typ="jourhem", datum_=dag)


def _lvu(insats: Insats) -> bool:
    return ar_placering(insats) and (insats.placeringsgrund or "").startswith("lvu")


async def efter_avslut(
    k: Kontext, *, insats: Insats, dag: date, aterforening_forbereds: bool = False
) -> None:
    """Vård enligt LVU ended: the nämnd follows up the child under 18 (LVU 21 b § första stycket);
    when the child is to be reunited with the vårdnadshavare and the återförening needs
    preparing, only once it has happened (andra stycket): recorded now, opened then."""
    if aterforening_forbereds and not _lvu(insats):
        raise UnprocessableContent.field(
            "aterforening_forbereds",
            "only after vård enligt LVU (21 b § andra stycket LVU); 23 kap. 5 § SoL counts from the end",
            "invalid",
        )
    if not _lvu(insats):
        return
    arende = await _arende(k, insats.arende_id)
    person = await k.session.get(Person, arende.person_id)
    if person is not None and person.fodelsedatum is not None and _ar(person.fodelsedatum, dag) >= 18:
        return
    if aterforening_forbereds:
        p = await _spara(
            k,
            insats=insats,
            regel="uppfoljning_efter_vard",
            dag=dag,
            utfall="aterforening_forbereds",
            motivering="Återföreningen med vårdnadshavaren behöver förberedas (21 b § andra stycket LVU).",
        )
        await events.emit(
            k.session,
            type="placeringsbeslut.registrerat",
            arende_id=insats.arende_id,
            data=event_data(p, None),
            occurred_at=k.nu(),
        )
        return
    await bevakning_service.oppna(
        k,
        typ="uppfoljning_efter_vard",
        arende=arende,
        objekt_typ="insats",
        objekt_id=insats.id,
        startdatum=dag,
    )


def _ar(fodd: date, dag: date) -> int:
    return dag.year - fodd.year - ((dag.month, dag.day) < (fodd.month, fodd.day))


def _krav_datum(k: Kontext, insats: Insats, dag: date) -> None:
    if dag > k.idag():
        raise UnprocessableContent.field("datum", "lies in the future", "future")
    if insats.verkstallighetsdatum is not None and dag < insats.verkstallighetsdatum:
        raise UnprocessableContent.field(
            "datum", f"is before the placement began ({insats.verkstallighetsdatum})", "too_early"
        )


async def _spara(
    k: Kontext, *, insats: Insats, regel: str, dag: date, utfall: str, motivering: str, ny: date | None = None
) -> Placeringsbeslut:
    p = Placeringsbeslut(
        insats_id=insats.id,
        arende_id=insats.arende_id,
        enhet=insats.enhet,
        regel=regel,
        datum=dag,
        utfall=utfall,
        motivering=motivering,
        ny_sista_dag=ny,
        registrerad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(p)
    insats.version += 1
    await k.session.flush()
    return p


async def overvag(
    k: Kontext, *, insats: Insats, indata: OvervagandeIn
) -> tuple[Placeringsbeslut, Bevakning | None]:
    """Record an övervägande, a prövning or a jourhem extension; meet (or move) its bevakning and
    open the next interval from this day."""
    if indata.regel not in regler_for(insats) or insats.status not in ("verkstalld", "avbruten"):
        raise EjPlacering(
            f"An insats {insats.insatstyp} ({insats.placeringsgrund or 'no placement'}, "
            f"{insats.status}) records no {indata.regel}: it takes {sorted(regler_for(insats))} "
            "while the placement runs.",
            tillstand=insats.status,
        )
    if indata.utfall not in UTFALL[indata.regel]:
        raise UnprocessableContent.field(
            "utfall", f"for {indata.regel}: one of {sorted(UTFALL[indata.regel])}", "invalid"
        )
    _krav_datum(k, insats, indata.datum)
    if indata.regel == "jourhem":
        return await _forlang_jourhem(k, insats=insats, indata=indata), None
    p = await _spara(
        k,
        insats=insats,
        regel=indata.regel,
        dag=indata.datum,
        utfall=indata.utfall,
        motivering=indata.motivering,
    )
    await bevakning_service.uppfyll(k, objekt_id=insats.id, typ=indata.regel, datum_=indata.datum)
    nasta = await bevakning_service.oppna(
        k,
        typ=indata.regel,
        arende=await _arende(k, insats.arende_id),
        objekt_typ="insats",
        objekt_id=insats.id,
        startdatum=indata.datum,
        darefter=True,
    )
    await events.emit(
        k.session,
        type="placeringsbeslut.registrerat",
        arende_id=insats.arende_id,
        data=event_data(p, nasta),
        occurred_at=k.nu(),
    )
    return p, nasta


async def _forlang_jourhem(k: Kontext, *, insats: Insats, indata: OvervagandeIn) -> Placeringsbeslut:
    if indata.ny_sista_dag is None:
        raise UnprocessableContent.field(
            "ny_sista_dag", "a jourhem extension names its new last day", "required"
        )
    oppna = await bevakning_service.oppna_for(k, objekt_id=insats.id, typ="jourhem")
    bevakning = oppna[0] if oppna else None
    if bevakning is None:
        raise EjPlacering(
            "The two months of 22 kap. 4 § have not started (the utredning has not ended): "
            "nothing to extend.",
            tillstand=insats.status,
        )
    if indata.ny_sista_dag <= bevakning.forfallodatum:
        raise UnprocessableContent.field(
            "ny_sista_dag", f"must be after the current last day ({bevakning.forfallodatum})", "too_early"
        )
    p = await _spara(
        k,
        insats=insats,
        regel="jourhem",
        dag=indata.datum,
        utfall="forlangd",
        motivering=indata.motivering,
        ny=indata.ny_sista_dag,
    )
    await bevakning_service.flytta(
        k, objekt_id=insats.id, typ="jourhem", ny_forfallodatum=indata.ny_sista_dag
    )
    await events.emit(
        k.session,
        type="placeringsbeslut.registrerat",
        arende_id=insats.arende_id,
        data=event_data(p, bevakning),
        occurred_at=k.nu(),
    )
    return p


async def efteruppfoljning(
    k: Kontext, *, insats: Insats, indata: EfteruppfoljningIn
) -> tuple[Placeringsbeslut, Bevakning | None]:
    """Open (SoL: the nämnd's beslut) or close the uppföljning after a placement ended."""
    if not ar_placering(insats) or insats.status != "avslutad" or insats.avslutad_datum is None:
        raise EjPlacering(
            "An uppföljning after vård follows a placement that has ended.", tillstand=insats.status
        )
    if indata.datum > k.idag():
        raise UnprocessableContent.field("datum", "lies in the future", "future")
    if indata.datum < insats.avslutad_datum:
        raise UnprocessableContent.field(
            "datum", f"is before the placement ended ({insats.avslutad_datum})", "too_early"
        )
    oppna = await bevakning_service.oppna_for(k, objekt_id=insats.id, typ="uppfoljning_efter_vard")
    if indata.handelse == "aterforening":
        return await _aterforening(k, insats=insats, indata=indata, oppna=bool(oppna))
    if indata.handelse == "avslutad":
        if not oppna:
            raise EjPlacering("No uppföljning after this placement is under way.", tillstand=insats.status)
        p = await _spara(
            k,
            insats=insats,
            regel="uppfoljning_efter_vard",
            dag=indata.datum,
            utfall="avslutad",
            motivering=indata.motivering,
        )
        await bevakning_service.uppfyll(
            k, objekt_id=insats.id, typ="uppfoljning_efter_vard", datum_=indata.datum
        )
        nasta = None
    else:
        if oppna or insats.placeringsgrund != "sol" or insats.insatstyp not in EFTERUPPFOLJNING_SOL:
            raise EjPlacering(
                "The nämnd decides on an uppföljning after a SoL placement in familjehem or HVB "
                "(23 kap. 2 §); after vård enligt LVU it follows by law: open when the care ended, "
                "or when a prepared återförening happened.",
                tillstand=insats.status,
            )
        p = await _spara(
            k,
            insats=insats,
            regel="uppfoljning_efter_vard",
            dag=indata.datum,
            utfall="inledd",
            motivering=indata.motivering,
        )
        # 23 kap. 5 §: six months from the day the placement ended, not from the beslut.
        nasta = await bevakning_service.oppna(
            k,
            typ="uppfoljning_efter_vard",
            arende=await _arende(k, insats.arende_id),
            objekt_typ="insats",
            objekt_id=insats.id,
            startdatum=insats.avslutad_datum,
        )
    await events.emit(
        k.session,
        type="placeringsbeslut.registrerat",
        arende_id=insats.arende_id,
        data=event_data(p, nasta),
        occurred_at=k.nu(),
    )
    return p, nasta


async def _utfall(k: Kontext, insats: Insats, regel: str) -> set[str]:
    rows = await k.session.execute(
        select(col(Placeringsbeslut.utfall)).where(
            col(Placeringsbeslut.insats_id) == insats.id, col(Placeringsbeslut.regel) == regel
        )
    )
    return set(rows.scalars())


async def _aterforening(
    k: Kontext, *, insats: Insats, indata: EfteruppfoljningIn, oppna: bool
) -> tuple[Placeringsbeslut, Bevakning | None]:
    """The prepared återförening happened: the uppföljning begins today and ends at the latest
    six months on (LVU 21 b § andra stycket, 21 c § tredje stycket)."""
    utfall = await _utfall(k, insats, "uppfoljning_efter_vard")
    if oppna or "aterforening_forbereds" not in utfall or "aterforening" in utfall:
        raise EjPlacering(
            "An återförening is recorded once, after vård enligt LVU whose end said it needed "
            "preparing (21 b § andra stycket LVU).",
            tillstand=insats.status,
        )
    p = await _spara(
        k,
        insats=insats,
        regel="uppfoljning_efter_vard",
        dag=indata.datum,
        utfall="aterforening",
        motivering=indata.motivering,
    )
    # darefter: the rule's later start, so the bevakning's link explains why it starts today.
    nasta = await bevakning_service.oppna(
        k,
        typ="uppfoljning_efter_vard",
        arende=await _arende(k, insats.arende_id),
        objekt_typ="insats",
        objekt_id=insats.id,
        startdatum=indata.datum,
        darefter=True,
    )
    await events.emit(
        k.session,
        type="placeringsbeslut.registrerat",
        arende_id=insats.arende_id,
        data=event_data(p, nasta),
        occurred_at=k.nu(),
    )
    return p, nasta


# The vårdplan (9 kap. 12-13 §§ SoL (2025:400)).


def vardplan_event(v: Vardplan) -> dict[str, object]:
    return {
        "vardplan_id": v.id,
        "insats_id": v.insats_id,
        "arende_id": v.arende_id,
        "enhet": v.enhet,
        "version": v.version,
        "upprattad": v.upprattad,
        "faststalld": v.faststalld,
        "kommunicerad": v.kommunicerad,
    }


async def vardplaner(k: Kontext, insats_id: uuid.UUID) -> list[Vardplan]:
    rows = await k.session.execute(
        select(Vardplan).where(col(Vardplan.insats_id) == insats_id).order_by(col(Vardplan.version))
    )
    return list(rows.scalars())


def _framtid(k: Kontext, field: str, dag: date) -> None:
    if dag > k.idag():
        raise UnprocessableContent.field(field, "lies in the future", "future")


async def upprata_vardplan(k: Kontext, *, insats: Insats, indata: VardplanIn) -> Vardplan:
    """The first vårdplan, or a revision as the next version. The first meets the `vardplan`
    bevakning; the first revision meets `vardplan_revidering` and takes up the child's
    långsiktiga boende (or gives the särskilda skäl against it)."""
    if not ar_placering(insats) or insats.status == "avslutad":
        raise EjPlacering(
            "A vårdplan is the plan for a placement's care: for a familjehem, jourhem, HVB or "
            "stödboende placement that has not ended.",
            tillstand=insats.status,
        )
    _framtid(k, "upprattad", indata.upprattad)
    senaste = (
        await k.session.execute(
            select(func.max(col(Vardplan.version)), func.max(col(Vardplan.upprattad))).where(
                col(Vardplan.insats_id) == insats.id
            )
        )
    ).one()
    version = (senaste[0] or 0) + 1
    if senaste[1] is not None and indata.upprattad < senaste[1]:
        raise UnprocessableContent.field(
            "upprattad", f"is before the previous version's ({senaste[1]})", "too_early"
        )
    if version == 1:
        for falt in ("orsak", "langsiktigt_boende", "sarskilda_skal"):
            if getattr(indata, falt) is not None:
                raise UnprocessableContent.field(falt, "only a revision has one", "invalid")
    else:
        if indata.orsak is None:
            raise UnprocessableContent.field("orsak", "a revision says why the plan is revised", "required")
        if version == 2 and (indata.langsiktigt_boende is None) == (indata.sarskilda_skal is None):
            raise UnprocessableContent.field(
                "langsiktigt_boende",
                "the first revision takes up the långsiktiga boende, or gives sarskilda_skal against "
                "it (one of the two; 9 kap. 13 § andra stycket)",
                "required",
            )
        if version > 2 and indata.sarskilda_skal is not None:
            raise UnprocessableContent.field("sarskilda_skal", "only the first revision has one", "invalid")
    v = Vardplan(
        insats_id=insats.id,
        arende_id=insats.arende_id,
        enhet=insats.enhet,
        version=version,
        upprattad=indata.upprattad,
        mal=indata.mal,
        insatser=indata.insatser,
        umgange=indata.umgange,
        synpunkter=indata.synpunkter,
        andra_huvudman=indata.andra_huvudman,
        orsak=indata.orsak,
        langsiktigt_boende=indata.langsiktigt_boende,
        sarskilda_skal=indata.sarskilda_skal,
        registrerad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(v)
    insats.version += 1
    await k.session.flush()
    if version <= 2:
        typ = "vardplan" if version == 1 else "vardplan_revidering"
        await bevakning_service.uppfyll(k, objekt_id=insats.id, typ=typ, datum_=indata.upprattad)
    await events.emit(
        k.session,
        type="vardplan.upprattad",
        arende_id=insats.arende_id,
        data=vardplan_event(v),
        occurred_at=k.nu(),
    )
    return v


async def faststall_vardplan(
    k: Kontext, *, insats: Insats, version: int, indata: VardplanFaststallandeIn
) -> Vardplan:
    """Record the day the latest version was fastställd and the day it was communicated: once."""
    planer = await vardplaner(k, insats.id)
    v = next((p for p in planer if p.version == version), None)
    if v is None:
        raise NotFound("No vårdplan with that version on this insats.")
    if v.faststalld is not None or v.version != planer[-1].version:
        raise EjPlacering(
            f"Version {v.version} is {'already fastställd' if v.faststalld else 'superseded'}: "
            "a changed plan is a revision (a new version).",
            tillstand=insats.status,
        )
    for falt, dag in (("faststalld", indata.faststalld), ("kommunicerad", indata.kommunicerad)):
        _framtid(k, falt, dag)
        if dag < v.upprattad:
            raise UnprocessableContent.dates(falt, dag, "before", "upprattad", v.upprattad, "too_early")
    if indata.kommunicerad < indata.faststalld:
        raise UnprocessableContent.dates(
            "kommunicerad", indata.kommunicerad, "before", "faststalld", indata.faststalld, "too_early"
        )
    v.faststalld = indata.faststalld
    v.kommunicerad = indata.kommunicerad
    v.faststalld_av = k.vem.sub
    insats.version += 1
    await k.session.flush()
    await events.emit(
        k.session,
        type="vardplan.faststalld",
        arende_id=insats.arende_id,
        data=vardplan_event(v),
        occurred_at=k.nu(),
    )
    return v


async def genomforandeplaner(k: Kontext, insats_id: uuid.UUID) -> list[Genomforandeplan]:
    """Every version of the genomförandeplan beside the vårdplan (on the insats's uppdrag), first first."""
    rows = await k.session.execute(
        select(Genomforandeplan)
        .join(Uppdrag, col(Uppdrag.id) == col(Genomforandeplan.uppdrag_id))
        .where(col(Uppdrag.insats_id) == insats_id)
        .order_by(col(Genomforandeplan.created_at))
    )
    return list(rows.scalars())


def ses_over(planer: list[Vardplan], gplaner: list[Genomforandeplan]) -> bool:
    """9 kap. 13 §: a revised vårdplan with a genomförandeplan beside it: review that one too.
    Still to do while no genomförandeplan version is drafted on or after the revision's day."""
    if not planer or planer[-1].version == 1 or not gplaner:
        return False
    revision = planer[-1].upprattad
    fore = [g for g in gplaner if datum.lokal_dag(g.created_at) < revision]
    efter = [g for g in gplaner if datum.lokal_dag(g.created_at) >= revision]
    return bool(fore) and not efter
