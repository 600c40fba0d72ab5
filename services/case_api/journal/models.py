import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Identity
from sqlmodel import Field

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Journalanteckning(CaseTable, table=True):
    """One entry of the case file (SOSFS 2014:5 5 kap.). Never changed or removed: the database
    refuses UPDATE and DELETE, and a correction is a new entry naming the one it corrects."""

    __tablename__ = "journalanteckning"

    id: uuid.UUID = pk()
    # The order written: a frozen or coarse clock gives equal created_at, never equal numbers.
    lopnummer: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), nullable=False, unique=True)
    )
    arende_id: uuid.UUID = ref("arende.id")
    # Set on the utförare's journal of an uppdrag; None on the handläggare's journal of the ärende.
    uppdrag_id: uuid.UUID | None = ref("uppdrag.id", nullable=True)
    person_id: uuid.UUID = ref("person.id", index=False)
    enhet: str = text_()
    utforare: str | None = text_(nullable=True)
    datum: date
    slag: str = text_()
    text: str = text_()
    forfattare: str = text_()
    forfattare_roll: str = text_()
    rattar_id: uuid.UUID | None = ref("journalanteckning.id", nullable=True)
    created_at: datetime = tid()
