import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from case_api.personer.schemas import BarnIn
from case_api.schemas_base import Anrop, Indata, NamnTecken, Utdata
from common.pagination import Page

Text = Annotated[str, Field(min_length=1, max_length=20000)]
AktualiseringTyp = Literal["anmalan", "ansokan", "ovrig_information"]
AktualiseringStatus = Literal[
    "inkommen",
    "skyddsbedomd",
    "registrerad",
    "ansluten",
    "ansluten_skyddsbedomd",
    "utredning_inledd",
    "ej_utredning",
]


class Kalla(Indata):
    typ: Annotated[str, Field(min_length=1, max_length=100, examples=["skola", "polis", "vardnadshavare"])]
    namn: Annotated[str, NamnTecken] | None = Field(default=None, max_length=200)


class AktualiseringIn(Indata):
    typ: AktualiseringTyp
    inkom: AwareDatetime = Field(description="When it came in, RFC 3339 with offset.")
    enhet: Annotated[str, Field(min_length=1, max_length=100)]
    barn: BarnIn
    beskrivning: Text
    kalla: Kalla


class AktualiseringOut(Utdata):
    id: uuid.UUID
    arende_id: uuid.UUID
    enhet: str
    typ: AktualiseringTyp
    inkom: datetime
    inkom_dag: date = Field(
        description="The day it came in, in Europe/Stockholm: what the time limits count from."
    )
    kalla: dict[str, object]
    beskrivning: str
    status: str
    ansluten_utredning_id: uuid.UUID | None
    registrerad_av: str
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
    skyddsbedomning: "SkyddsbedomningOut | None" = None
    forhandsbedomning: "ForhandsbedomningOut | None" = None
    aterkoppling: "AterkopplingOut | None" = Field(
        default=None, description="The anmälare's request for återkoppling, and what was done with it."
    )
    forlangningar: "list[ForhandsbedomningForlangningOut]" = Field(
        default_factory=list, description="Decisions extending the förhandsbedömning, oldest first."
    )
    version: int


class SkyddsbedomningIn(Indata):
    bedomd_at: AwareDatetime
    omedelbart_skydd: bool = Field(description="Does the child need protection now?")
    motivering: Text


class SkyddsbedomningOut(Utdata):
    id: uuid.UUID
    bedomd_at: datetime
    bedomd_av: str
    omedelbart_skydd: bool
    motivering: str


class ForhandsbedomningIn(Indata):
    beslut: Literal["inled_utredning", "inled_ej_utredning"]
    beslutsdatum: date
    motivering: Text
    synnerliga_skal: str | None = Field(
        default=None, max_length=20000, description="Required when decided after the 14-day limit."
    )

    @model_validator(mode="after")
    def tom_text(self) -> "ForhandsbedomningIn":
        if self.synnerliga_skal is not None and not self.synnerliga_skal.strip():
            self.synnerliga_skal = None
        return self


class ForhandsbedomningOut(Utdata):
    id: uuid.UUID
    beslut: str
    beslutsdatum: date
    motivering: str
    synnerliga_skal: str | None
    beslutad_av: str


class ForhandsbedomningForlangningIn(Indata):
    """20 kap. 2 § SoL (2025:400): the time may be extended only for synnerliga skäl."""

    beslutsdatum: date
    synnerliga_skal: Annotated[
        str,
        Field(
            min_length=1,
            max_length=20000,
            description="The synnerliga skäl (a police interview to wait for, a family that cannot be "
            "reached). Workload or lack of staff are not such reasons.",
        ),
    ]
    ny_forfallodatum: date = Field(description="The new last day for the förhandsbedömning.")

    @model_validator(mode="after")
    def skal_har_text(self) -> "ForhandsbedomningForlangningIn":
        if not self.synnerliga_skal.strip():
            raise ValueError("synnerliga_skal must say what the reasons are")
        return self


class ForhandsbedomningForlangningOut(Utdata):
    id: uuid.UUID
    beslutsdatum: date
    synnerliga_skal: str
    tidigare_forfallodatum: date
    ny_forfallodatum: date
    sen: bool
    beslutad_av: str


class AterkopplingBegaranIn(Indata):
    """The anmälare asked to hear whether an utredning was opened (19 kap. 6 § SoL (2025:400))."""

    begard_datum: date


class AterkopplingIn(Indata):
    datum: date = Field(description="The day the återkoppling was given, or decided not to be.")
    lamnad: bool = Field(description="False: not given, because it was olämpligt.")
    skal_ej_lamnad: str | None = Field(
        default=None,
        max_length=20000,
        description="Why it was olämpligt with regard to the circumstances; required when not given.",
    )

    @model_validator(mode="after")
    def skal(self) -> "AterkopplingIn":
        if self.skal_ej_lamnad is not None and not self.skal_ej_lamnad.strip():
            self.skal_ej_lamnad = None
        if not self.lamnad and self.skal_ej_lamnad is None:
            raise ValueError("skal_ej_lamnad: say why the återkoppling was olämplig")
        if self.lamnad and self.skal_ej_lamnad is not None:
            raise ValueError("skal_ej_lamnad: only when the återkoppling was not given")
        return self


class AterkopplingOut(Utdata):
    id: uuid.UUID
    status: str
    begard_datum: date
    lamnad_datum: date | None
    skal_ej_lamnad: str | None
    registrerad_av: str


AktualiseringOut.model_rebuild()


class AktualiseringPage(Page[AktualiseringOut]):
    """The mottagning's inbox: aktualiseringar oldest first."""
