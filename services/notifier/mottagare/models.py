from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Integer, Text
from sqlmodel import Field

from notifier.database import NotifierTable


class Mottagare(NotifierTable, table=True):
    """The e-mail directory: who (token sub) gets bevakning alerts at which address."""

    __tablename__ = "mottagare"

    sub: str = Field(sa_column=Column(Text, primary_key=True))
    epost: str = Field(sa_column=Column(Text, nullable=False))
    enhet: str = Field(sa_column=Column(Text, nullable=False, index=True))
    roll: str = Field(sa_column=Column(Text, nullable=False))  # handlaggare | arbetsledare | enhetschef
    aktiv: bool = Field(sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
