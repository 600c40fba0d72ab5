import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from case_api.schemas_base import Indata, Namn, Utdata
from common.pagination import Page

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class Kontakt(Indata):
    adress: str | None = Field(default=None, max_length=500)
    telefon: str | None = Field(default=None, max_length=50)
    epost: str | None = Field(default=None, max_length=200)


class Tolkbehov(Indata):
    """The person needs an interpreter: for a spoken language, or sign language (teckensprak)."""

    sprak: str | None = Field(default=None, min_length=1, max_length=100, examples=["arabiska"])
    teckensprak: bool = False

    @model_validator(mode="after")
    def nagot(self) -> "Tolkbehov":
        if self.sprak is None and not self.teckensprak:
            raise ValueError("give sprak, or teckensprak: true")
        return self


class BarnIn(Indata):
    """The child: a personnummer or samordningsnummer, or an unknown identity with name and birth date."""

    personnummer: str | None = Field(
        default=None, description="Personnummer or samordningsnummer, 10 or 12 digits."
    )
    fornamn: Namn | None = None
    efternamn: Namn | None = None
    fodelsedatum: date | None = None
    skyddad_identitet: bool = False
    kontakt: Kontakt | None = None
    tolkbehov: Tolkbehov | None = Field(
        default=None, description="An interpreter needed, recorded by the enhet; the utförare sees it."
    )
    unga_vuxna: bool = Field(
        default=False,
        description="The person is 18-20 and the insats may reach unga vuxna (LVU 1 § 2 st., SoL "
        "(2025:400)); without it an 18-year-old is refused. From 21 always refused.",
    )

    @model_validator(mode="after")
    def identitet(self) -> "BarnIn":
        if self.personnummer is None and not (self.fornamn and self.efternamn and self.fodelsedatum):
            raise ValueError("without a personnummer, give fornamn, efternamn and fodelsedatum")
        return self


class PersonOut(Utdata):
    id: uuid.UUID
    identitet_typ: Literal["personnummer", "samordningsnummer", "okand"]
    personnummer: str | None
    fornamn: str | None
    efternamn: str | None
    fodelsedatum: date | None
    skyddad_identitet: bool
    maskerad: bool = Field(
        description="True when the details are hidden: skyddad identitet without permission."
    )
    kontakt: Kontakt | None
    tolkbehov: Tolkbehov | None = Field(
        default=None, description="As the enhet recorded it (null: none recorded, or masked)."
    )


class PersonPage(Page[PersonOut]):
    """A search's result: the person, or nothing when the caller's enhet has no ärende about them."""


class VardnadshavareIn(Indata):
    """A vårdnadshavare who gave the samtycke, by name (a guardian has no person row)."""

    namn: Namn


class VardnadshavareOut(Utdata):
    namn: str


class SamtyckeIn(Indata):
    givet_av: Literal["vardnadshavare", "barnet"] = Field(
        description="The child's own samtycke counts from 15 (barnet-under-15 otherwise)."
    )
    vardnadshavare: list[VardnadshavareIn] = Field(
        default_factory=list,
        max_length=2,
        description="Which vårdnadshavare gave it: one or both, required when givet_av is "
        "vardnadshavare; empty when the child gave it.",
    )
    omfattning: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    giltigt_fran: date
    giltigt_till: date | None = None

    @model_validator(mode="after")
    def period(self) -> "SamtyckeIn":
        if self.giltigt_till is not None and self.giltigt_till < self.giltigt_fran:
            raise ValueError("giltigt_till is before giltigt_fran")
        return self

    @model_validator(mode="after")
    def vem(self) -> "SamtyckeIn":
        if self.givet_av == "vardnadshavare" and not self.vardnadshavare:
            raise ValueError("name the vardnadshavare who gave it (one or both)")
        if self.givet_av == "barnet" and self.vardnadshavare:
            raise ValueError("the child gave it: vardnadshavare stays empty")
        namn = [v.namn.casefold() for v in self.vardnadshavare]
        if len(set(namn)) != len(namn):
            raise ValueError("each vardnadshavare once")
        return self


class SamtyckeOut(Utdata):
    id: uuid.UUID
    version: int = Field(description='The ETag is `"<version>"`: send it as If-Match to withdraw.')
    person_id: uuid.UUID
    givet_av: str
    vardnadshavare: list[VardnadshavareOut] = Field(
        description="Which vårdnadshavare gave it (none: the child)."
    )
    omfattning: list[str]
    giltigt_fran: date
    giltigt_till: date | None
    aterkallat: bool


class BehorighetIn(Indata):
    """Grant one user access to a protected person's details, with the reason."""

    sub: Annotated[str, Field(min_length=1, max_length=200, description="The user's `sub`.")]
    skal: Annotated[str, Field(min_length=1, max_length=2000, description="Why the user needs access.")]
    giltig_till: date | None = Field(
        default=None,
        description="The last day (Europe/Stockholm) the permission opens the person; at most "
        "BEHORIGHET_MAX_DAGAR days ahead. Default: BEHORIGHET_STANDARD_DAGAR days from today.",
    )


class BehorighetOut(Utdata):
    id: uuid.UUID
    person_id: uuid.UUID
    sub: str
    enhet: str
    beviljad_av: str
    skal: str
    giltig_till: date
    aterkallad_at: datetime | None
    aterkallad_av: str | None
    created_at: datetime
