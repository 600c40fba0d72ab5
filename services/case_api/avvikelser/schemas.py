import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from case_api.avvikelser.orsakskategorier import Orsakskategori
from case_api.avvikelser.state_machine import AvvikelseTyp, Kommando, Status
from case_api.schemas_base import Kontrollerad

# PostgreSQL text cannot hold NUL; saying so in the schema keeps clients (and fuzzers) honest.
NO_NUL = r"^[^\x00]*$"
Enhet = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000, pattern=NO_NUL)]


class LexSarahTyp(StrEnum):
    missforhallande = "missforhallande"
    patalig_risk = "patalig_risk"


class InkommenFran(StrEnum):
    personal = "personal"
    barn = "barn"
    vardnadshavare = "vardnadshavare"
    annan = "annan"


class Form(StrEnum):
    skriftlig = "skriftlig"
    muntlig_antecknad = "muntlig_antecknad"


class Input(Kontrollerad):
    pass


class _AvvikelseCreateBase(Input):
    inkommen_fran: InkommenFran
    form: Form
    enhet: Enhet = Field(description="The unit the avvikelse concerns.")
    orsakskategori: Orsakskategori
    beskrivning: LongText
    arende_id: uuid.UUID | None = None


class LexSarahCreate(_AvvikelseCreateBase):
    typ: Literal[AvvikelseTyp.lex_sarah]
    lex_sarah_typ: LexSarahTyp = Field(description="A missförhållande, or a påtaglig risk of one.")


class OvrigAvvikelseCreate(_AvvikelseCreateBase):
    typ: Literal[
        AvvikelseTyp.avvikande_handelse, AvvikelseTyp.risk, AvvikelseTyp.synpunkt, AvvikelseTyp.klagomal
    ]


# The schema itself says that lex_sarah_typ belongs to lex Sarah reports, and only to them.
AvvikelseCreate = Annotated[LexSarahCreate | OvrigAvvikelseCreate, Field(discriminator="typ")]


class UtredningInput(Input):
    utredare: ShortText = Field(description="Who investigated.")
    iakttagelser: LongText = Field(description="What the investigation found.")
    atgarder: LongText = Field(description="Measures taken or decided.")
    befogad: bool = Field(description="Whether a deviation (a missförhållande, for lex Sarah) occurred.")


class IvoBeslutInput(Input):
    anmals_till_ivo: bool
    beslutsfattare: ShortText = Field(description="Who made the decision.")
    motivering: LongText


class AvvikelseAvslutInput(Input):
    kommentar: LongText | None = None


class AvvikelseRead(BaseModel):
    id: uuid.UUID
    version: int
    typ: AvvikelseTyp
    lex_sarah_typ: LexSarahTyp | None
    inkommen_fran: InkommenFran
    form: Form
    enhet: str
    orsakskategori: Orsakskategori
    beskrivning: str
    arende_id: uuid.UUID | None
    status: Status
    tillatna_kommandon: list[Kommando]
    registrerad_at: datetime
    registrerad_av: str
    utredning_forfallodatum: date | None = Field(
        description="Lex Sarah: when the investigation is due (rule lex_sarah_utredning)."
    )
    utredd_at: datetime | None
    utredd_av: str | None
    utredare: str | None
    iakttagelser: str | None
    atgarder: str | None
    befogad: bool | None
    ivo_beslut_at: datetime | None
    ivo_beslut_av: str | None
    ivo_beslutsfattare: str | None
    ivo_anmalan: bool | None
    ivo_motivering: str | None
    avslutad_at: datetime | None
    avslutad_av: str | None
    avslut_kommentar: str | None


class AvvikelsePage(BaseModel):
    items: list[AvvikelseRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


class OrsakskategoriRead(BaseModel):
    kod: Orsakskategori
    benamning: str
    kalla: str


class ListFilter(BaseModel):
    enhet: str | None = None
    typ: AvvikelseTyp | None = None
    status: Status | None = None
    registrerad_fran: date | None = None
    registrerad_till: date | None = None
