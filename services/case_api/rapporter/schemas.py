import uuid
from datetime import date
from typing import Literal

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


class EgenkontrollRad(BaseModel):
    typ: str = Field(description="The rule (bevakning typ).")
    namn: str
    antal: int = Field(description="Bevakningar due in the period, cancelled ones left out.")
    i_tid: int = Field(description="Met on or before the due date.")
    sent_uppfyllda: int
    forsenade_ej_uppfyllda: int = Field(description="Not met, and the due date has passed.")
    ej_forfallna: int = Field(description="Not met, not yet due (a period reaching past today).")
    avbrutna: int
    andel_i_tid: float | None = Field(description="i_tid in percent of those due by today; null when none.")
    dagar_sena: dict[str, int] = Field(
        description="How late the late ones were, days after the due date (met late, or still open "
        "today): 1-7, 8-14, 15-30, 31-90, 91-."
    )
    max_dagar_sen: int | None
    forlangda: int | None = Field(description="utredning: how many were extended by decision.")
    inom_regelns_tid: int | None = Field(
        description="utredning: met within the rule's own length (4 months), whatever the extensions."
    )


class Egenkontroll(BaseModel):
    period: PeriodRead
    enhet: str | None
    per_dag: date = Field(description="The day 'late' and 'not yet due' are judged on (today).")
    per_typ: list[EgenkontrollRad]


class Individrapport(BaseModel):
    """One decision in IVO's format: the birth date and a sex marker, never the personnummer."""

    referens: uuid.UUID = Field(description="Stable across quarters: later reports carry the first one's.")
    forsta_kvartal: str
    tidigare_kvartal: list[str] = Field(description="Quarters this decision was reported in before.")
    typ: Literal["ej_paborjad", "avbrott"]
    beslutsdatum: date
    avbrott_datum: date | None
    insatstyp: str
    rattslig_grund: str
    enhet: str
    fodelsedatum: date | None
    kon: Literal["K", "M"] | None
    dagar: int = Field(
        description="From the decision (or avbrott) to verkställighet, the end, or the quarter's end."
    )
    verkstallighetsdatum: date | None = Field(description="Carried out late, within this quarter.")
    avslutad_datum: date | None = Field(description="Ended without being carried out, within this quarter.")
    skal: str | None = Field(description="The latest reason reported for not carrying it out.")


class StatistikRad(BaseModel):
    insatstyp: str
    typ: str
    antal: int


class IvoRapport(BaseModel):
    kvartal: str
    period: PeriodRead
    rapporteringsdatum: date
    enhet: str | None
    individrapporter: list[Individrapport]
    statistik: list[StatistikRad] = Field(
        description="The quarterly statistics report to the nämnd, its revisorer and fullmäktige: "
        "no personal data."
    )
    statistik_per_kon: dict[str, int]
