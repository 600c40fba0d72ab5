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


class BevakningPage(Page[BevakningOut]):
    pass
