"""People the nämnd holds data about: found once by identity, masked when protected."""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from case_api.events import service as event_service
from case_api.kontext import Kontext
from case_api.personer import identitet
from case_api.personer.exceptions import (
    BehorighetAterkallad,
    BehorighetFinns,
    EgenBehorighet,
    PersonEjSkyddad,
)
from case_api.personer.models import Person, Samtycke, SkyddadBehorighet
from case_api.personer.schemas import BarnIn, BehorighetIn, Kontakt, PersonOut, SamtyckeIn, SamtyckeOut
from common.problems import NotFound, UnprocessableContent


async def hitta_eller_skapa(k: Kontext, *, barn: BarnIn, field: str = "barn.personnummer") -> uuid.UUID:
    """The id of the child's one person row, created when the identity is new.

    Identity lookup crosses enheter (one child, one row) through a SECURITY DEFINER function
    that returns only the id: the caller learns nothing it may not see until an ärende of its
    own enhet refers to the person, which is what makes the row visible under the policy.
    """
    if barn.personnummer is None:
        return await _skapa(k, barn, identitet_typ="okand", personnummer=None)
    pnr, samordning = identitet.normalisera(barn.personnummer, field=field, idag=k.idag())
    found = (await k.session.execute(text("SELECT case_person_id(:p)"), {"p": pnr})).scalar_one_or_none()
    if found is not None:
        return found  # type: ignore[no-any-return]
    kind = "samordningsnummer" if samordning else "personnummer"
    return await _skapa(k, barn, identitet_typ=kind, personnummer=pnr, fodd=identitet.fodelsedatum(pnr))


async def _skapa(
    k: Kontext, barn: BarnIn, *, identitet_typ: str, personnummer: str | None, fodd: object = None
) -> uuid.UUID:
    if barn.fodelsedatum is not None and fodd is not None and barn.fodelsedatum != fodd:
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
    values = {
        "id": uuid.uuid4(),
        "identitet_typ": identitet_typ,
        "personnummer": personnummer,
        "fornamn": barn.fornamn,
        "efternamn": barn.efternamn,
        "fodelsedatum": fodd or barn.fodelsedatum,
        "skyddad_identitet": barn.skyddad_identitet,
        "kontakt": barn.kontakt.model_dump(exclude_none=True) if barn.kontakt else {},
        "skapad_av_enhet": k.scope.enhet or "",
        "created_at": k.nu(),
    }
    # Two registrations of a new child at once: the second waits, inserts nothing, and looks up.
    inserted = await k.session.execute(
        pg_insert(Person)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["personnummer"])
        .returning(col(Person.id))
    )
    person_id = inserted.scalar_one_or_none()
    if person_id is None:
        person_id = (
            await k.session.execute(text("SELECT case_person_id(:p)"), {"p": personnummer})
        ).scalar_one()
    return person_id


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
    if not person.skyddad_identitet:
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


async def har_behorighet(k: Kontext, person: Person) -> bool:
    if not person.skyddad_identitet:
        return True
    granted = await k.session.execute(
        select(col(SkyddadBehorighet.id)).where(
            col(SkyddadBehorighet.person_id) == person.id,
            col(SkyddadBehorighet.sub) == k.vem.sub,
            col(SkyddadBehorighet.enhet) == (k.scope.enhet or ""),
            *_aktiv(k),
        )
    )
    return granted.first() is not None


async def visa(k: Kontext, person: Person) -> PersonOut:
    """The person as this caller may see them: a protected identity is masked without permission."""
    if await har_behorighet(k, person):
        return PersonOut(
            id=person.id,
            identitet_typ=person.identitet_typ,
            personnummer=person.personnummer,
            fornamn=person.fornamn,
            efternamn=person.efternamn,
            fodelsedatum=person.fodelsedatum,
            skyddad_identitet=person.skyddad_identitet,
            maskerad=False,
            kontakt=Kontakt(**person.kontakt) if person.kontakt else None,
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


async def registrera_samtycke(
    k: Kontext, *, person_id: uuid.UUID, enhet: str, indata: SamtyckeIn
) -> Samtycke:
    samtycke = Samtycke(
        person_id=person_id,
        enhet=enhet,
        givet_av=indata.givet_av,
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
        omfattning=s.omfattning,
        giltigt_fran=s.giltigt_fran,
        giltigt_till=s.giltigt_till,
        aterkallat=s.aterkallat_at is not None,
    )
