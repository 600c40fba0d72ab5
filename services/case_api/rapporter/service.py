"""Sammanställning of avvikelser for a period, with the trend against the period before."""

import csv
import io
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.avvikelser import service as avvikelse_service
from case_api.avvikelser.orsakskategorier import Orsakskategori
from case_api.avvikelser.schemas import LexSarahTyp
from case_api.avvikelser.state_machine import AvvikelseTyp, Status
from case_api.rapporter import repository
from case_api.rapporter.exceptions import OgiltigPeriod
from case_api.rapporter.periods import Period, half_year_of, stockholm_date
from case_api.rapporter.schemas import AvvikelseSammanstallning, PeriodRead, Rad
from common.auth import Principal

UTFALL = ("ej_utredd", "ej_befogad", "befogad", "anmald_till_ivo")
DIMENSIONS = ("typ", "lex_sarah_typ", "enhet", "orsakskategori", "utfall")


def utfall(*, status: str, befogad: bool | None, ivo_anmalan: bool | None) -> str:
    if status == Status.registrerad:
        return "ej_utredd"
    if ivo_anmalan:
        return "anmald_till_ivo"
    return "befogad" if befogad else "ej_befogad"


def resolve_period(*, fran: date | None, till: date | None, now: datetime) -> Period:
    if fran is None and till is None:
        return half_year_of(stockholm_date(now))
    if fran is None or till is None:
        raise OgiltigPeriod("Give both fran and till, or neither for the current half-year.")
    if till < fran:
        raise OgiltigPeriod("till is before fran.")
    period = Period(fran, till)
    try:
        period.bounds()
        period.previous().bounds()
    except (OverflowError, ValueError):
        raise OgiltigPeriod("The period, or the one before it, falls outside the calendar.") from None
    return period


async def _count(session: AsyncSession, period: Period, enhet: str | None) -> dict[str, Counter[str]]:
    start, end = period.bounds()
    counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for typ, lex_typ, unit, orsak, status, befogad, ivo, n in await repository.avvikelse_counts(
        session, start=start, end=end, enhet=enhet
    ):
        counts["typ"][typ] += n
        if lex_typ is not None:
            counts["lex_sarah_typ"][lex_typ] += n
        counts["enhet"][unit] += n
        counts["orsakskategori"][orsak] += n
        counts["utfall"][utfall(status=status, befogad=befogad, ivo_anmalan=ivo)] += n
    return counts


def rad(nyckel: str, antal: int, foregaende: int) -> Rad:
    procent = round((antal - foregaende) * 100 / foregaende, 1) if foregaende else None
    return Rad(
        nyckel=nyckel,
        antal=antal,
        foregaende=foregaende,
        forandring=antal - foregaende,
        forandring_procent=procent,
    )


def _rows(keys: Iterable[str], now: Counter[str], before: Counter[str]) -> list[Rad]:
    return [rad(k, now[k], before[k]) for k in keys]


async def avvikelse_sammanstallning(
    session: AsyncSession,
    *,
    caller: Principal,
    fran: date | None,
    till: date | None,
    enhet: str | None,
    now: datetime,
) -> AvvikelseSammanstallning:
    unit = avvikelse_service.visible_unit(caller, enhet)
    period = resolve_period(fran=fran, till=till, now=now)
    previous = period.previous()
    current, before = await _count(session, period, unit), await _count(session, previous, unit)
    return AvvikelseSammanstallning(
        period=PeriodRead(fran=period.fran, till=period.till),
        foregaende_period=PeriodRead(fran=previous.fran, till=previous.till),
        enhet=unit,
        totalt=rad("totalt", current["typ"].total(), before["typ"].total()),
        per_typ=_rows(AvvikelseTyp, current["typ"], before["typ"]),
        per_lex_sarah_typ=_rows(LexSarahTyp, current["lex_sarah_typ"], before["lex_sarah_typ"]),
        per_enhet=_rows(sorted(current["enhet"] | before["enhet"]), current["enhet"], before["enhet"]),
        per_orsakskategori=_rows(Orsakskategori, current["orsakskategori"], before["orsakskategori"]),
        per_utfall=_rows(UTFALL, current["utfall"], before["utfall"]),
    )


CSV_COLUMNS = (
    "fran",
    "till",
    "dimension",
    "nyckel",
    "antal",
    "foregaende",
    "forandring",
    "forandring_procent",
)


def sammanstallning_csv(report: AvvikelseSammanstallning) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    sections: list[tuple[str, list[Rad]]] = [
        ("totalt", [report.totalt]),
        ("typ", report.per_typ),
        ("lex_sarah_typ", report.per_lex_sarah_typ),
        ("enhet", report.per_enhet),
        ("orsakskategori", report.per_orsakskategori),
        ("utfall", report.per_utfall),
    ]
    for dimension, rows in sections:
        for r in rows:
            procent = "" if r.forandring_procent is None else f"{r.forandring_procent}"
            writer.writerow(
                [
                    report.period.fran,
                    report.period.till,
                    dimension,
                    r.nyckel,
                    r.antal,
                    r.foregaende,
                    r.forandring,
                    procent,
                ]
            )
    return out.getvalue()
