import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Identity, Index, Integer, Text, text
from sqlmodel import Field

from notifier.database import NotifierTable

PENDING = ("vantar", "misslyckad")


class Leverans(NotifierTable, table=True):
    """One event to one subscription (and, for e-mail, one address)."""

    __tablename__ = "leverans"
    __table_args__ = (
        Index(
            "ix_leverans_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('vantar', 'misslyckad')"),
        ),
        Index(
            "ix_leverans_order",
            "prenumeration_id",
            "arende_id",
            "sekvens",
            postgresql_where=text("status IN ('vantar', 'misslyckad')"),
        ),
        Index("ix_leverans_dodsbrev", "created_at", postgresql_where=text("status = 'dodsbrev'")),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    inbox_event_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("inbox_event.id"), nullable=False, index=True)
    )
    prenumeration_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("prenumeration.id"), nullable=False, index=True)
    )
    mottagare_epost: str | None = Field(default=None, sa_column=Column(Text))
    arende_id: uuid.UUID | None = Field(default=None)
    sekvens: int | None = Field(default=None, sa_column=Column(BigInteger))
    # vantar, levererad, misslyckad (will retry), dodsbrev, avbruten
    status: str = Field(sa_column=Column(Text, nullable=False))
    forsok: int = Field(sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    lease_token: uuid.UUID | None = Field(default=None)
    senaste_fel: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    levererad_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Leveransforsok(NotifierTable, table=True):
    """One attempt of a delivery: when, what came back, how long it took."""

    __tablename__ = "leveransforsok"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    leverans_id: uuid.UUID = Field(sa_column=Column(ForeignKey("leverans.id"), nullable=False, index=True))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    statuskod: int | None = Field(default=None, sa_column=Column(Integer))
    fel: str | None = Field(default=None, sa_column=Column(Text))
    duration_ms: int = Field(sa_column=Column(Integer, nullable=False))
