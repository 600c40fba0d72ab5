import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, Integer
from sqlmodel import Field

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Bevakning(CaseTable, table=True):
    """A deadline the system watches, right to the day."""

    __tablename__ = "bevakning"

    id: uuid.UUID = pk()
    typ: str = text_()  # the rule id
    # None for an object outside any ärende (a lex Sarah report about none).
    arende_id: uuid.UUID | None = ref("arende.id", nullable=True)
    enhet: str = text_()
    handlaggare: str | None = text_(nullable=True)
    utforare: str | None = text_(nullable=True)
    objekt_typ: str = text_()
    objekt_id: uuid.UUID
    startdatum: date
    forfallodatum: date
    # The insatstyp the due date was computed for (rules whose length differs by it), so the
    # explanation link computes the same date.
    insatstyp: str | None = text_(nullable=True)
    # A later interval of a recurring rule (a year after the last vårdnadsöverflyttning
    # övervägande rather than two years after the placement), or a rule's later start (the
    # uppföljning after a prepared återförening), so the link explains that date.
    darefter: bool = False
    status: str = text_(default="oppen")
    uppfylld_at: datetime | None = tid(nullable=True)
    uppfylld_datum: date | None = None
    avbruten_orsak: str | None = text_(nullable=True)
    paminnelser: list[int] = Field(default_factory=list, sa_type=ARRAY(Integer), nullable=False)
    # The next day the sweep has something to say about this bevakning; NULL when nothing.
    nasta_larm: date | None = None
    version: int = 1
    created_at: datetime = tid()


class BevakningLarm(CaseTable, table=True):
    """One alert sent (or deliberately skipped) per bevakning and threshold: exactly once."""

    __tablename__ = "bevakning_larm"

    bevakning_id: uuid.UUID = Field(foreign_key="bevakning.id", primary_key=True)
    troskel: str = Field(primary_key=True)
    skickat_at: datetime = tid()
    skickat: bool = True  # False: skipped because a nearer threshold was already crossed
