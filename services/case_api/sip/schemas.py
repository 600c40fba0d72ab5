import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.schemas_base import Anrop, Indata, Utdata

# Who may take the initiative (seed 001: socialtjänst and hälso- och sjukvård, the child or
# family themselves, and for children and young people the school).
Huvudman = Literal["socialtjanst", "region", "skola", "barnet_eller_familjen", "annan"]
Namn = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
SipStatus = Literal["aktiv", "avslutad"]


class SipDeltagare(Indata):
    huvudman: Huvudman
    verksamhet: Namn = Field(description="The verksamhet taking part (BUP, elevhälsan, öppenvården...).")
    ansvar: Text | None = Field(default=None, description="The insatser or åtgärder it is responsible for.")


class SipInitiativ(Indata):
    huvudman: Huvudman
    namn: Namn = Field(description="The person who took the initiative, and their role.")


class SipIn(Indata):
    datum: date = Field(description="The day the plan was drawn up (not in the future).")
    initierad_av: SipInitiativ
    deltagare: list[SipDeltagare] = Field(
        min_length=2,
        max_length=30,
        description="The huvudmän and verksamheter taking part, socialtjänsten too.",
    )
    overgripande_ansvar: Huvudman = Field(
        description="The huvudman with the overall responsibility (10 kap. 8 § 4 SoL (2025:400))."
    )
    samtycke_id: uuid.UUID = Field(
        description="The samtycke the plan rests on: of this ärende's child, in force on `datum`, "
        "not withdrawn."
    )
    uppfoljningsdatum: date = Field(description="When the plan is to be followed up (after `datum`).")

    @model_validator(mode="after")
    def ansvar(self) -> "SipIn":
        if self.overgripande_ansvar not in {d.huvudman for d in self.deltagare}:
            raise ValueError("overgripande_ansvar names a huvudman that is not among the deltagare")
        return self


class SipUppfoljningIn(Indata):
    """The plan was followed up on `datum`; the next uppföljning, or none when the plan ends."""

    datum: date
    nasta_uppfoljningsdatum: date | None = Field(
        default=None, description="The next uppföljning (after `datum`); without it the plan is finished."
    )


class SipDeltagareOut(Utdata):
    huvudman: Huvudman
    verksamhet: str
    ansvar: str | None


class SipInitiativOut(Utdata):
    huvudman: Huvudman
    namn: str


class SipOut(Utdata):
    id: uuid.UUID
    version: int = Field(
        description='The ETag is `"<version>"`: send it as If-Match to record an uppföljning.'
    )
    arende_id: uuid.UUID
    enhet: str
    datum: date
    initierad_av: SipInitiativOut
    deltagare: list[SipDeltagareOut]
    overgripande_ansvar: Huvudman
    samtycke_id: uuid.UUID
    uppfoljningsdatum: date | None = Field(
        description="The next uppföljning; None once the plan is finished."
    )
    senast_uppfoljd: date | None
    status: SipStatus
    bevakning_id: uuid.UUID | None = Field(
        description="The bevakning (rule `sip_uppfoljning`) of the next uppföljning."
    )
    registrerad_av: str
    created_at: datetime
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
