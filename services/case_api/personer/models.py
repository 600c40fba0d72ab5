import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Person(CaseTable, table=True):
    """A child (or other person) the nämnd holds data about. One row per identity."""

    __tablename__ = "person"

    id: uuid.UUID = pk()
    identitet_typ: str = text_()  # personnummer | samordningsnummer | okand
    personnummer: str | None = text_(nullable=True)  # 12 digits, unique when known
    fornamn: str | None = text_(nullable=True)
    efternamn: str | None = text_(nullable=True)
    fodelsedatum: date | None = None
    skyddad_identitet: bool = False
    kontakt: dict[str, Any] = jsonb()
    skapad_av_enhet: str = text_()
    created_at: datetime = tid()


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
    omfattning: list[str] = jsonb(factory=list)
    giltigt_fran: date
    giltigt_till: date | None = None
    aterkallat_at: datetime | None = tid(nullable=True)
    registrerat_av: str = text_()
    version: int = 1
    created_at: datetime = tid()
