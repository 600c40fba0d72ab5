import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSON
from sqlmodel import Field

from notifier.database import NotifierTable


class InboxEvent(NotifierTable, table=True):
    """A CloudEvent as received, stored once per (source, id). `fanned_out_at` is null until the
    fan-out worker has turned it into deliveries: the marker is written in the ingest transaction."""

    __tablename__ = "inbox_event"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_inbox_event_source_event_id"),
        Index(
            "ix_inbox_event_pending_fan_out",
            "received_at",
            postgresql_where=text("fanned_out_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    source: str = Field(sa_column=Column(Text, nullable=False))
    event_id: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(sa_column=Column(Text, nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(Text))
    enhet: str | None = Field(default=None, sa_column=Column(Text))
    arende_id: uuid.UUID | None = Field(default=None)
    sekvens: int | None = Field(default=None, sa_column=Column(BigInteger))
    # The structured-mode CloudEvent (attributes and data): what webhooks carry, filtered.
    # json, not jsonb: it is only ever read whole, and json keeps any valid JSON (even \u0000).
    event: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    fanned_out_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
