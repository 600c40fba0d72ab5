import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class UtkorgStatus(BaseModel):
    """The outbox relay's backlog as an operator sees it."""

    pending: int = Field(description="Committed events not yet delivered (including in flight)")
    in_flight: int = Field(description="Pending events a relay holds an unexpired lease on")
    dead: int = Field(description="Dead letters: they block their ärende until replayed")
    oldest_pending_age_seconds: float | None = Field(
        description="Age of the oldest pending event (from occurred_at); null when none is pending"
    )


class UtkorgHandelse(BaseModel):
    """One outbox event with its delivery state (no event data: it may hold case details)."""

    id: uuid.UUID
    seq: int
    arende_id: uuid.UUID | None
    type: str
    subject: str
    occurred_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    lease_until: datetime | None
    sent_at: datetime | None
    last_error: str | None


class DodsbrevPage(BaseModel):
    items: list[UtkorgHandelse]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")
