import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Integer, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from notifier.database import NotifierTable


class Prenumeration(NotifierTable, table=True):
    """A subscription: a webhook URL, or e-mail alerts for bevakning events."""

    __tablename__ = "prenumeration"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(sa_column=Column(Text, nullable=False))  # webhook | epost
    url: str | None = Field(default=None, sa_column=Column(Text))
    event_typer: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    enhet: str | None = Field(default=None, sa_column=Column(Text, index=True))
    tillat_personuppgifter: bool = Field(sa_column=Column(Boolean, nullable=False))
    # HMAC needs the secret itself, so it is stored as given (the database is the trust boundary).
    hemlighet: str | None = Field(default=None, sa_column=Column(Text))
    tidigare_hemlighet: str | None = Field(default=None, sa_column=Column(Text))
    tidigare_hemlighet_till: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    status: str = Field(sa_column=Column(Text, nullable=False))  # aktiv | inaktiverad
    inaktiverad_orsak: str | None = Field(default=None, sa_column=Column(Text))
    skapad_av: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))

    def secrets(self, now: datetime) -> list[str]:
        """Secrets to sign with now: the current one, and the previous one during the overlap."""
        active: list[Any] = [self.hemlighet]
        if self.tidigare_hemlighet and (
            self.tidigare_hemlighet_till is None or now < self.tidigare_hemlighet_till
        ):
            active.append(self.tidigare_hemlighet)
        return [s for s in active if s]
