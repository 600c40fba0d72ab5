from datetime import date

from pydantic import BaseModel, Field


class PeriodRead(BaseModel):
    fran: date
    till: date


class Rad(BaseModel):
    nyckel: str
    antal: int = Field(description="In the period.")
    foregaende: int = Field(description="In the previous period of the same length.")
    forandring: int = Field(description="antal - foregaende")
    forandring_procent: float | None = Field(description="Change in percent; null when foregaende is 0.")


class AvvikelseSammanstallning(BaseModel):
    period: PeriodRead
    foregaende_period: PeriodRead
    enhet: str | None = Field(description="The unit the figures are limited to; null for all units.")
    totalt: Rad
    per_typ: list[Rad]
    per_lex_sarah_typ: list[Rad]
    per_enhet: list[Rad]
    per_orsakskategori: list[Rad]
    per_utfall: list[Rad] = Field(
        description="ej_utredd, ej_befogad, befogad, anmald_till_ivo: as handled when the report is made."
    )
