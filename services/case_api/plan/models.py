import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Genomforandeplan(CaseTable, table=True):
    """One version of the plan. A revision is a new row; the old one becomes `ersatt`."""

    __tablename__ = "genomforandeplan"

    id: uuid.UUID = pk()
    uppdrag_id: uuid.UUID = ref("uppdrag.id")
    arende_id: uuid.UUID = ref("arende.id", index=False)
    enhet: str = text_()
    utforare: str = text_(index=True)
    versionsnummer: int
    foregaende_id: uuid.UUID | None = None
    status: str = text_(default="utkast")
    mal: list[str] = jsonb(factory=list)
    aktiviteter: str = text_()
    deltagare: list[dict[str, Any]] = jsonb(factory=list)
    barnets_delaktighet: str = text_()
    barnets_synpunkter: str | None = text_(nullable=True)
    synpunkter_saknas_skal: str | None = text_(nullable=True)
    barnet_eget_talan: bool
    faststalld_datum: date | None = None
    undertecknad_av: list[str] = jsonb(factory=list)
    kopia_lamnad_datum: date | None = None
    upprattad_av: str = text_()
    version: int = 1
    created_at: datetime = tid()
