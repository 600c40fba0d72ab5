import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from case_api.kontaktfamiljer.state_machine import Kommando, Resultat, Status, Steg
from case_api.schemas_base import Kontrollerad, NamnTecken

NO_NUL = r"^[^\x00]*$"
Namn = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL), NamnTecken]
Anteckning = Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]


class Input(Kontrollerad):
    pass


class KontaktfamiljCreate(Input):
    namn: Namn = Field(description="How the unit names the family, e.g. 'Familjen Berg'. No personnummer.")


class UtredningsstegCreate(Input):
    steg: Steg
    datum: date
    resultat: Resultat
    anteckning: Anteckning | None = Field(
        default=None, description="Short; register contents do not belong here."
    )


class AvtalInput(Input):
    fran: date
    till: date

    @model_validator(mode="after")
    def ordered(self) -> Self:
        if self.till < self.fran:
            raise ValueError("till is before fran")
        return self


class KontaktfamiljAvslutInput(Input):
    orsak: Anteckning


class UtredningsstegRead(BaseModel):
    id: uuid.UUID
    steg: Steg
    datum: date
    resultat: Resultat
    anteckning: str | None
    registrerad_at: datetime
    registrerad_av: str


class KontaktfamiljRead(BaseModel):
    id: uuid.UUID
    version: int
    enhet: str
    namn: str
    status: Status
    tillatna_kommandon: list[Kommando]
    avtal_fran: date | None
    avtal_till: date | None
    registrerad_at: datetime
    registrerad_av: str
    godkand_at: datetime | None
    godkand_av: str | None
    avslutad_at: datetime | None
    avslutad_av: str | None
    avslut_orsak: str | None
    utredningssteg: list[UtredningsstegRead]
    saknas_for_godkannande: list[Steg] = Field(
        description="Required steps whose latest result is not positive; empty when approval may be given."
    )


class KontaktfamiljSummary(BaseModel):
    id: uuid.UUID
    namn: str
    status: Status
    avtal_fran: date | None
    avtal_till: date | None
    registrerad_at: datetime


class KontaktfamiljPage(BaseModel):
    items: list[KontaktfamiljSummary]
    next_cursor: str | None
