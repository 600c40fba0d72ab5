import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field

Utfall = Literal["tillaten", "nekad"]

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    # Pydantic would also take a number as a Unix time; the API promises RFC 3339 only.
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("expected an RFC 3339 timestamp with offset, e.g. 2026-11-01T00:00:00+01:00")
    return value


Tidpunkt = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]


class LoggPost(BaseModel):
    id: int
    at: datetime
    sub: str
    roller: list[str]
    enhet: str | None
    utforare: str | None
    handling: str
    objekt_typ: str
    objekt_id: uuid.UUID | None
    person_id: uuid.UUID | None
    arende_id: uuid.UUID | None
    skal: str | None
    request_id: str | None
    utfall: Utfall
    position: int | None = Field(description="Position in the hash chain; null until the row is sealed")
    hash: str | None = Field(description="The row's hash in the chain; null until sealed")


class LoggPage(BaseModel):
    items: list[LoggPost]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null at the end."
    )


class Kedjebrott(BaseModel):
    position: int
    id: int = Field(description="The audit row at this position")
    fel: Literal["lank", "hash"] = Field(
        description="`lank`: prev_hash is not the previous row's hash (a row removed, inserted or "
        "relinked); `hash`: the row's content does not give its stored hash (a row altered)."
    )
    forvantad: str = Field(description="The hash the chain expects at this point")
    lagrad: str = Field(description="The hash stored in the row (prev_hash for `lank`, hash for `hash`)")


class Forankring(BaseModel):
    position: int
    hash: str
    stammer: bool = Field(
        description="The chain holds this hash at this position: false means rows at or before the "
        "anchor were removed or altered since it was sent"
    )


class Verifiering(BaseModel):
    ok: bool
    antal: int = Field(description="Sealed rows walked")
    antal_brott: int
    forsta_brott: Kedjebrott | None
    senaste_position: int | None = Field(description="Position of the last sealed row")
    senaste_hash: str | None = Field(description="Hash of the last row: note it to detect truncation later")
    antal_oforseglade: int = Field(description="Committed rows the sealer has not chained yet")
    aldsta_oforseglade_sekunder: float | None = Field(
        description="Age of the oldest unsealed row, seconds (null when every row is sealed)"
    )
    forankring: Forankring | None = Field(
        description="The newest anchor (an audit.forankrad event) checked against the chain; "
        "null before the first"
    )


class SkyddadPersonAtkomst(BaseModel):
    person_id: uuid.UUID
    sub: str
    tillatna: int
    nekade: int
    forsta: datetime
    senaste: datetime
    handlingar: list[str]
    enheter: list[str]


class SkyddadePersonerRapport(BaseModel):
    fran: datetime
    till: datetime
    atkomster: list[SkyddadPersonAtkomst]


class AnvandareAntal(BaseModel):
    sub: str
    personer: int = Field(description="Distinct persons accessed in the period")
    atkomster: int = Field(description="Audited accesses in the period")


class Fordelningsintervall(BaseModel):
    fran: int = Field(description="Distinct persons, lower bound (inclusive)")
    till: int | None = Field(description="Upper bound (inclusive); null for the last, open interval")
    anvandare: int


class Fordelning(BaseModel):
    anvandare: int
    median: float | None
    p90: float | None
    p99: float | None
    max: int | None
    intervall: list[Fordelningsintervall]


class MangaPersonerRapport(BaseModel):
    fran: datetime
    till: datetime
    troskel: int
    over_troskel: list[AnvandareAntal]
    fordelning: Fordelning
