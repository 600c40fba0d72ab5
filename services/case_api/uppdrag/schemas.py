import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.personer.schemas import Kontakt, PersonOut
from case_api.schemas_base import Anrop, Indata, Utdata
from common.pagination import Page

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class UppdragIn(Indata):
    """What 5 kap. 22 § SOSFS 2014:5 asks an uppdrag to carry (seed 001)."""

    insats_id: uuid.UUID
    utforare: Annotated[str, Field(min_length=1, max_length=100)]
    kontaktfamilj_id: uuid.UUID | None = None
    behovsbedomning: Text = Field(description="The assessment of the child's needs.")
    omfattning: Text = Field(description="What the uppdrag includes.")
    mal: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(min_length=1)
    uppfoljningsform: Text = Field(description="How and when the uppdrag is followed up.")
    kontaktuppgifter: Kontakt = Field(
        description="The child's (or guardians') contact details for the utförare."
    )


class UppdragOut(Utdata):
    id: uuid.UUID
    insats_id: uuid.UUID
    arende_id: uuid.UUID
    enhet: str
    utforare: str
    kontaktfamilj_id: uuid.UUID | None
    barn: PersonOut | None = Field(
        description="The child as the caller may see them; null for an utförare whose access ended "
        "(atkomst_upphord_at): it no longer reads the child's personal data (docs/atkomst.md)."
    )
    insatstyp: str
    behovsbedomning: str
    omfattning: str
    mal: list[str]
    uppfoljningsform: str
    kontaktuppgifter: Kontakt | None = Field(
        description="null when the child is masked, and for an utförare whose access ended."
    )
    status: str
    skickat_at: datetime
    mottaget_at: datetime | None
    avbojt_orsak: str | None
    verkstallighetsdatum: date | None
    aterkallat_at: datetime | None = Field(
        default=None, description="When the beställare withdrew it (status aterkallat)."
    )
    aterkallelse_skal: str | None = Field(
        default=None, description="Why it was withdrawn (the beställare's; null for the utförare)."
    )
    samtycke_id: uuid.UUID | None = Field(
        default=None, description="The samtycke it rests on (an external utförare); withdrawn, access ends."
    )
    atkomst_upphord_at: datetime | None = Field(
        default=None,
        description="When the utförare stopped reading the child's personal data through it.",
    )
    atkomst_upphord_orsak: Literal["avbojt", "avslutat", "aterkallat", "samtycke_aterkallat"] | None = Field(
        default=None, description="Why: the uppdrag declined, ended or withdrawn, or its samtycke withdrawn."
    )
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
    version: int


class MottagandeIn(Indata):
    accepterat: bool
    orsak: str | None = Field(default=None, max_length=20000, description="Required when declined.")

    @model_validator(mode="after")
    def orsak_vid_avbojt(self) -> "MottagandeIn":
        if not self.accepterat and not (self.orsak and self.orsak.strip()):
            raise ValueError("orsak is required when the uppdrag is declined")
        return self


class VerkstallighetIn(Indata):
    verkstallighetsdatum: date


class EjVerkstalltIn(Indata):
    datum: date = Field(description="Not started by this day, or interrupted from this day.")
    orsak: Text


class EjNyttjadIn(Indata):
    senast_nyttjad: date = Field(
        description="The last day the child, young person or family used the insats; at least "
        "three months before today (rule ej_nyttjad)."
    )
    orsak: Text


class EjVerkstalltOut(Utdata):
    id: uuid.UUID
    kalla: str
    typ: Literal["ej_paborjad", "avbrott"]
    datum: date
    orsak: str


class AterkallelseIn(Indata):
    skal: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Why the beställare withdraws the uppdrag; the utförare is told that it was, not why."
    )


class ForandradeBehovIn(Indata):
    beskrivning: Text


class KommandoSvar(Utdata):
    uppdrag: UppdragOut
    omprovning_id: uuid.UUID | None = None


class UppdragPage(Page[UppdragOut]):
    pass
