import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Sip(CaseTable, table=True):
    """A samordnad individuell plan about the ärende's child (10 kap. 8-9 §§ SoL (2025:400)):
    who initiated it, the huvudmän and verksamheter taking part, the samtycke it rests on, and
    the next uppföljning."""

    __tablename__ = "sip"

    id: uuid.UUID = pk()
    arende_id: uuid.UUID = ref("arende.id")
    person_id: uuid.UUID = ref("person.id", index=False)
    enhet: str = text_()
    datum: date
    initierad_av_huvudman: str = text_()
    initierad_av_namn: str = text_()
    # [{huvudman, verksamhet, ansvar}]: the parties and what each is responsible for.
    deltagare: list[dict[str, Any]] = jsonb(factory=list)
    overgripande_ansvar: str = text_()
    samtycke_id: uuid.UUID = ref("samtycke.id", index=False)
    uppfoljningsdatum: date | None = None
    senast_uppfoljd: date | None = None
    status: str = text_(default="aktiv")
    registrerad_av: str = text_()
    version: int = 1
    created_at: datetime = tid()
