"""The quality reports: the sammanställning of avvikelser (with the trend) and egenkontroll."""

import csv
import io
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.avvikelser import service as avvikelse_service
from case_api.avvikelser.orsakskategorier import Orsakskategori
from case_api.avvikelser.schemas import LexSarahTyp
from case_api.avvikelser.state_machine import AvvikelseTyp, Status
from case_api.kontext import Scope, apply_scope
from case_api.rapporter import repository
from case_api.rapporter.exceptions import OgiltigPeriod
from case_api.rapporter.periods import Period, half_year_of, stockholm_date
from case_api.rapporter.repository import BevakningRow
from case_api.rapporter.schemas import (
    AvvikelseSammanstallning,
    Egenkontroll,
    EgenkontrollRad,
    PeriodRead,
    Rad,
)
from case_api.regler import datum, tabell
from case_api.regler import service as regler_service
from case_api.settings import Settings
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
    # The avvikelse table sits behind row-level security: count in the scope the report covers.
    await apply_scope(session, Scope(enhet=unit, utforare=None, alla=unit is None))
    current, before = await _count(session, period, unit), await _count(session, previous, unit)
    await apply_scope(session, Scope(enhet=None, utforare=None))
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


LATE_BUCKETS = ((1, 7), (8, 14), (15, 30), (31, 90), (91, None))


def bucket(days: int) -> str:
    for low, high in LATE_BUCKETS:
        if high is None or days <= high:
            return f"{low}-{high or ''}"
    raise AssertionError(days)


def egenkontroll_rad(
    typ: str,
    rows: list[BevakningRow],
    *,
    idag: date,
    forlangda: set[uuid.UUID] | None,
    regel_tid: dict[uuid.UUID, date] | None,
) -> EgenkontrollRad:
    """The figures of one rule, from its bevakningar due in the period."""
    live = [r for r in rows if r.status != "avbruten"]
    met = [r for r in live if r.status == "uppfylld" and r.uppfylld_datum is not None]
    on_time = [r for r in met if r.uppfylld_datum is not None and r.uppfylld_datum <= r.forfallodatum]
    open_ = [r for r in live if r.status in ("oppen", "forsenad")]
    overdue = [r for r in open_ if r.forfallodatum < idag]
    late_days = [
        (r.uppfylld_datum - r.forfallodatum).days
        for r in met
        if r.uppfylld_datum is not None and r.uppfylld_datum > r.forfallodatum
    ] + [(idag - r.forfallodatum).days for r in overdue]
    buckets = {f"{low}-{high or ''}": 0 for low, high in LATE_BUCKETS}
    for days in late_days:
        buckets[bucket(days)] += 1
    due = len(live) - (len(open_) - len(overdue))
    return EgenkontrollRad(
        typ=typ,
        namn=tabell.regel(typ).namn,
        antal=len(live),
        i_tid=len(on_time),
        sent_uppfyllda=len(met) - len(on_time),
        forsenade_ej_uppfyllda=len(overdue),
        ej_forfallna=len(open_) - len(overdue),
        avbrutna=len(rows) - len(live),
        andel_i_tid=round(len(on_time) * 100 / due, 1) if due else None,
        dagar_sena=buckets,
        max_dagar_sen=max(late_days, default=None),
        forlangda=None if forlangda is None else sum(1 for r in live if r.objekt_id in forlangda),
        inom_regelns_tid=None
        if regel_tid is None
        else sum(
            1 for r in met if r.uppfylld_datum is not None and r.uppfylld_datum <= regel_tid[r.objekt_id]
        ),
    )


async def egenkontroll(
    session: AsyncSession,
    *,
    caller: Principal,
    fran: date | None,
    till: date | None,
    enhet: str | None,
    now: datetime,
    settings: Settings,
) -> Egenkontroll:
    unit = avvikelse_service.visible_unit(caller, enhet)
    period = resolve_period(fran=fran, till=till, now=now)
    # The bevakning tables sit behind row-level security: read them in the scope the report covers.
    await apply_scope(session, Scope(enhet=unit, utforare=None, alla=unit is None))
    rows = await repository.bevakningar_forfallna(session, fran=period.fran, till=period.till, enhet=unit)
    by_typ: dict[str, list[BevakningRow]] = {typ: [] for typ in tabell.REGLER}
    for row in rows:
        by_typ.setdefault(row.typ, []).append(row)
    utredningar = {r.objekt_id for r in by_typ["utredning"]}
    extended = await repository.forlangda_utredningar(session, utredningar)
    await apply_scope(session, Scope(enhet=None, utforare=None))
    regel = regler_service.hamta_regel(settings=settings, regel_id="utredning")
    original = {r.objekt_id: datum.forfallodatum(regel, r.startdatum) for r in by_typ["utredning"]}
    idag = datum.lokal_dag(now)
    return Egenkontroll(
        period=PeriodRead(fran=period.fran, till=period.till),
        enhet=unit,
        per_dag=idag,
        per_typ=[
            egenkontroll_rad(
                typ,
                typ_rows,
                idag=idag,
                forlangda=extended if typ == "utredning" else None,
                regel_tid=original if typ == "utredning" else None,
            )
            for typ, typ_rows in by_typ.items()
        ],
    )


EGENKONTROLL_COLUMNS = (
    "fran",
    "till",
    "typ",
    "antal",
    "i_tid",
    "sent_uppfyllda",
    "forsenade_ej_uppfyllda",
    "ej_forfallna",
    "avbrutna",
    "andel_i_tid",
    "forlangda",
    "inom_regelns_tid",
    *(f"dagar_sena_{low}-{high or ''}" for low, high in LATE_BUCKETS),
    "max_dagar_sen",
)


def _cell(value: object) -> object:
    return "" if value is None else value


def egenkontroll_csv(report: Egenkontroll) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EGENKONTROLL_COLUMNS)
    for r in report.per_typ:
        writer.writerow(
            [
                report.period.fran,
                report.period.till,
                r.typ,
                r.antal,
                r.i_tid,
                r.sent_uppfyllda,
                r.forsenade_ej_uppfyllda,
                r.ej_forfallna,
                r.avbrutna,
                _cell(r.andel_i_tid),
                _cell(r.forlangda),
                _cell(r.inom_regelns_tid),
                *r.dagar_sena.values(),
                _cell(r.max_dagar_sen),
            ]
        )
    return out.getvalue()
