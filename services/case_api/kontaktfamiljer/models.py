import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Date, DateTime, ForeignKey, Identity, Integer, Text
from sqlmodel import Field

from case_api.database import CaseTable


class Kontaktfamilj(CaseTable, table=True):
    """A family the recruiting unit investigates; no personnummer, the name kept minimal."""

    __tablename__ = "kontaktfamilj"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    enhet: str = Field(sa_column=Column(Text, nullable=False, index=True))
    namn: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    avtal_fran: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    avtal_till: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    registrerad_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    registrerad_av: str = Field(sa_column=Column(Text, nullable=False))
    godkand_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    godkand_av: str | None = Field(default=None, sa_column=Column(Text))
    avslutad_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    avslutad_av: str | None = Field(default=None, sa_column=Column(Text))
    avslut_orsak: str | None = Field(default=None, sa_column=Column(Text))


class KontaktfamiljUtredningssteg(CaseTable, table=True):
    """One step of the investigation; a step can be redone, and its latest result counts."""

    __tablename__ = "kontaktfamilj_utredningssteg"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Recording order, which breaks ties between steps of the same date.
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), nullable=False, unique=True)
    )
    kontaktfamilj_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("kontaktfamilj.id"), nullable=False, index=True)
    )
    steg: str = Field(sa_column=Column(Text, nullable=False))
    datum: date = Field(sa_column=Column(Date, nullable=False))
    resultat: str = Field(sa_column=Column(Text, nullable=False))
    anteckning: str | None = Field(default=None, sa_column=Column(Text))
    registrerad_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    registrerad_av: str = Field(sa_column=Column(Text, nullable=False))
