"""The child's perspective on a beslut and on the closing of an utredning (issue 14 item 2).

Seed 000 (Barnperspektiv): "Barnkonsekvensanalys ska genomföras i ärenden som gäller barn", and
the child's right to information, delaktighet and barnets bästa; seed 001, barnets delaktighet.
The child's view is recorded, or why it could not be obtained; from 15 the child may speak for
themself (SoL (2025:400)), so who spoke for the child is recorded too.
"""

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.kontext import Kontext
from case_api.personer import identitet
from case_api.personer.models import Person
from case_api.schemas_base import Indata
from common.problems import UnprocessableContent

EGEN_TALAN_FRAN = 15
Text = Annotated[str, Field(min_length=1, max_length=20000)]


class Barnperspektiv(Indata):
    barnkonsekvensanalys: Text = Field(description="How the beslut or the utredning's end affects the child.")
    barnets_synpunkter: Text | None = Field(default=None, description="The child's own view.")
    synpunkter_saknas_skal: Text | None = Field(
        default=None,
        description="Why the child's view could not be obtained (instead of barnets_synpunkter).",
    )
    talan_av: Literal["barnet", "vardnadshavare", "ombud", "annan"] | None = Field(
        default=None, description="Who spoke for the child; `barnet` only from 15."
    )

    @model_validator(mode="after")
    def synpunkter(self) -> "Barnperspektiv":
        if (self.barnets_synpunkter is None) == (self.synpunkter_saknas_skal is None):
            raise ValueError("give barnets_synpunkter, or synpunkter_saknas_skal saying why they are missing")
        return self


async def krav(k: Kontext, bp: Barnperspektiv, *, person_id: uuid.UUID, dag: date, field: str) -> None:
    """The child speaks for themself only from 15 (on the day of the beslut or avslut)."""
    if bp.talan_av != "barnet":
        return
    person = await k.session.get(Person, person_id)
    fodd = person.fodelsedatum if person else None
    if fodd is None or identitet.alder(fodd, dag) < EGEN_TALAN_FRAN:
        raise UnprocessableContent.field(
            f"{field}.talan_av", "the child speaks for themself from 15 (or the age is unknown)", "under_15"
        )
