import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from case_api.schemas_base import Indata, Utdata
from common.pagination import Page

OmprovningStatus = Literal["oppen", "avslutad"]


class OmprovningOut(Utdata):
    id: uuid.UUID
    insats_id: uuid.UUID
    arende_id: uuid.UUID
    enhet: str
    uppdrag_id: uuid.UUID | None = Field(description="The uppdrag whose report opened it, if any.")
    anledning: Literal["forandrade_behov", "ej_verkstallt", "ej_nyttjad"]
    beskrivning: str
    rapporterad_av: str
    status: OmprovningStatus
    oppnad_datum: date
    forfallodatum: date | None = Field(
        description="The day it is due (its bevakning, rule `omprovning`); None for one opened "
        "before omprövningar were dated."
    )
    bevakning_id: uuid.UUID | None
    avslutad_datum: date | None
    beslut_id: uuid.UUID | None = Field(description="The new beslut the omprövning led to.")
    motivering: str | None = Field(description="Why no new beslut was needed, or a comment.")
    avslutad_av: str | None
    created_at: datetime
    tillatna_kommandon: list[str]
    version: int


class OmprovningPage(Page[OmprovningOut]):
    pass


class OmprovningAvslutIn(Indata):
    """Name the new beslut, or say why none was needed (then `motivering` is required)."""

    avslutad_datum: date
    beslut_id: uuid.UUID | None = Field(
        default=None, description="The new beslut (same ärende, dated on or after the omprövning opened)."
    )
    motivering: Annotated[str, Field(min_length=1, max_length=20000)] | None = Field(
        default=None, description="Required without `beslut_id`: why no new beslut was needed."
    )
