import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.schemas_base import Anrop, Indata, NamnTecken, Utdata
from common.pagination import Page

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class Deltagare(Indata):
    roll: Literal["barn", "vardnadshavare", "kontaktfamilj", "utforare", "handlaggare", "annan"]
    namn: Annotated[str, NamnTecken] | None = Field(default=None, max_length=200)


class GenomforandeplanIn(Indata):
    mal: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(min_length=1)
    aktiviteter: Text
    deltagare: list[Deltagare] = Field(min_length=1)
    barnets_delaktighet: Text = Field(description="How the child took part in making the plan.")
    barnets_synpunkter: str | None = Field(default=None, max_length=20000)
    synpunkter_saknas_skal: str | None = Field(
        default=None, max_length=20000, description="Why the child's view could not be obtained."
    )

    @model_validator(mode="after")
    def barnets_rost(self) -> "GenomforandeplanIn":
        if not (self.barnets_synpunkter or self.synpunkter_saknas_skal):
            raise ValueError("give barnets_synpunkter, or synpunkter_saknas_skal saying why they are missing")
        if not any(d.roll == "vardnadshavare" for d in self.deltagare):
            raise ValueError("the plan is made with the guardians: deltagare needs a vardnadshavare")
        return self


class FaststallandeIn(Indata):
    faststalld_datum: date
    undertecknad_av: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    kopia_lamnad_datum: date


class GenomforandeplanOut(Utdata):
    id: uuid.UUID
    uppdrag_id: uuid.UUID
    arende_id: uuid.UUID
    versionsnummer: int
    foregaende_id: uuid.UUID | None
    status: str
    mal: list[str]
    aktiviteter: str
    deltagare: list[dict[str, object]]
    barnets_delaktighet: str
    barnets_synpunkter: str | None
    synpunkter_saknas_skal: str | None
    barnet_eget_talan: bool = Field(description="The child is 15 or older and speaks for themself.")
    faststalld_datum: date | None
    undertecknad_av: list[str]
    kopia_lamnad_datum: date | None
    upprattad_av: str
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
    version: int


class GenomforandeplanPage(Page[GenomforandeplanOut]):
    """The plan's versions, the first first."""
