import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from case_api.bevakning.schemas import BevakningOut
from case_api.insats.schemas import BeslutOut, InsatsOut
from case_api.intake.schemas import AktualiseringOut
from case_api.omprovning.schemas import OmprovningOut
from case_api.personer.schemas import PersonOut
from case_api.schemas_base import Indata, Utdata
from case_api.uppdrag.schemas import UppdragOut
from case_api.utredning.schemas import UtredningOut
from common.pagination import Page


class ArendeOut(Utdata):
    id: uuid.UUID
    enhet: str
    typ: Literal["barn", "service"]
    handlaggare: str | None
    status: Literal["oppet", "avslutat"]
    oppnat_at: datetime
    avslutat_at: datetime | None
    avslut_orsak: str | None
    barn: PersonOut
    version: int


class ArendeAvslutIn(Indata):
    orsak: Annotated[str, Field(min_length=1, max_length=2000)]


class TilldelningIn(Indata):
    handlaggare: Annotated[str, Field(min_length=1, max_length=200)]


class ArendeDetalj(ArendeOut):
    aktualiseringar: list[AktualiseringOut]
    utredningar: list[UtredningOut]
    beslut: list[BeslutOut]
    insatser: list[InsatsOut]
    uppdrag: list[UppdragOut]
    omprovningar: list[OmprovningOut]
    bevakningar: list[BevakningOut] = Field(description="The open (and late) bevakningar, by due date.")


class ArendePage(Page[ArendeOut]):
    pass
