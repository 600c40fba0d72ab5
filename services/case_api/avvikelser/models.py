import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, Text
from sqlmodel import Field

from case_api.database import CaseTable


def _text(nullable: bool = True) -> Column[str]:
    return Column(Text, nullable=nullable)


def _at(nullable: bool = True) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable)


class Avvikelse(CaseTable, table=True):
    """One reported deviation and each step of its handling, time-stamped by the clock."""

    __tablename__ = "avvikelse"
    __table_args__ = (Index("ix_avvikelse_registrerad_at_id", "registrerad_at", "id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    typ: str = Field(sa_column=_text(False))
    lex_sarah_typ: str | None = Field(default=None, sa_column=_text())
    inkommen_fran: str = Field(sa_column=_text(False))
    form: str = Field(sa_column=_text(False))
    enhet: str = Field(sa_column=Column(Text, nullable=False, index=True))
    orsakskategori: str = Field(sa_column=_text(False))
    beskrivning: str = Field(sa_column=_text(False))
    arende_id: uuid.UUID | None = Field(default=None, index=True)
    status: str = Field(sa_column=_text(False))

    registrerad_at: datetime = Field(sa_column=_at(False))
    registrerad_av: str = Field(sa_column=_text(False))
    # Lex Sarah: the day the investigation is due by the rule lex_sarah_utredning.
    utredning_forfallodatum: date | None = Field(default=None, sa_column=Column(Date, nullable=True))

    utredd_at: datetime | None = Field(default=None, sa_column=_at())
    utredd_av: str | None = Field(default=None, sa_column=_text())
    utredare: str | None = Field(default=None, sa_column=_text())
    iakttagelser: str | None = Field(default=None, sa_column=_text())
    atgarder: str | None = Field(default=None, sa_column=_text())
    befogad: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))

    ivo_beslut_at: datetime | None = Field(default=None, sa_column=_at())
    ivo_beslut_av: str | None = Field(default=None, sa_column=_text())
    ivo_beslutsfattare: str | None = Field(default=None, sa_column=_text())
    ivo_anmalan: bool | None = Field(default=None, sa_column=Column(Boolean, nullable=True))
    ivo_motivering: str | None = Field(default=None, sa_column=_text())

    avslutad_at: datetime | None = Field(default=None, sa_column=_at())
    avslutad_av: str | None = Field(default=None, sa_column=_text())
    avslut_kommentar: str | None = Field(default=None, sa_column=_text())
