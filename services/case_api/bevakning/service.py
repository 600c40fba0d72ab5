"""Opening, meeting, moving and cancelling bevakningar; what the next alert day is."""

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType

from sqlalchemy import select, text
from sqlmodel import col

from case_api.arenden.models import Arende
from case_api.bevakning.models import Bevakning, BevakningLarm
from case_api.events import service as events
from case_api.kontext import Kontext
from case_api.regler import datum, tabell
from case_api.regler import service as regler_service
from case_api.tillstand import krav

OPEN = ("oppen", "forsenad")
FORSENAD = "forsenad"


def troskel(b: Bevakning, dagar_fore: int | None) -> str:
    """The key of one alert: its kind and the due date it was about, so that a moved due date
    (an extended utredning) arms its alerts again while a repeat for the same date never fires."""
    kind = FORSENAD if dagar_fore is None else f"paminnelse_{dagar_fore}"
    return f"{kind}:{b.forfallodatum.isoformat()}"


def trosklar(b: Bevakning) -> list[tuple[date, int | None]]:
    """Every alert day of `b` with its days-before (None: the late alert), earliest first.
    A reminder that would fall on or before the start day is pointless and left out."""
    days: list[tuple[date, int | None]] = [
        (b.forfallodatum - timedelta(days=n), n)
        for n in b.paminnelser
        if b.forfallodatum - timedelta(days=n) > b.startdatum
    ]
    days.append((b.forfallodatum + timedelta(days=1), None))
    return sorted(days, key=lambda d: d[0])


def nasta_larm(b: Bevakning, skickade: Iterable[str] = ()) -> date | None:
    """The next day the sweep must look at `b`: a reminder not yet sent, or the day after due."""
    if b.status != "oppen":
        return None
    sent = set(skickade)
    pending = [day for day, n in trosklar(b) if troskel(b, n) not in sent]
    return pending[0] if pending else None


def subject(b: Bevakning) -> str | None:
    """The event subject: the ärende (the default), or the object when outside any ärende."""
    return None if b.arende_id else f"{b.objekt_typ}/{b.objekt_id}"


def event_data(b: Bevakning) -> dict[str, object]:
    return {
        "bevakning_id": b.id,
        "typ": b.typ,
        "regel_namn": tabell.regel(b.typ).namn,
        "arende_id": b.arende_id,
        "enhet": b.enhet,
        "handlaggare": b.handlaggare,
        "utforare": b.utforare,
        "objekt_typ": b.objekt_typ,
        "objekt_id": b.objekt_id,
        "startdatum": b.startdatum,
        "forfallodatum": b.forfallodatum,
        "status": b.status,
        "uppfylld_datum": b.uppfylld_datum,
    }


async def oppna(
    k: Kontext,
    *,
    typ: str,
    arende: Arende,
    objekt_typ: str,
    objekt_id: uuid.UUID,
    startdatum: date,
    insatstyp: str | None = None,
    utforare: str | None = None,
    darefter: bool = False,
) -> Bevakning:
    return await _oppna(
        k,
        typ=typ,
        arende_id=arende.id,
        enhet=arende.enhet,
        handlaggare=arende.handlaggare,
        objekt_typ=objekt_typ,
        objekt_id=objekt_id,
        startdatum=startdatum,
        insatstyp=insatstyp,
        utforare=utforare,
        darefter=darefter,
    )


async def oppna_utan_arende(
    k: Kontext, *, typ: str, enhet: str, objekt_typ: str, objekt_id: uuid.UUID, startdatum: date
) -> Bevakning:
    """Watch an object outside any ärende (a lex Sarah report about none): its alerts go to the enhet."""
    return await _oppna(
        k,
        typ=typ,
        arende_id=None,
        enhet=enhet,
        handlaggare=None,
        objekt_typ=objekt_typ,
        objekt_id=objekt_id,
        startdatum=startdatum,
    )


async def _oppna(
    k: Kontext,
    *,
    typ: str,
    arende_id: uuid.UUID | None,
    enhet: str,
    handlaggare: str | None,
    objekt_typ: str,
    objekt_id: uuid.UUID,
    startdatum: date,
    insatstyp: str | None = None,
    utforare: str | None = None,
    darefter: bool = False,
) -> Bevakning:
    b = bygg(
        k,
        typ=typ,
        arende_id=arende_id,
        enhet=enhet,
        handlaggare=handlaggare,
        objekt_typ=objekt_typ,
        objekt_id=objekt_id,
        startdatum=startdatum,
        insatstyp=insatstyp,
        utforare=utforare,
        darefter=darefter,
    )
    # No flush: the caller's next flush inserts every bevakning it opened in one statement.
    k.session.add(b)
    return b


def bygg(
    k: Kontext,
    *,
    typ: str,
    arende_id: uuid.UUID | None,
    enhet: str,
    handlaggare: str | None,
    objekt_typ: str,
    objekt_id: uuid.UUID,
    startdatum: date,
    insatstyp: str | None = None,
    utforare: str | None = None,
    darefter: bool = False,
) -> Bevakning:
    """A new bevakning with its due date and first alert day, not yet added to the session
    (a caller that may not insert it itself passes it to a narrow database function)."""
    regel = regler_service.hamta_regel(settings=k.settings, regel_id=typ)
    b = Bevakning(
        typ=typ,
        arende_id=arende_id,
        enhet=enhet,
        handlaggare=handlaggare,
        utforare=utforare,
        objekt_typ=objekt_typ,
        objekt_id=objekt_id,
        startdatum=startdatum,
        forfallodatum=datum.forfallodatum(regel, startdatum, insatstyp=insatstyp, darefter=darefter),
        insatstyp=insatstyp,
        darefter=darefter,
        paminnelser=sorted(regel.paminnelser, reverse=True),
        created_at=k.nu(),
    )
    b.nasta_larm = nasta_larm(b)
    return b


async def oppna_for(k: Kontext, *, objekt_id: uuid.UUID, typ: str | None = None) -> list[Bevakning]:
    query = select(Bevakning).where(col(Bevakning.objekt_id) == objekt_id, col(Bevakning.status).in_(OPEN))
    if typ is not None:
        query = query.where(col(Bevakning.typ) == typ)
    return list((await k.session.execute(query.with_for_update())).scalars())


async def uppfyll(k: Kontext, *, objekt_id: uuid.UUID, typ: str, datum_: date) -> list[Bevakning]:
    """Mark the open bevakningar of that rule on that object as met on `datum_`."""
    met = await oppna_for(k, objekt_id=objekt_id, typ=typ)
    for b in met:
        b.status = krav("bevakning", b.status, "uppfyll")
        b.uppfylld_at = k.nu()
        b.uppfylld_datum = datum_
        b.nasta_larm = None
        b.version += 1
        await events.emit(
            k.session,
            type="bevakning.uppfylld",
            arende_id=b.arende_id,
            subject=subject(b),
            data=event_data(b),
            occurred_at=k.nu(),
        )
    await k.session.flush()
    return met


async def avbryt(
    k: Kontext,
    *,
    orsak: str,
    arende_id: uuid.UUID | None = None,
    objekt_id: uuid.UUID | None = None,
    typ: str | None = None,
) -> list[Bevakning]:
    """Cancel the bevakningar a change made moot, with the reason."""
    query = select(Bevakning).where(col(Bevakning.status).in_(OPEN))
    if arende_id is not None:
        query = query.where(col(Bevakning.arende_id) == arende_id)
    if objekt_id is not None:
        query = query.where(col(Bevakning.objekt_id) == objekt_id)
    if typ is not None:
        query = query.where(col(Bevakning.typ) == typ)
    cancelled = list((await k.session.execute(query.with_for_update())).scalars())
    for b in cancelled:
        b.status = krav("bevakning", b.status, "avbryt")
        b.avbruten_orsak = orsak
        b.nasta_larm = None
        b.version += 1
        await events.emit(
            k.session,
            type="bevakning.avbruten",
            arende_id=b.arende_id,
            subject=subject(b),
            data=event_data(b) | {"orsak": orsak},
            occurred_at=k.nu(),
        )
    await k.session.flush()
    return cancelled


async def flytta(k: Kontext, *, objekt_id: uuid.UUID, typ: str, ny_forfallodatum: date) -> list[Bevakning]:
    """A decision moved the due date (an extended utredning): the alerts start over."""
    moved = await oppna_for(k, objekt_id=objekt_id, typ=typ)
    for b in moved:
        target = "oppen" if ny_forfallodatum >= k.idag() else b.status
        b.status = krav("bevakning", b.status, "flytta", target)
        b.forfallodatum = ny_forfallodatum
        b.nasta_larm = nasta_larm(b, await skickade_larm(k, b.id))
        b.version += 1
    await k.session.flush()
    return moved


async def skickade_larm(k: Kontext, bevakning_id: uuid.UUID) -> list[str]:
    rows = await k.session.execute(
        select(col(BevakningLarm.troskel)).where(col(BevakningLarm.bevakning_id) == bevakning_id)
    )
    return list(rows.scalars())


async def byt_handlaggare(k: Kontext, *, arende_id: uuid.UUID, handlaggare: str) -> None:
    """Alerts go to whoever holds the ärende now."""
    open_ = await k.session.execute(
        select(Bevakning).where(col(Bevakning.arende_id) == arende_id, col(Bevakning.status).in_(OPEN))
    )
    for b in open_.scalars():
        b.handlaggare = handlaggare
        b.version += 1
    await k.session.flush()


# What the lifecycle does when a bevakning of a rule goes late, registered by the lifecycle
# module that owns the consequence (uppdrag: ej verkställt -> omprövning), so bevakning, which
# every lifecycle module uses, depends on none of them.
VidForsening = Callable[[Kontext, Bevakning], Awaitable[None]]
_VID_FORSENING: dict[str, VidForsening] = {}


def vid_forsening(typ: str, handler: VidForsening) -> None:
    """Register what happens when a bevakning of rule `typ` goes late (once per rule).

    Registering the same function again (a module imported twice) is a no-op; a second,
    different consequence for one rule is a programming error and refused."""
    tabell.regel(typ)  # an unknown rule id raises here, at import, not in the sweep
    existing = _VID_FORSENING.get(typ)
    if existing is not None and _namn(existing) != _namn(handler):
        raise ValueError(f"{typ}: {_namn(existing)} already handles a late bevakning")
    _VID_FORSENING[typ] = handler


def vid_forsening_registrerade() -> Mapping[str, VidForsening]:
    return MappingProxyType(_VID_FORSENING)


def _namn(handler: VidForsening) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


async def efter_forsening(k: Kontext, bevakning: Bevakning) -> None:
    """What the lifecycle does when a bevakning goes late (the sweep calls this once)."""
    handler = _VID_FORSENING.get(bevakning.typ)
    if handler is not None:
        await handler(k, bevakning)


async def slapp_utforare(k: Kontext, *, objekt_id: uuid.UUID, typ: str) -> int:
    """The calling utförare hands its open bevakningar of that rule on that object back (a
    declined uppdrag). The row leaves the utförare's scope, which row-level security admits
    only through this narrow database function."""
    released = await k.session.execute(
        text("SELECT case_bevakning_slapp_utforare(:o, :t)"), {"o": objekt_id, "t": typ}
    )
    return int(released.scalar_one())


async def satt_utforare(k: Kontext, *, objekt_id: uuid.UUID, typ: str, utforare: str | None) -> None:
    for b in await oppna_for(k, objekt_id=objekt_id, typ=typ):
        b.utforare = utforare
        b.version += 1
    await k.session.flush()
