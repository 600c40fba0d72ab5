import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Uppfoljning(CaseTable, table=True):
    __tablename__ = "uppfoljning"

    id: uuid.UUID = pk()
    uppdrag_id: uuid.UUID = ref("uppdrag.id")
    arende_id: uuid.UUID = ref("arende.id", index=False)
    enhet: str = text_()
    utforare: str = text_()
    avser: str = text_()  # plan | beslut
    datum: date
    barnets_synpunkter: str | None = text_(nullable=True)
    vardnadshavares_synpunkter: str | None = text_(nullable=True)
    maluppfyllelse: list[dict[str, Any]] = jsonb(factory=list)
    sammanfattning: str = text_()
    dokumenterad_av: str = text_()
    created_at: datetime = tid()
