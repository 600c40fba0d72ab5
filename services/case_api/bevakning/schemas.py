import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from case_api.schemas_base import Utdata
from common.pagination import Page

BevakningStatus = Literal["oppen", "uppfylld", "forsenad", "avbruten"]


class RegelRef(Utdata):
    id: str
    namn: str
    kallor: list[str]


class BevakningOut(Utdata):
    id: uuid.UUID
    typ: str = Field(description="The rule id.")
    arende_id: uuid.UUID | None = Field(description="None when the object is outside any ärende.")
    enhet: str
    handlaggare: str | None
    utforare: str | None
    objekt_typ: str
    objekt_id: uuid.UUID
    startdatum: date
    forfallodatum: date
    status: BevakningStatus
    uppfylld_at: datetime | None
    uppfylld_datum: date | None
    avbruten_orsak: str | None
    regel: RegelRef
    berakning: str = Field(
        description="Where the due date is explained step by step: GET /v1/regler/{typ}/berakning "
        "for this bevakning's start (and insatstyp). A date a beslut later moved (an extended "
        "utredning) differs from the one explained there: the explanation is of the rule's own date.",
        examples=["/v1/regler/forhandsbedomning/berakning?start=2026-03-15"],
    )


class BevakningPage(Page[BevakningOut]):
    pass
