import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

BEVAKNING_TYPES = ("se.socialtjanst.bevakning.paminnelse", "se.socialtjanst.bevakning.forsenad")

Kind = Literal["webhook", "epost"]
# An exact event type, or a prefix ending in `*` ("se.socialtjanst.bevakning.*", or "*" for all).
EventType = Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9._-]{1,200}\*?|\*)$")]
Enhet = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://[^\x00-\x20]+$")]
Secret = Annotated[
    str,
    StringConstraints(pattern=r"^whsec_[A-Za-z0-9+/]{32,88}={0,2}$"),
    Field(description="A Standard Webhooks secret: `whsec_` and 24-64 random bytes in base64."),
]


def _check_secret(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        raw = base64.b64decode(value.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64 after whsec_") from None
    if not 24 <= len(raw) <= 64:
        raise ValueError("the secret must be 24 to 64 bytes")
    return value


class PrenumerationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    url: Url | None = Field(default=None, description="webhook: where events are POSTed")
    event_typer: list[EventType] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="Exact types or prefixes ending in `*`. E-mail: bevakning types only "
        "(default paminnelse and forsenad).",
    )
    enhet: Enhet | None = Field(default=None, description="Only events of this enhet")
    tillat_personuppgifter: bool = Field(
        default=False, description="webhook: keep personal fields (namn, personnummer, ...) in data"
    )
    hemlighet: Secret | None = Field(
        default=None, description="webhook: the signing secret; generated when left out"
    )

    _secret = field_validator("hemlighet")(_check_secret)

    @model_validator(mode="after")
    def _fits_kind(self) -> "PrenumerationCreate":
        if self.kind == "webhook":
            if self.url is None:
                raise ValueError("a webhook subscription needs url")
            if self.event_typer is None:
                raise ValueError("a webhook subscription needs event_typer")
        else:
            if self.url is not None or self.hemlighet is not None:
                raise ValueError("an e-mail subscription takes no url or hemlighet")
            if self.tillat_personuppgifter:
                raise ValueError("e-mail never carries personal data")
            for pattern in self.event_typer or []:
                if not any(_matches(pattern, t) for t in BEVAKNING_TYPES):
                    raise ValueError(f"e-mail is sent for bevakning events only, not {pattern}")
        return self


class PrenumerationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    event_typer: list[EventType] | None = Field(default=None, min_length=1, max_length=50)
    enhet: Enhet | None = None
    tillat_personuppgifter: bool | None = None
    hemlighet: Secret | None = Field(
        default=None,
        description="Rotate: the new secret signs from now on; the old one signs alongside it "
        "for NOTIFIER_HEMLIGHET_OVERLAPP_TIMMAR.",
    )
    avsluta_rotation: bool = Field(default=False, description="Stop signing with the old secret now")

    _secret = field_validator("hemlighet")(_check_secret)


class PrenumerationRead(BaseModel):
    id: uuid.UUID
    kind: Kind
    url: str | None
    event_typer: list[str]
    enhet: str | None
    tillat_personuppgifter: bool
    status: Literal["aktiv", "inaktiverad"]
    inaktiverad_orsak: str | None
    rotation_pagar: bool = Field(description="An old secret still signs alongside the new one")
    tidigare_hemlighet_till: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class PrenumerationCreated(PrenumerationRead):
    hemlighet: str | None = Field(description="The signing secret: shown once, keep it")


class PrenumerationPage(BaseModel):
    items: list[PrenumerationRead]
    next_cursor: str | None


def _matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def matches_any(patterns: list[str], event_type: str) -> bool:
    return any(_matches(p, event_type) for p in patterns)
