import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Person(CaseTable, table=True):
    """A child (or other person) the nämnd holds data about. One row per identity, shared by
    every enhet: identity only. What an enhet recorded about the person is in PersonUppgifter."""

    __tablename__ = "person"

    id: uuid.UUID = pk()
    identitet_typ: str = text_()  # personnummer | samordningsnummer | okand
    personnummer: str | None = text_(nullable=True)  # 12 digits, unique when known
    # From the personnummer; for an unknown identity, as given when the row was made.
    fodelsedatum: date | None = None
    skapad_av_enhet: str = text_()
    created_at: datetime = tid()


KALLA_ENHET = "enhet"
KALLA_FOLKBOKFORING = "folkbokforing"


class PersonUppgifter(CaseTable, table=True):
    """What one source recorded about a person: an enhet's own record (kalla 'enhet', readable by
    that enhet and by an utförare of its uppdrag), or a source every enhet with the person may use
    (kalla 'folkbokforing', enhet NULL; nothing writes it yet)."""

    __tablename__ = "person_uppgifter"

    id: uuid.UUID = pk()
    person_id: uuid.UUID = ref("person.id")
    kalla: str = text_()
    enhet: str | None = text_(nullable=True)
    fornamn: str | None = text_(nullable=True)
    efternamn: str | None = text_(nullable=True)
    skyddad_identitet: bool = False
    kontakt: dict[str, Any] = jsonb()
    # {"sprak": "arabiska"} or {"teckensprak": true}: an interpreter is needed (null: not recorded).
    tolkbehov: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    created_at: datetime = tid()
    updated_at: datetime = tid()


class SkyddadBehorighet(CaseTable, table=True):
    """An explicit permission for one user to see a protected person's details."""

    __tablename__ = "skyddad_behorighet"

    id: uuid.UUID = pk()
    person_id: uuid.UUID = ref("person.id")
    sub: str = text_(index=True)
    # The enhet whose enhetschef granted it: the permission opens the person to its user there.
    enhet: str = text_()
    beviljad_av: str = text_()
    skal: str = text_()
    # The last day (Europe/Stockholm) it opens the person; from the day after, masked again.
    giltig_till: date
    aterkallad_at: datetime | None = tid(nullable=True)
    aterkallad_av: str | None = text_(nullable=True)
    created_at: datetime = tid()


class Samtycke(CaseTable, table=True):
    """Consent: who gave it (vårdnadshavare, or the child from 15), for what, for how long."""

    __tablename__ = "samtycke"

    id: uuid.UUID = pk()
    person_id: uuid.UUID = ref("person.id")
    enhet: str = text_(index=True)
    givet_av: str = text_()  # vardnadshavare | barnet
    # Which vårdnadshavare gave it, [{"namn": ...}] (one or both); empty when the child did.
    vardnadshavare: list[dict[str, Any]] = jsonb(factory=list)
    omfattning: list[str] = jsonb(factory=list)
    giltigt_fran: date
    giltigt_till: date | None = None
    aterkallat_at: datetime | None = tid(nullable=True)
    registrerat_av: str = text_()
    version: int = 1
    created_at: datetime = tid()
