"""People the nämnd holds data about: found once by identity, masked when protected."""

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy import or_, select, text
from sqlmodel import col

from case_api.events import service as event_service
from case_api.kontext import Kontext
from case_api.personer import identitet, repository
from case_api.personer.exceptions import (
    BehorighetAterkallad,
    BehorighetFinns,
    EgenBehorighet,
    PersonEjSkyddad,
)
from case_api.personer.models import (
    KALLA_ENHET,
    KALLA_FOLKBOKFORING,
    Person,
    PersonUppgifter,
    Samtycke,
    SkyddadBehorighet,
)
from case_api.personer.schemas import (
    BarnIn,
    BehorighetIn,
    Kontakt,
    PersonOut,
    SamtyckeIn,
    SamtyckeOut,
    Tolkbehov,
    VardnadshavareOut,
)
from common.db import driver
from common.problems import NotFound, UnprocessableContent


@dataclass(frozen=True)
class Uppgifter:
    """What the caller's side may use about a person: its enhet's own record, or a shared source."""

    fornamn: str | None = None
    efternamn: str | None = None
    kontakt: dict[str, Any] = field(default_factory=dict)
    skyddad_identitet: bool = False
    tolkbehov: dict[str, Any] | None = None


# Barn och unga: a child under 18; unga vuxna 18-20, for whom an insats may continue or begin
# (LVU (1990:52) 1 § 2 st.: vård for the young person's own behaviour up to 21; SoL (2025:400)
# insatser for unga vuxna). From 21 the person is not a child of this service.
VUXEN = 18
UNG_VUXEN_TILL = 21


def krav_alder(barn: BarnIn, fodd: date, dag: date, *, field: str) -> None:
    """Refuse a person of 21 or more as the child; 18-20 only with `unga_vuxna` set."""
    alder = identitet.alder(fodd, dag)
    if alder >= UNG_VUXEN_TILL:
        raise UnprocessableContent.field(
            field, f"the person is {alder}: the service ends at {UNG_VUXEN_TILL}", "too_old"
        )
    if alder >= VUXEN and not barn.unga_vuxna:
        prefix = field.rsplit(".", 1)[0] if "." in field else ""
        raise UnprocessableContent.field(
            f"{prefix}.unga_vuxna" if prefix else "unga_vuxna",
            f"the person is {alder}: set unga_vuxna when the insats may reach unga vuxna (18-20)",
            "ung_vuxen",
        )


async def hitta_eller_skapa(
    k: Kontext, *, barn: BarnIn, enhet: str, field: str = "barn.personnummer"
) -> uuid.UUID:
    """The id of the child's one person row, created when the identity is new, with what this
    enhet gave about the child recorded as the enhet's own (never in the shared row).

    Identity lookup crosses enheter (one child, one row) through a SECURITY DEFINER function
    that returns only the id, inside the one statement that records the enhet's details: the
    caller learns nothing another enhet recorded. A known identity costs one statement.
    """
    if barn.personnummer is None:
        if barn.fodelsedatum is not None:
            krav_alder(barn, barn.fodelsedatum, k.idag(), field=field.rsplit(".", 1)[0] + ".fodelsedatum")
        ny = await _skapa(k, barn, enhet=enhet, identitet_typ="okand", personnummer=None)
        assert ny is not None  # no personnummer, nothing to conflict with
        return ny
    pnr, samordning = identitet.normalisera(barn.personnummer, field=field, idag=k.idag())
    fodd = identitet.fodelsedatum(pnr)
    krav_alder(barn, fodd, k.idag(), field=field)
    # Before the lookup: refused only for a new identity, the answer told whether one existed.
    if barn.fodelsedatum is not None and barn.fodelsedatum != fodd:
        raise UnprocessableContent(
            "barn.fodelsedatum does not match the personnummer.",
            errors=[
                {
                    "field": "barn.fodelsedatum",
                    "message": "does not match the personnummer",
                    "code": "mismatch",
                }
            ],
        )
    found = await _spara(k, barn, enhet=enhet, pnr=pnr)
    if found is not None:
        return found
    kind = "samordningsnummer" if samordning else "personnummer"
    ny = await _skapa(k, barn, enhet=enhet, identitet_typ=kind, personnummer=pnr, fodd=fodd)
    if ny is not None:
        return ny
    # Two registrations of a new child at once: the second waited, inserted nothing; now it sees it.
    found = await _spara(k, barn, enhet=enhet, pnr=pnr)
    assert found is not None
    return found


def _uppgifter(k: Kontext, barn: BarnIn, enhet: str) -> tuple[Any, ...]:
    tolkbehov = barn.tolkbehov.model_dump(exclude_none=True) if barn.tolkbehov else None
    return repository.uppgifter_args(
        enhet=enhet,
        fornamn=barn.fornamn,
        efternamn=barn.efternamn,
        skyddad_identitet=barn.skyddad_identitet,
        kontakt=orjson.dumps(barn.kontakt.model_dump(exclude_none=True) if barn.kontakt else {}).decode(),
        # SQL NULL, not JSON null, when not given: the upsert keeps what was recorded.
        tolkbehov=orjson.dumps(tolkbehov).decode() if tolkbehov is not None else None,
        nu=k.nu(),
    )


async def _spara(k: Kontext, barn: BarnIn, *, enhet: str, pnr: str) -> uuid.UUID | None:
    """Record the enhet's details on the person with that identity, if there is one; else None."""
    conn = await driver(k.session)
    found: uuid.UUID | None = await conn.fetchval(
        repository.SPARA_KAND, uuid.uuid4(), pnr, *_uppgifter(k, barn, enhet)
    )
    return found


async def _skapa(
    k: Kontext,
    barn: BarnIn,
    *,
    enhet: str,
    identitet_typ: str,
    personnummer: str | None,
    fodd: date | None = None,
) -> uuid.UUID | None:
    """A new person row and the enhet's record of it, in one statement; None when a concurrent
    registration created the identity first (the person INSERT then did nothing)."""
    conn = await driver(k.session)
    ny: uuid.UUID | None = await conn.fetchval(
        repository.SKAPA,
        uuid.uuid4(),
        uuid.uuid4(),
        *_uppgifter(k, barn, enhet),
        *repository.skapa_args(
            identitet_typ=identitet_typ,
            personnummer=personnummer,
            fodd=fodd or barn.fodelsedatum,
            skapad_av_enhet=k.scope.enhet or "",
        ),
    )
    return ny


async def hamta(k: Kontext, person_id: uuid.UUID) -> tuple[Person, uuid.UUID]:
    """The person and the caller's ärende about them: 404 unless the caller's enhet has one."""
    from case_api.arenden.models import Arende

    person = await k.session.get(Person, person_id)
    arende_id = None
    if person is not None:
        query = select(col(Arende.id)).where(col(Arende.person_id) == person_id)
        if not k.scope.alla:
            query = query.where(col(Arende.enhet) == (k.scope.enhet or ""))
        # The open ärende first, then the latest: the one the caller most likely works in.
        query = query.order_by(col(Arende.status) != "oppet", col(Arende.oppnat_at).desc()).limit(1)
        arende_id = (await k.session.execute(query)).scalar_one_or_none()
    if person is None or arende_id is None:
        raise NotFound("No person with that id.")
    return person, arende_id


async def sok(k: Kontext, *, personnummer: str, skal: str) -> Person | None:
    """The person with that identity, if the caller's enhet has an ärende about them.

    Audited as a search with the caller's skäl: one row naming the person and ärende found, or
    a row naming nobody, so loggkontroll sees searches that found nothing too (the number
    searched for is not logged: the audit log holds no personal data beyond its ids).
    """
    from case_api.audit import service as audit_service

    pnr, _ = identitet.normalisera(personnummer, field="query.personnummer", idag=k.idag())
    found = (await k.session.execute(text("SELECT case_person_id(:p)"), {"p": pnr})).scalar_one_or_none()
    person: Person | None = None
    arende_id: uuid.UUID | None = None
    if found is not None:
        try:
            person, arende_id = await hamta(k, found)
        except NotFound:
            # Another enhet's child answers as an unknown one: no hint that an ärende exists.
            person = None
    await audit_service.logga(
        k.session,
        vem=k.vem,
        handling="sok",
        objekt_typ="person",
        objekt_id=person.id if person else None,
        person_id=person.id if person else None,
        arende_id=arende_id if person else None,
        skal=skal,
    )
    return person


def _aktiv(k: Kontext) -> Any:
    """Grants that open a person to their user today: not revoked, not past their last day."""
    return (
        col(SkyddadBehorighet.aterkallad_at).is_(None),
        col(SkyddadBehorighet.giltig_till) >= k.idag(),
    )


def _giltig_till(k: Kontext, indata: BehorighetIn) -> date:
    idag = k.idag()
    senast = idag + timedelta(days=k.settings.behorighet_max_dagar)
    if indata.giltig_till is None:
        return idag + timedelta(days=k.settings.behorighet_standard_dagar)
    if indata.giltig_till < idag:
        raise UnprocessableContent.field("giltig_till", "is in the past", "past")
    if indata.giltig_till > senast:
        raise UnprocessableContent.field(
            "giltig_till",
            f"is more than {k.settings.behorighet_max_dagar} days ahead (at most {senast.isoformat()})",
            "too_far",
        )
    return indata.giltig_till


async def bevilja_behorighet(
    k: Kontext, *, person: Person, arende_id: uuid.UUID, indata: BehorighetIn
) -> SkyddadBehorighet:
    # Four eyes: the chef who may grant is not the one who may use it.
    if indata.sub == k.vem.sub:
        raise EgenBehorighet("Another enhetschef must grant you access to this person.")
    # Protected as this enhet knows the person: another enhet's marking is not its to learn.
    if not (await uppgifter(k, person.id, enhet=k.scope.enhet)).skyddad_identitet:
        raise PersonEjSkyddad("Only a person with skyddad identitet needs an explicit permission.")
    giltig_till = _giltig_till(k, indata)
    enhet = k.scope.enhet or ""
    existing = await k.session.execute(
        select(col(SkyddadBehorighet.id)).where(
            col(SkyddadBehorighet.person_id) == person.id,
            col(SkyddadBehorighet.sub) == indata.sub,
            col(SkyddadBehorighet.enhet) == enhet,
            *_aktiv(k),
        )
    )
    if existing.first() is not None:
        raise BehorighetFinns(f"{indata.sub} already has access to this person.")
    behorighet = SkyddadBehorighet(
        person_id=person.id,
        sub=indata.sub,
        enhet=enhet,
        beviljad_av=k.vem.sub,
        skal=indata.skal,
        giltig_till=giltig_till,
        created_at=k.nu(),
    )
    k.session.add(behorighet)
    await k.session.flush()
    await _handelse(k, "behorighet.beviljad", behorighet, arende_id)
    return behorighet


async def aterkalla_behorighet(
    k: Kontext, *, person: Person, arende_id: uuid.UUID, behorighet_id: uuid.UUID
) -> SkyddadBehorighet:
    """Revoke from now on. Only the enhet that granted it may: another's is an unknown id."""
    behorighet = (
        await k.session.execute(
            select(SkyddadBehorighet)
            .where(
                col(SkyddadBehorighet.id) == behorighet_id,
                col(SkyddadBehorighet.person_id) == person.id,
                col(SkyddadBehorighet.enhet) == (k.scope.enhet or ""),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if behorighet is None:
        raise NotFound("No permission with that id.")
    if behorighet.aterkallad_at is not None:
        raise BehorighetAterkallad(
            "This permission was revoked before.", aterkallad_at=behorighet.aterkallad_at.isoformat()
        )
    behorighet.aterkallad_at = k.nu()
    behorighet.aterkallad_av = k.vem.sub
    await k.session.flush()
    await _handelse(k, "behorighet.aterkallad", behorighet, arende_id)
    return behorighet


async def _handelse(k: Kontext, typ: str, b: SkyddadBehorighet, arende_id: uuid.UUID) -> None:
    # Ids, users and dates only: nothing of the person beyond the id the ärende already names.
    await event_service.emit(
        k.session,
        type=typ,
        arende_id=arende_id,
        data={
            "id": b.id,
            "person_id": b.person_id,
            "arende_id": arende_id,
            "sub": b.sub,
            "enhet": b.enhet,
            "beviljad_av": b.beviljad_av,
            "giltig_till": b.giltig_till,
            "aterkallad_at": b.aterkallad_at,
            "aterkallad_av": b.aterkallad_av,
        },
        occurred_at=k.nu(),
    )


async def uppgifter(k: Kontext, person_id: uuid.UUID, *, enhet: str | None) -> Uppgifter:
    """What `enhet` recorded about the person, or else what a shared source says; protected when
    either says so. Row-level security adds its own wall: another enhet's record is not there."""
    nyckel = (person_id, enhet or "")
    return (await uppgifter_for(k, [nyckel]))[nyckel]


async def uppgifter_for(
    k: Kontext, nycklar: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], Uppgifter]:
    """As `uppgifter` for every (person, enhet) of a page, in one query."""
    if not nycklar:
        return {}
    rows = (
        await k.session.execute(
            select(PersonUppgifter).where(
                col(PersonUppgifter.person_id).in_({p for p, _ in nycklar}),
                or_(
                    col(PersonUppgifter.enhet).in_({e for _, e in nycklar}),
                    col(PersonUppgifter.kalla) == KALLA_FOLKBOKFORING,
                ),
            )
        )
    ).scalars()
    return _samla(rows, nycklar)


def uppgifter_av(rader: Iterable[PersonUppgifter], person_id: uuid.UUID, enhet: str) -> Uppgifter:
    """As `uppgifter`, from records already read (the person's own and shared ones)."""
    return _samla(rader, [(person_id, enhet)])[(person_id, enhet)]


def _samla(
    rader: Iterable[PersonUppgifter], nycklar: Collection[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], Uppgifter]:
    egna: dict[tuple[uuid.UUID, str | None], PersonUppgifter] = {}
    delade: dict[uuid.UUID, PersonUppgifter] = {}
    for rad in rader:
        if rad.kalla == KALLA_ENHET:
            egna[(rad.person_id, rad.enhet)] = rad
        else:
            delade[rad.person_id] = rad
    return {(p, e): _samman(egna.get((p, e)), delade.get(p)) for p, e in nycklar}


def _samman(egen: PersonUppgifter | None, delad: PersonUppgifter | None) -> Uppgifter:
    # The enhet's own record first: what it recorded is what it works with. Protected when either
    # says so: an enhet's record cannot hide the register's marking.
    forst = egen or delad
    if forst is None:
        return Uppgifter()
    return Uppgifter(
        fornamn=forst.fornamn,
        efternamn=forst.efternamn,
        kontakt=forst.kontakt,
        tolkbehov=forst.tolkbehov,
        skyddad_identitet=any(r.skyddad_identitet for r in (egen, delad) if r is not None),
    )


async def har_behorighet(k: Kontext, person_id: uuid.UUID) -> bool:
    granted = await k.session.execute(
        select(col(SkyddadBehorighet.id)).where(
            col(SkyddadBehorighet.person_id) == person_id,
            col(SkyddadBehorighet.sub) == k.vem.sub,
            col(SkyddadBehorighet.enhet) == (k.scope.enhet or ""),
            *_aktiv(k),
        )
    )
    return granted.first() is not None


async def visa(
    k: Kontext, person: Person, *, enhet: str | None, uppgifter_: Uppgifter | None = None
) -> PersonOut:
    """The person as this caller may see them, with `enhet`'s record (the enhet whose ärende or
    uppdrag the caller reads; a list passes it from `uppgifter_for`): a protected identity is
    masked without permission."""
    u = uppgifter_ if uppgifter_ is not None else await uppgifter(k, person.id, enhet=enhet)
    if not u.skyddad_identitet or await har_behorighet(k, person.id):
        return PersonOut(
            id=person.id,
            identitet_typ=person.identitet_typ,
            personnummer=person.personnummer,
            fornamn=u.fornamn,
            efternamn=u.efternamn,
            fodelsedatum=person.fodelsedatum,
            skyddad_identitet=u.skyddad_identitet,
            maskerad=False,
            kontakt=Kontakt(**u.kontakt) if u.kontakt else None,
            tolkbehov=Tolkbehov(**u.tolkbehov) if u.tolkbehov else None,
        )
    return PersonOut(
        id=person.id,
        identitet_typ=person.identitet_typ,
        personnummer=None,
        fornamn=None,
        efternamn=None,
        fodelsedatum=None,
        skyddad_identitet=True,
        maskerad=True,
        kontakt=None,
    )


BARNETS_ALDER = 15


def krav_givare(person: Person, indata: SamtyckeIn, *, field: str = "givet_av") -> None:
    """From 15 the child's own samtycke counts (seed 001, barnets delaktighet; the child's own
    talan from 15 under SoL (2025:400)); before that, or of unknown age, it does not.

    The one place the rule lives: every way a samtycke is recorded (POST
    /v1/personer/{id}/samtycken, a serviceinsats's) passes through registrera_samtycke.
    """
    from case_api.samtycke.exceptions import BarnetUnder15

    fodd = person.fodelsedatum
    if indata.givet_av == "barnet" and (
        fodd is None or identitet.alder(fodd, indata.giltigt_fran) < BARNETS_ALDER
    ):
        raise BarnetUnder15(
            "The child must be 15 on giltigt_fran (and the birth date known) to give samtycke.",
            errors=[
                {
                    "field": field,
                    "message": "the child is under 15 or of unknown age",
                    "code": "barnet-under-15",
                }
            ],
        )


async def registrera_samtycke(
    k: Kontext, *, person_id: uuid.UUID, enhet: str, indata: SamtyckeIn, field: str = "givet_av"
) -> Samtycke:
    person = await k.session.get(Person, person_id)
    if person is None:
        raise NotFound("No person with that id.")
    krav_givare(person, indata, field=field)
    samtycke = Samtycke(
        person_id=person_id,
        enhet=enhet,
        givet_av=indata.givet_av,
        vardnadshavare=[v.model_dump() for v in indata.vardnadshavare],
        omfattning=list(indata.omfattning),
        giltigt_fran=indata.giltigt_fran,
        giltigt_till=indata.giltigt_till,
        registrerat_av=k.vem.sub,
        created_at=k.nu(),
    )
    k.session.add(samtycke)
    await k.session.flush()
    return samtycke


def samtycke_ut(s: Samtycke) -> SamtyckeOut:
    return SamtyckeOut(
        id=s.id,
        version=s.version,
        person_id=s.person_id,
        givet_av=s.givet_av,
        vardnadshavare=[VardnadshavareOut(**v) for v in s.vardnadshavare],
        omfattning=s.omfattning,
        giltigt_fran=s.giltigt_fran,
        giltigt_till=s.giltigt_till,
        aterkallat=s.aterkallat_at is not None,
    )
