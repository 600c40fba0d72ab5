import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Utredning(CaseTable, table=True):
    __tablename__ = "utredning"

    id: uuid.UUID = pk()
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_(index=True)
    aktualisering_id: uuid.UUID | None = ref("aktualisering.id", nullable=True, index=False)
    startdatum: date
    slutdatum: date  # the current end date: the rule's, or the last extension's
    status: str = text_(default="pagaende")
    resultat: str | None = text_(nullable=True)
    barnperspektiv: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    avslutad_datum: date | None = None
    version: int = 1
    created_at: datetime = tid()


class UtredningForlangning(CaseTable, table=True):
    """A recorded decision to extend an utredning (special reasons, a new end date)."""

    __tablename__ = "utredning_forlangning"

    id: uuid.UUID = pk()
    utredning_id: uuid.UUID = ref("utredning.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_()
    beslutad_av: str = text_()
    beslutsdatum: date
    skal: str = text_()
    tidigare_slutdatum: date
    ny_slutdatum: date
    sen: bool  # registered after the end date it extends
    created_at: datetime = tid()
