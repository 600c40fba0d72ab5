import uuid
from datetime import datetime

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Arende(CaseTable, table=True):
    """The case about one child at one enhet. Closing is a state, never a delete."""

    __tablename__ = "arende"

    id: uuid.UUID = pk()
    person_id: uuid.UUID = ref("person.id")
    enhet: str = text_(index=True)
    typ: str = text_()  # barn | service
    handlaggare: str | None = text_(nullable=True, index=True)
    status: str = text_(default="oppet")
    oppnat_at: datetime = tid()
    avslutat_at: datetime | None = tid(nullable=True)
    avslut_orsak: str | None = text_(nullable=True)
    version: int = 1
