import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from case_api.database import CaseTable


class OutboxEvent(CaseTable, table=True):
    """A domain event, written in the same transaction as the change it describes."""

    __tablename__ = "outbox_event"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Commit order is not insertion order; `seq` orders events within an ärende only.
    seq: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), nullable=False, unique=True)
    )
    type: str = Field(sa_column=Column(Text, nullable=False))
    subject: str = Field(sa_column=Column(Text, nullable=False))
    arende_id: uuid.UUID | None = Field(default=None, index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # W3C traceparent of the request that wrote it (common.tracing); sent as the CloudEvents
    # distributed-tracing extension. None for events of workers (sweep, sealer) and untraced calls.
    traceparent: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
