"""Uppföljningar of the plan and of the decision: each meets the open one and starts the next."""

from sqlalchemy import select
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.insats.models import Insats
from case_api.kontext import Kontext
from case_api.plan.models import Genomforandeplan
from case_api.tillstand import krav
from case_api.uppdrag.models import Uppdrag
from case_api.uppfoljning.models import Uppfoljning
from case_api.uppfoljning.schemas import UppfoljningIn
from common.auth import Role
from common.problems import Forbidden, UnprocessableContent


class BeslutetsUppfoljning(Forbidden):
    slug, title = "beslutets-uppfoljning", "The uppföljning of the beslut is the beställare's"


async def dokumentera(k: Kontext, *, uppdrag: Uppdrag, indata: UppfoljningIn) -> Uppfoljning:
    uppdrag.status = krav("uppdrag", uppdrag.status, "uppfoljning")
    if indata.datum > k.idag():
        raise UnprocessableContent.field("datum", "lies in the future", "future")
    if indata.avser == "beslut" and k.scope.utforare is not None and Role.utforare in k.vem.roles:
        # The nämnd follows up its own beslut (5 kap. 1 a § SOSFS 2014:5); the utförare follows
        # up the plan it carries out and reports to the beställare.
        raise BeslutetsUppfoljning(
            "An utförare records uppföljningar of the plan; the beslut's is the beställare's."
        )
    await _krav_mal(k, uppdrag=uppdrag, indata=indata)
    uppfoljning = Uppfoljning(
        uppdrag_id=uppdrag.id,
        arende_id=uppdrag.arende_id,
        enhet=uppdrag.enhet,
        utforare=uppdrag.utforare,
        avser=indata.avser,
        datum=indata.datum,
        barnets_synpunkter=indata.barnets_synpunkter,
        vardnadshavares_synpunkter=indata.vardnadshavares_synpunkter,
        maluppfyllelse=[m.model_dump(exclude_none=True) for m in indata.maluppfyllelse],
        sammanfattning=indata.sammanfattning,
        dokumenterad_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(uppfoljning)
    await k.session.flush()
    met = await bevakning_service.uppfyll(k, objekt_id=uppdrag.id, typ="uppfoljning", datum_=indata.datum)
    if met:
        arende = await k.session.get(Arende, uppdrag.arende_id)
        insats = await k.session.get(Insats, uppdrag.insats_id)
        assert arende is not None and insats is not None
        await bevakning_service.oppna(
            k,
            typ="uppfoljning",
            arende=arende,
            objekt_typ="uppdrag",
            objekt_id=uppdrag.id,
            startdatum=indata.datum,
            insatstyp=insats.insatstyp,
            utforare=uppdrag.utforare,
        )
    await events.emit(
        k.session,
        type="uppfoljning.dokumenterad",
        arende_id=uppdrag.arende_id,
        data={
            "uppfoljning_id": uppfoljning.id,
            "uppdrag_id": uppdrag.id,
            "arende_id": uppdrag.arende_id,
            "enhet": uppdrag.enhet,
            "utforare": uppdrag.utforare,
            "avser": uppfoljning.avser,
            "datum": uppfoljning.datum,
        },
        occurred_at=k.nu(),
    )
    return uppfoljning


async def _krav_mal(k: Kontext, *, uppdrag: Uppdrag, indata: UppfoljningIn) -> None:
    """Each mal followed up is one the uppföljning is about: the current plan's (before there is
    a plan, and for the beslut, the goals the uppdrag carries)."""
    mal = list(uppdrag.mal)
    if indata.avser == "plan":
        plan = (
            await k.session.execute(
                select(Genomforandeplan)
                .where(
                    col(Genomforandeplan.uppdrag_id) == uppdrag.id, col(Genomforandeplan.status) != "ersatt"
                )
                .order_by(col(Genomforandeplan.versionsnummer).desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        if plan is not None:
            mal = list(plan.mal)
    kalla = "the plan's" if indata.avser == "plan" else "the uppdrag's"
    for i, m in enumerate(indata.maluppfyllelse):
        if m.mal not in mal:
            raise UnprocessableContent.field(
                f"maluppfyllelse.{i}.mal", f"is not one of {kalla} mal ({'; '.join(mal)})", "unknown_mal"
            )
