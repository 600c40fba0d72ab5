import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from case_api.schemas_base import Indata, Utdata

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class Maluppfyllelse(Indata):
    mal: Annotated[str, Field(min_length=1, max_length=2000)]
    bedomning: Literal["uppnatt", "delvis_uppnatt", "ej_uppnatt"]
    kommentar: str | None = Field(default=None, max_length=20000)


class UppfoljningIn(Indata):
    avser: Literal["plan", "beslut"]
    datum: date
    barnets_synpunkter: str | None = Field(default=None, max_length=20000)
    vardnadshavares_synpunkter: str | None = Field(default=None, max_length=20000)
    maluppfyllelse: list[Maluppfyllelse] = Field(min_length=1)
    sammanfattning: Text


class UppfoljningOut(Utdata):
    id: uuid.UUID
    uppdrag_id: uuid.UUID
    arende_id: uuid.UUID
    avser: str
    datum: date
    barnets_synpunkter: str | None
    vardnadshavares_synpunkter: str | None
    maluppfyllelse: list[dict[str, object]]
    sammanfattning: str
    dokumenterad_av: str
