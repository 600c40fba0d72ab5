"""Uppdrag to utförare: sent, accepted or declined, started, not carried out, changed needs."""

from sqlalchemy import select
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.bevakning.models import Bevakning
from case_api.events import service as events
from case_api.insats import service as insats_service
from case_api.insats.models import Insats, Omprovning
from case_api.kontaktfamiljer import service as kontaktfamilj_service
from case_api.kontext import Kontext
from case_api.omprovning import service as omprovning_service
from case_api.personer.models import Samtycke
from case_api.placering import service as placering_service
from case_api.regler import datum
from case_api.regler import service as regler_service
from case_api.samtycke import service as samtycke_service
from case_api.tillstand import krav, tillatna
from case_api.uppdrag import atkomst
from case_api.uppdrag.models import EjVerkstalltRapport, Uppdrag
from case_api.uppdrag.schemas import (
    AterkallelseIn,
    EjNyttjadIn,
    EjVerkstalltIn,
    ForandradeBehovIn,
    MottagandeIn,
    UppdragIn,
    VerkstallighetIn,
)
from common.problems import Conflict, UnprocessableContent


class UppdragRedanAktivt(Conflict):
    slug, title = "uppdrag-already-active", "The insats already has an active uppdrag"


def event_data(u: Uppdrag) -> dict[str, object]:
    return {
        "uppdrag_id": u.id,
        "insats_id": u.insats_id,
        "arende_id": u.arende_id,
        "enhet": u.enhet,
        "utforare": u.utforare,
        "status": u.status,
        "verkstallighetsdatum": u.verkstallighetsdatum,
    }


async def skicka(k: Kontext, *, arende: Arende, insats: Insats, indata: UppdragIn) -> Uppdrag:
    krav("insats", insats.status, "uppdrag")
    if await insats_service.aktiva_uppdrag(k, insats.id):
        raise UppdragRedanAktivt(
            "End or wait for the current uppdrag before sending another.",
            tillstand=insats.status,
            tillatna_kommandon=[c for c in tillatna("insats", insats.status) if c != "uppdrag"],
        )
    if insats.insatstyp == "kontaktfamilj" and indata.kontaktfamilj_id is None:
        raise UnprocessableContent.field(
            "kontaktfamilj_id", "an uppdrag for kontaktfamilj names the family", "required"
        )
    await _krav_kontaktfamilj(k, indata, arende)
    samtycke = await _krav_samtycke(k, indata, arende)
    uppdrag = Uppdrag(
        insats_id=insats.id,
        arende_id=arende.id,
        person_id=arende.person_id,
        enhet=arende.enhet,
        utforare=indata.utforare,
        kontaktfamilj_id=indata.kontaktfamilj_id,
        behovsbedomning=indata.behovsbedomning,
        omfattning=indata.omfattning,
        mal=list(indata.mal),
        uppfoljningsform=indata.uppfoljningsform,
        kontaktuppgifter=indata.kontaktuppgifter.model_dump(exclude_none=True),
        samtycke_id=samtycke.id if samtycke else None,
        skickat_av=k.vem.sub,
        skickat_at=k.nu(),
    )
    k.session.add(uppdrag)
    await k.session.flush()
    # Starting the insats is now the utförare's to report: it sees (and meets) that bevakning.
    await bevakning_service.satt_utforare(
        k, objekt_id=insats.id, typ="verkstallighet", utforare=uppdrag.utforare
    )
    await events.emit(
        k.session, type="uppdrag.skickat", arende_id=arende.id, data=event_data(uppdrag), occurred_at=k.nu()
    )
    return uppdrag


# What a samtycke names to let the child's data go to an external utförare: that one, or any.
INFORMATIONSUTBYTE = "informationsutbyte"


async def _krav_samtycke(k: Kontext, indata: UppdragIn, arende: Arende) -> Samtycke | None:
    """An utförare outside the nämnd (INTERNA_UTFORARE) gets the child's data only with a
    samtycke in force today that names it (`utforare:<id>`) or information exchange in general:
    otherwise 409 samtycke-saknas, audited in a transaction of its own. The samtycke found is
    the one the uppdrag rests on: withdrawn, the utförare's access ends."""
    if indata.utforare in k.settings.interna_utforare:
        return None
    return await samtycke_service.krav(
        k.session, arende.person_id, [f"utforare:{indata.utforare}", INFORMATIONSUTBYTE], k.idag()
    )


async def _krav_kontaktfamilj(k: Kontext, indata: UppdragIn, arende: Arende) -> None:
    """A family not fully investigated cannot receive an uppdrag (seed 004)."""
    if indata.kontaktfamilj_id is None:
        return
    await kontaktfamilj_service.krav_godkand(
        k.session,
        kontaktfamilj_id=indata.kontaktfamilj_id,
        enhet=arende.enhet,
        dag=k.idag(),
        delade_enheter=k.settings.kontaktfamilj_enheter,
    )


async def motta(k: Kontext, *, uppdrag: Uppdrag, indata: MottagandeIn) -> Uppdrag:
    target = "mottaget" if indata.accepterat else "avbojt"
    uppdrag.status = krav("uppdrag", uppdrag.status, "mottagande", target)
    uppdrag.mottaget_at = k.nu()
    uppdrag.avbojt_orsak = None if indata.accepterat else indata.orsak
    uppdrag.version += 1
    if not indata.accepterat:
        atkomst.upphor(uppdrag, nu=k.nu())
        await bevakning_service.slapp_utforare(k, objekt_id=uppdrag.insats_id, typ="verkstallighet")
    kind = "uppdrag.mottaget" if indata.accepterat else "uppdrag.avbojt"
    await events.emit(
        k.session, type=kind, arende_id=uppdrag.arende_id, data=event_data(uppdrag), occurred_at=k.nu()
    )
    return uppdrag


async def verkstall(k: Kontext, *, uppdrag: Uppdrag, indata: VerkstallighetIn) -> Uppdrag:
    insats = await insats_service.las_insats(k, uppdrag.insats_id)
    resumed = uppdrag.status == "avbrutet"
    uppdrag.status = krav("uppdrag", uppdrag.status, "verkstallighet")
    new_insats_state = krav("insats", insats.status, "verkstallighet")
    start = insats.avbrott_datum if resumed else insats.beslutsdatum
    if start is not None and indata.verkstallighetsdatum < start:
        raise UnprocessableContent.field("verkstallighetsdatum", f"is before {start}", "too_early")
    if indata.verkstallighetsdatum > k.idag():
        raise UnprocessableContent.field("verkstallighetsdatum", "lies in the future", "future")
    insats.status = new_insats_state
    if not resumed:
        uppdrag.verkstallighetsdatum = indata.verkstallighetsdatum
        insats.verkstallighetsdatum = indata.verkstallighetsdatum
    insats.avbrott_datum = None
    insats.version += 1
    uppdrag.version += 1
    await bevakning_service.uppfyll(
        k, objekt_id=insats.id, typ="verkstallighet", datum_=indata.verkstallighetsdatum
    )
    if not resumed:
        arende = await k.session.get(Arende, uppdrag.arende_id)
        assert arende is not None
        await bevakning_service.oppna(
            k,
            typ="genomforandeplan",
            arende=arende,
            objekt_typ="uppdrag",
            objekt_id=uppdrag.id,
            startdatum=indata.verkstallighetsdatum,
            utforare=uppdrag.utforare,
        )
        await placering_service.vid_verkstallighet(k, insats=insats, dag=indata.verkstallighetsdatum)
    data = insats_service.event_data(insats) | {
        "uppdrag_id": uppdrag.id,
        "utforare": uppdrag.utforare,
        "aterupptagen": resumed,
    }
    await events.emit(
        k.session, type="insats.verkstalld", arende_id=uppdrag.arende_id, data=data, occurred_at=k.nu()
    )
    return uppdrag


async def ej_verkstallt(k: Kontext, *, uppdrag: Uppdrag, indata: EjVerkstalltIn) -> EjVerkstalltRapport:
    """Reported by the utförare: not started (from mottaget) or interrupted (after it started)."""
    insats = await insats_service.las_insats(k, uppdrag.insats_id)
    interrupted = uppdrag.status == "verkstallt"
    uppdrag.status = krav("uppdrag", uppdrag.status, "ej_verkstallt")
    insats.status = krav("insats", insats.status, "avbrott" if interrupted else "ej_verkstallt")
    if indata.datum > k.idag():
        raise UnprocessableContent.field("datum", "lies in the future", "future")
    uppdrag.version += 1
    insats.version += 1
    rapport = await rapportera_ej_verkstallt(
        k,
        insats=insats,
        uppdrag=uppdrag,
        kalla="utforare",
        typ="avbrott" if interrupted else "ej_paborjad",
        datum_=indata.datum,
        orsak=indata.orsak,
    )
    if interrupted:
        insats.avbrott_datum = indata.datum
        arende = await k.session.get(Arende, uppdrag.arende_id)
        assert arende is not None
        # The three months start again from the interruption (16 kap. 6 f § SoL (2001:453)).
        await bevakning_service.oppna(
            k,
            typ="verkstallighet",
            arende=arende,
            objekt_typ="insats",
            objekt_id=insats.id,
            startdatum=indata.datum,
            # The utförare reports the resumption, so it sees this bevakning (and row-level
            # security refuses the utförare a row it could not see).
            utforare=uppdrag.utforare,
        )
    return rapport


async def rapportera_ej_verkstallt(
    k: Kontext, *, insats: Insats, uppdrag: Uppdrag | None, kalla: str, typ: str, datum_: object, orsak: str
) -> EjVerkstalltRapport:
    rapport, _ = await rapportera(
        k, insats=insats, uppdrag=uppdrag, kalla=kalla, typ=typ, datum_=datum_, orsak=orsak
    )
    return rapport


async def rapportera(
    k: Kontext, *, insats: Insats, uppdrag: Uppdrag | None, kalla: str, typ: str, datum_: object, orsak: str
) -> tuple[EjVerkstalltRapport, Omprovning]:
    """The report stored, the omprövning opened, the event emitted."""
    rapport = EjVerkstalltRapport(
        uppdrag_id=uppdrag.id if uppdrag else None,
        insats_id=insats.id,
        arende_id=insats.arende_id,
        enhet=insats.enhet,
        utforare=uppdrag.utforare if uppdrag else None,
        kalla=kalla,
        typ=typ,
        datum=datum_,  # type: ignore[arg-type]
        orsak=orsak,
        rapporterad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(rapport)
    await k.session.flush()
    nyttjad = typ == "ej_nyttjad"
    omprovning = await omprovning_service.oppna(
        k,
        insats=insats,
        anledning="ej_nyttjad" if nyttjad else "ej_verkstallt",
        beskrivning=orsak,
        uppdrag_id=uppdrag.id if uppdrag else None,
    )
    await events.emit(
        k.session,
        type="insats.ej_nyttjad" if nyttjad else "insats.ej_verkstalld",
        arende_id=insats.arende_id,
        data=insats_service.event_data(insats)
        | {
            "rapport_id": rapport.id,
            "kalla": kalla,
            "typ": typ,
            "datum": rapport.datum,
            "omprovning_id": omprovning.id,
        },
        occurred_at=k.nu(),
    )
    return rapport, omprovning


async def ej_nyttjad(
    k: Kontext, *, uppdrag: Uppdrag, indata: EjNyttjadIn
) -> tuple[EjVerkstalltRapport, Omprovning]:
    """Reported by the utförare: started, but not used for three months (seed 001). The insats
    stays verkställd; the beställare gets the omprövning, as for one not carried out."""
    uppdrag.status = krav("uppdrag", uppdrag.status, "ej_nyttjad")
    insats = await insats_service.las_insats(k, uppdrag.insats_id)
    krav("insats", insats.status, "omprovning")
    if indata.senast_nyttjad > k.idag():
        raise UnprocessableContent.field("senast_nyttjad", "lies in the future", "future")
    if insats.verkstallighetsdatum is not None and indata.senast_nyttjad < insats.verkstallighetsdatum:
        raise UnprocessableContent.field(
            "senast_nyttjad", f"is before the verkställighetsdatum {insats.verkstallighetsdatum}", "too_early"
        )
    regel = regler_service.hamta_regel(settings=k.settings, regel_id="ej_nyttjad")
    tre_manader = datum.forfallodatum(regel, indata.senast_nyttjad)
    if tre_manader > k.idag():
        raise UnprocessableContent.field(
            "senast_nyttjad",
            f"three months without use are reached on {tre_manader}, not yet "
            f"(GET /v1/regler/ej_nyttjad/berakning?start={indata.senast_nyttjad})",
            "too_early",
        )
    uppdrag.version += 1
    insats.version += 1
    return await rapportera(
        k,
        insats=insats,
        uppdrag=uppdrag,
        kalla="utforare",
        typ="ej_nyttjad",
        datum_=indata.senast_nyttjad,
        orsak=indata.orsak,
    )


async def forandrade_behov(k: Kontext, *, uppdrag: Uppdrag, indata: ForandradeBehovIn) -> object:
    uppdrag.status = krav("uppdrag", uppdrag.status, "forandrade_behov")
    # A new version, so a repeated report with the same If-Match is refused (412), not doubled.
    uppdrag.version += 1
    insats = await insats_service.las_insats(k, uppdrag.insats_id)
    omprovning = await omprovning_service.oppna(
        k, insats=insats, anledning="forandrade_behov", beskrivning=indata.beskrivning, uppdrag_id=uppdrag.id
    )
    await events.emit(
        k.session,
        type="behov.forandrat",
        arende_id=uppdrag.arende_id,
        data=event_data(uppdrag) | {"omprovning_id": omprovning.id},
        occurred_at=k.nu(),
    )
    return omprovning


async def aterkalla(k: Kontext, *, uppdrag: Uppdrag, indata: AterkallelseIn) -> Uppdrag:
    """The beställare withdraws the uppdrag before it ended. The utförare is told (event
    uppdrag.aterkallat, naming it, without the reason); the uppdrag's own bevakningar end; an
    insats not yet started goes back to the beställare's verkställighet bevakning, to be sent
    to someone else. The insats itself stands: its beslut is not withdrawn with the uppdrag."""
    uppdrag.status = krav("uppdrag", uppdrag.status, "aterkallelse")
    uppdrag.aterkallat_at = k.nu()
    uppdrag.aterkallat_av = k.vem.sub
    uppdrag.aterkallelse_skal = indata.skal
    uppdrag.version += 1
    atkomst.upphor(uppdrag, nu=k.nu())
    await bevakning_service.avbryt(k, objekt_id=uppdrag.id, orsak="uppdraget återkallat")
    await bevakning_service.satt_utforare(k, objekt_id=uppdrag.insats_id, typ="verkstallighet", utforare=None)
    await events.emit(
        k.session,
        type="uppdrag.aterkallat",
        arende_id=uppdrag.arende_id,
        data=event_data(uppdrag)
        | {"aterkallat_at": uppdrag.aterkallat_at, "aterkallat_av": uppdrag.aterkallat_av},
        occurred_at=k.nu(),
    )
    return uppdrag


async def for_insats(k: Kontext, insats_id: object) -> list[Uppdrag]:
    rows = await k.session.execute(select(Uppdrag).where(col(Uppdrag.insats_id) == insats_id))
    return list(rows.scalars())


async def ej_verkstallt_inom_tre_manader(k: Kontext, bevakning: Bevakning) -> None:
    """The sweep found a verkställighet bevakning late: an insats not started within three
    months of its decision (or of an interruption) is ej verkställt, reported by the system,
    and an omprövning is opened (34 kap. 1 § SoL (2025:400); seed 001)."""
    insats = await insats_service.las_insats(k, bevakning.objekt_id)
    if insats.status not in ("beslutad", "ej_verkstalld", "avbruten"):
        return
    insats.status = krav("insats", insats.status, "ej_verkstallt")
    insats.version += 1
    uppdrag = next(iter(await insats_service.aktiva_uppdrag(k, insats.id)), None)
    await rapportera_ej_verkstallt(
        k,
        insats=insats,
        uppdrag=uppdrag,
        kalla="system",
        typ="avbrott" if insats.status == "avbruten" else "ej_paborjad",
        datum_=bevakning.forfallodatum,
        orsak="Inte verkställt inom tre månader (upptäckt av systemet).",
    )


# Registered at import: the app imports every router, and so this module, before its sweep runs.
bevakning_service.vid_forsening("verkstallighet", ej_verkstallt_inom_tre_manader)
