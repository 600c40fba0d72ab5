import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

Status = Literal["vantar", "levererad", "misslyckad", "dodsbrev", "avbruten"]


class ForsokRead(BaseModel):
    at: datetime
    statuskod: int | None
    fel: str | None
    duration_ms: int


class LeveransRead(BaseModel):
    id: uuid.UUID
    inbox_event_id: uuid.UUID
    prenumeration_id: uuid.UUID
    arende_id: uuid.UUID | None
    sekvens: int | None
    status: Status
    forsok: int
    next_attempt_at: datetime
    senaste_fel: str | None
    created_at: datetime
    levererad_at: datetime | None


class LeveransDetail(LeveransRead):
    attempts: list[ForsokRead]


class LeveransPage(BaseModel):
    items: list[LeveransRead]
    next_cursor: str | None
