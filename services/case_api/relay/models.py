import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, Text, text
from sqlmodel import Field

from case_api.database import CaseTable


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    # Dead letters block their ärende until replayed, so per-ärende order is never broken.
    dead = "dead"


class OutboxDelivery(CaseTable, table=True):
    """The relay's state for one outbox event (a trigger inserts it with the event)."""

    __tablename__ = "outbox_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_delivery_pending", "seq", postgresql_where=text("status = 'pending'")),
        Index(
            "ix_outbox_delivery_unsent_arende",
            "arende_id",
            "seq",
            postgresql_where=text("status <> 'sent' AND arende_id IS NOT NULL"),
        ),
        Index("ix_outbox_delivery_dead", "seq", postgresql_where=text("status = 'dead'")),
    )

    outbox_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("outbox_event.id"), primary_key=True, nullable=False)
    )
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    arende_id: uuid.UUID | None = Field(default=None)
    status: DeliveryStatus = Field(
        default=DeliveryStatus.pending,
        sa_column=Column(Text, nullable=False, server_default=DeliveryStatus.pending.value),
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    lease_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    lease_owner: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
