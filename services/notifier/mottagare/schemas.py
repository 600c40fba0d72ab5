from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Sub = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
Enhet = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]
# No whitespace or control characters: the address goes into a mail header as is.
_ADDR = r"[^@\x00-\x20\x7f-\x9f]+"
Epost = Annotated[str, StringConstraints(max_length=254, pattern=rf"^{_ADDR}@{_ADDR}\.{_ADDR}$")]
Roll = Literal["handlaggare", "arbetsledare", "enhetschef"]


class MottagareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: Sub = Field(description="The person's `sub` in tokens (as in bevakning events' handlaggare)")
    epost: Epost
    enhet: Enhet
    roll: Roll
    aktiv: bool = True


class MottagareUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    epost: Epost | None = None
    enhet: Enhet | None = None
    roll: Roll | None = None
    aktiv: bool | None = None


class MottagareRead(BaseModel):
    sub: str
    epost: str
    enhet: str
    roll: Roll
    aktiv: bool
    created_at: datetime
    updated_at: datetime
    version: int


class MottagarePage(BaseModel):
    items: list[MottagareRead]
    next_cursor: str | None
