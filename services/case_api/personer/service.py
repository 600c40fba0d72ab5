"""People the nämnd holds data about: found once by identity, masked when protected."""

import uuid

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from case_api.kontext import Kontext
from case_api.personer import identitet
from case_api.personer.exceptions import BehorighetFinns, PersonEjSkyddad
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


async def bevilja_behorighet(k: Kontext, *, person: Person, indata: BehorighetIn) -> SkyddadBehorighet:
    if not person.skyddad_identitet:
        raise PersonEjSkyddad("Only a person with skyddad identitet needs an explicit permission.")
    existing = await k.session.execute(
        select(col(SkyddadBehorighet.id)).where(
            col(SkyddadBehorighet.person_id) == person.id, col(SkyddadBehorighet.sub) == indata.sub
        )
    )
    if existing.first() is not None:
        raise BehorighetFinns(f"{indata.sub} already has access to this person.")
    behorighet = SkyddadBehorighet(
        person_id=person.id, sub=indata.sub, beviljad_av=k.vem.sub, skal=indata.skal, created_at=k.nu()
    )
    k.session.add(behorighet)
    await k.session.flush()
    return behorighet


async def har_behorighet(k: Kontext, person: Person) -> bool:
    if not person.skyddad_identitet:
        return True
    granted = await k.session.execute(
        select(col(SkyddadBehorighet.id)).where(
            col(SkyddadBehorighet.person_id) == person.id, col(SkyddadBehorighet.sub) == k.vem.sub
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
