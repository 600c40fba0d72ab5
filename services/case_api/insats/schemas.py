import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.barnperspektiv import Barnperspektiv
from case_api.personer.schemas import BarnIn, SamtyckeIn
from case_api.schemas_base import Anrop, Indata, Utdata

Text = Annotated[str, Field(min_length=1, max_length=20000)]
Insatstyp = Literal[
    "oppenvard",
    "kontaktfamilj",
    "kontaktperson",
    "familjebehandling",
    "stodsamtal",
    "familjehem",
    "jourhem",
    "hvb",
    "stodboende",
    "boendestod",
]


# Vård utanför det egna hemmet: the insatstyper that are placements, and the law they rest on.
PLACERINGAR = frozenset({"familjehem", "jourhem", "hvb", "stodboende"})
Placeringsgrund = Literal["sol", "lvu_2", "lvu_3"]


class BeslutIn(Indata):
    arende_id: uuid.UUID
    utredning_id: uuid.UUID | None = None
    utfall: Literal["bifall", "avslag"]
    insatstyp: Insatstyp
    rattslig_grund: Annotated[
        str, Field(min_length=1, max_length=200, examples=["11 kap. 1 § SoL (2025:400)"])
    ]
    placeringsgrund: Placeringsgrund | None = Field(
        default=None,
        description="For a placement (familjehem, jourhem, hvb, stodboende), required: sol (vård "
        "enligt socialtjänstlagen), lvu_2 or lvu_3 (vård enligt 2 § or 3 § LVU). Its rules and "
        "bevakningar differ: övervägande for sol and lvu_2, omprövning for lvu_3.",
    )
    beslutsdatum: date
    period_fran: date | None = None
    period_till: date | None = None
    beslutsfattare: Annotated[str, Field(min_length=1, max_length=200)]
    motivering: Text

    barnperspektiv: Barnperspektiv = Field(
        description="Barnkonsekvensanalys and the child's view (seed 000: in every ärende about a child).",
    )

    @model_validator(mode="after")
    def period(self) -> "BeslutIn":
        if self.period_fran and self.period_till and self.period_till < self.period_fran:
            raise ValueError("period_till is before period_fran")
        return self

    @model_validator(mode="after")
    def placering(self) -> "BeslutIn":
        placering = self.insatstyp in PLACERINGAR
        if placering and self.placeringsgrund is None:
            raise ValueError("placeringsgrund is required for a placement (sol, lvu_2 or lvu_3)")
        if not placering and self.placeringsgrund is not None:
            raise ValueError(f"placeringsgrund is only for a placement, not {self.insatstyp}")
        return self


class InsatsOut(Utdata):
    id: uuid.UUID
    beslut_id: uuid.UUID | None
    arende_id: uuid.UUID
    enhet: str
    insatstyp: str
    placeringsgrund: str | None
    status: str
    beslutsdatum: date | None
    verkstallighetsdatum: date | None
    avbrott_datum: date | None
    avslutad_datum: date | None
    avslut_orsak: str | None
    samtycke_id: uuid.UUID | None
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
    version: int


class BeslutOut(Utdata):
    id: uuid.UUID
    arende_id: uuid.UUID
    enhet: str
    utredning_id: uuid.UUID | None
    utfall: str
    insatstyp: str
    rattslig_grund: str
    placeringsgrund: str | None
    beslutsdatum: date
    period_fran: date | None
    period_till: date | None
    beslutsfattare: str
    motivering: str
    barnperspektiv: dict[str, object] | None = None
    insats: InsatsOut | None


class InsatsAvslutIn(Indata):
    avslutad_datum: date
    orsak: Literal["mal_uppnatt", "familjen_avslutar", "behov_upphort", "flyttat", "omprovning", "annat"]
    kommentar: str | None = Field(default=None, max_length=20000)
    aterforening_forbereds: bool = Field(
        default=False,
        description="Vård enligt LVU only: the child is to be reunited with the vårdnadshavare and "
        "the återförening needs preparing (21 b § andra stycket LVU). The uppföljning after the "
        "care then opens only when the återförening is recorded as having happened "
        "(POST /v1/insatser/{id}/efteruppfoljning, handelse aterforening).",
    )


class ServiceinsatsIn(Indata):
    """Seed 000: no needs test and no beslut, but an explicit samtycke before any personal data."""

    enhet: Annotated[str, Field(min_length=1, max_length=100)]
    samtycke: SamtyckeIn
    barn: BarnIn
    startdatum: date
    beskrivning: Text
