"""Ej verkställda beslut (34 kap. 1-3 §§ SoL (2025:400); 16 kap. 6 f § in the repealed SoL
(2001:453)): IVO's individrapporter for a quarter and the statistics report to the nämnd,
computed from the verkställighet bevakningar.

A bevakning's forfallodatum is the last day of the three months (beslut 30 June: 30 September).
The three months have fully run at the end of that day, so a beslut still not carried out then
is reportable in the quarter that contains it, also when that day is the quarter's last."""

import csv
import io
import re
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import service as audit_service
from case_api.avvikelser import service as avvikelse_service
from case_api.kontext import Scope, apply_scope
from case_api.rapporter import repository
from case_api.rapporter.exceptions import OgiltigPeriod
from case_api.rapporter.periods import Period, stockholm_date
from case_api.rapporter.repository import VerkstallighetRow
from case_api.rapporter.schemas import Individrapport, IvoRapport, PeriodRead, StatistikRad
from common.auth import Principal

KVARTAL = re.compile(r"^(\d{4})-Q([1-4])$")


def kvartal(text: str) -> Period:
    match = KVARTAL.match(text)
    if match is None:
        raise OgiltigPeriod("kvartal looks like 2026-Q3.")
    year, q = int(match.group(1)), int(match.group(2))
    try:
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    except (ValueError, OverflowError):
        raise OgiltigPeriod(f"{text} falls outside the calendar.") from None
    return Period(start, end)


def kvartal_namn(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def senaste_hela_kvartal(today: date) -> Period:
    return kvartal(kvartal_namn(kvartal(kvartal_namn(today)).fran - timedelta(days=1)))


def kon(personnummer: str | None) -> str | None:
    """IVO's sex marker in place of the last four digits: the third of them, odd for men."""
    if personnummer is None or len(personnummer) != 12 or not personnummer.isdigit():
        return None
    return "M" if int(personnummer[10]) % 2 else "K"


def rapporterbar(row: VerkstallighetRow, q: Period) -> bool:
    """Not carried out within three months, and still not when the quarter began."""
    if row.forfallodatum > q.till:
        return False
    if row.uppfylld_datum is not None and (
        row.uppfylld_datum <= row.forfallodatum or row.uppfylld_datum < q.fran
    ):
        return False
    if row.status == "avbruten":
        # Ended without being carried out: reported up to the quarter it ended in.
        return row.avslutad_datum is not None and row.avslutad_datum >= q.fran
    return True


def tidigare_kvartal(row: VerkstallighetRow, q: Period) -> list[str]:
    """Every earlier quarter whose end came on or after the three months' last day: each had a report."""
    quarters: list[str] = []
    cursor = kvartal(kvartal_namn(row.forfallodatum))
    while cursor.fran < q.fran:
        if row.forfallodatum <= cursor.till:
            quarters.append(kvartal_namn(cursor.fran))
        cursor = kvartal(kvartal_namn(cursor.till + timedelta(days=1)))
    return quarters


async def ivo_rapport(
    session: AsyncSession, *, caller: Principal, kvartal_text: str | None, enhet: str | None, now: datetime
) -> IvoRapport:
    unit = avvikelse_service.visible_unit(caller, enhet)
    q = kvartal(kvartal_text) if kvartal_text else senaste_hela_kvartal(stockholm_date(now))
    await apply_scope(session, Scope(enhet=unit, utforare=None, alla=unit is None))
    rows = [
        r for r in await repository.verkstallighet(session, till=q.till, enhet=unit) if rapporterbar(r, q)
    ]
    insatser = {r.insats_id for r in rows}
    met_starts = await repository.uppfyllda_verkstalligheter(session, insatser)
    skal = await repository.ej_verkstallt_skal(session, insatser)
    await apply_scope(session, Scope(enhet=None, utforare=None))
    rapporter = []
    for r in sorted(rows, key=lambda r: (r.startdatum, r.bevakning_id)):
        avbrott = any(start < r.startdatum for start in met_starts.get(r.insats_id, ()))
        verkstalld = r.uppfylld_datum if r.uppfylld_datum is not None and r.uppfylld_datum <= q.till else None
        avslutad = r.avslutad_datum if r.avslutad_datum is not None and r.avslutad_datum <= q.till else None
        tidigare = tidigare_kvartal(r, q)
        rapporter.append(
            Individrapport(
                referens=r.bevakning_id,
                forsta_kvartal=tidigare[0] if tidigare else kvartal_namn(q.fran),
                tidigare_kvartal=tidigare,
                typ="avbrott" if avbrott else "ej_paborjad",
                beslutsdatum=r.beslutsdatum,
                avbrott_datum=r.startdatum if avbrott else None,
                insatstyp=r.insatstyp,
                rattslig_grund=r.rattslig_grund,
                enhet=r.enhet,
                fodelsedatum=r.fodelsedatum,
                kon=kon(r.personnummer),
                dagar=((verkstalld or avslutad or q.till) - r.startdatum).days,
                verkstallighetsdatum=verkstalld,
                avslutad_datum=avslutad,
                skal=skal.get(r.insats_id),
            )
        )
    if rows:
        await audit_service.logga_manga(
            session,
            vem=caller,
            handling="las",
            objekt_typ="ivo_individrapport",
            rader=[(r.insats_id, r.person_id, r.arende_id) for r in rows],
            skal=f"IVO-rapport ej verkställda beslut {kvartal_namn(q.fran)}",
        )
    per = Counter((i.insatstyp, i.typ) for i in rapporter)
    return IvoRapport(
        kvartal=kvartal_namn(q.fran),
        period=PeriodRead(fran=q.fran, till=q.till),
        rapporteringsdatum=q.till,
        enhet=unit,
        individrapporter=rapporter,
        statistik=[StatistikRad(insatstyp=t, typ=k, antal=n) for (t, k), n in sorted(per.items())],
        statistik_per_kon={
            k or "okant": n for k, n in sorted(Counter(i.kon for i in rapporter).items(), key=str)
        },
    )


IVO_COLUMNS = (
    "kvartal",
    "referens",
    "forsta_kvartal",
    "tidigare_kvartal",
    "typ",
    "beslutsdatum",
    "avbrott_datum",
    "insatstyp",
    "rattslig_grund",
    "enhet",
    "fodelsedatum",
    "kon",
    "dagar",
    "verkstallighetsdatum",
    "avslutad_datum",
    "skal",
)


def ivo_csv(report: IvoRapport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(IVO_COLUMNS)
    for i in report.individrapporter:
        writer.writerow(
            [
                report.kvartal,
                i.referens,
                i.forsta_kvartal,
                " ".join(i.tidigare_kvartal),
                i.typ,
                i.beslutsdatum,
                i.avbrott_datum or "",
                i.insatstyp,
                i.rattslig_grund,
                i.enhet,
                i.fodelsedatum or "",
                i.kon or "",
                i.dagar,
                i.verkstallighetsdatum or "",
                i.avslutad_datum or "",
                i.skal or "",
            ]
        )
    return out.getvalue()
