import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from case_api.schemas_base import Indata, Utdata
from common.pagination import Page

Slag = Literal["samtal", "hembesok", "kontakt_med_skola", "information", "ovrigt"]


class JournalanteckningIn(Indata):
    datum: date = Field(description="The day the åtgärd took place (not in the future).")
    slag: Slag
    text: Annotated[str, Field(min_length=1, max_length=20000)]
    rattar_id: uuid.UUID | None = Field(
        default=None,
        description="The entry of the same journal this one corrects; that entry stays as it was.",
    )


class JournalanteckningOut(Utdata):
    id: uuid.UUID
    arende_id: uuid.UUID
    uppdrag_id: uuid.UUID | None
    enhet: str
    utforare: str | None
    datum: date
    slag: Slag
    text: str
    forfattare: str
    forfattare_roll: str
    rattar_id: uuid.UUID | None
    rattad_av: list[uuid.UUID] = Field(description="The later entries that correct this one.")
    created_at: datetime


class JournalanteckningPage(Page[JournalanteckningOut]):
    """A page of journal entries, in the order written."""
