import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Beslut(CaseTable, table=True):
    """A decision: bifall (with the insats it grants) or avslag. Decisions are never edited."""

    __tablename__ = "beslut"

    id: uuid.UUID = pk()
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_(index=True)
    utredning_id: uuid.UUID | None = ref("utredning.id", nullable=True, index=False)
    utfall: str = text_()  # bifall | avslag
    insatstyp: str = text_()
    rattslig_grund: str = text_()
    # A placement (familjehem, jourhem, HVB, stödboende): sol | lvu_2 | lvu_3. None otherwise.
    placeringsgrund: str | None = text_(nullable=True)
    beslutsdatum: date
    period_fran: date | None = None
    period_till: date | None = None
    beslutsfattare: str = text_()
    motivering: str = text_()
    barnperspektiv: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    created_at: datetime = tid()


class Insats(CaseTable, table=True):
    __tablename__ = "insats"

    id: uuid.UUID = pk()
    beslut_id: uuid.UUID | None = ref("beslut.id", nullable=True)
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_(index=True)
    insatstyp: str = text_()
    placeringsgrund: str | None = text_(nullable=True)
    status: str = text_()
    beslutsdatum: date | None = None
    verkstallighetsdatum: date | None = None
    avbrott_datum: date | None = None
    avslutad_datum: date | None = None
    avslut_orsak: str | None = text_(nullable=True)
    samtycke_id: uuid.UUID | None = ref("samtycke.id", nullable=True, index=False)
    version: int = 1
    created_at: datetime = tid()


class Omprovning(CaseTable, table=True):
    """A task for the handläggare to reconsider an insats (förändrade behov, ej verkställt).

    Dated by its bevakning (rule `omprovning`); it ends with the new beslut it led to, or with
    the reason none was needed."""

    __tablename__ = "omprovning"

    id: uuid.UUID = pk()
    insats_id: uuid.UUID = ref("insats.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_(index=True)
    # The uppdrag whose report opened it (None when the system found the beslut not carried out
    # and no uppdrag was active).
    uppdrag_id: uuid.UUID | None = ref("uppdrag.id", nullable=True, index=False)
    anledning: str = text_()  # forandrade_behov | ej_verkstallt | ej_nyttjad
    beskrivning: str = text_()
    rapporterad_av: str = text_()
    status: str = text_(default="oppen")
    oppnad_datum: date
    avslutad_datum: date | None = None
    beslut_id: uuid.UUID | None = ref("beslut.id", nullable=True, index=False)
    motivering: str | None = text_(nullable=True)
    avslutad_av: str | None = text_(nullable=True)
    version: int = 1
    created_at: datetime = tid()
