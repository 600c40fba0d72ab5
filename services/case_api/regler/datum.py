"""Due dates: the day in Stockholm, lengths added per lag (1930:173) 1 §, and the 2 § move."""

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from case_api.regler import kalender
from case_api.regler.tabell import Langd, Regel

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def lokal_dag(instant: datetime) -> date:
    """The calendar date in Stockholm at that instant. A naive datetime names no instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("lokal_dag needs an aware datetime: a naive one names no instant")
    return instant.astimezone(STOCKHOLM).date()


def _plus_manader(start: date, manader: int) -> date:
    # 1930:173 1 §: the day with the same number in the last month, else that month's last day.
    index = start.year * 12 + (start.month - 1) + manader
    ar, manad = divmod(index, 12)
    manad += 1
    dag = min(start.day, calendar.monthrange(ar, manad)[1])
    return date(ar, manad, dag)


def lagg_till(start: date, langd: Langd) -> date:
    """start plus the length: days, weeks, or calendar months clamped to the month's end."""
    if langd.enhet == "dagar":
        return start + timedelta(days=langd.antal)
    if langd.enhet == "veckor":
        return start + timedelta(weeks=langd.antal)
    return _plus_manader(start, langd.antal)


def forfallodatum(regel: Regel, start: date, *, insatstyp: str | None = None) -> date:
    """The rule's last day from start; moved to the next vardag only when lag (1930:173) applies."""
    sista = lagg_till(start, regel.langd_for(insatstyp))
    return kalender.nasta_vardag(sista) if regel.lag_1930_173 else sista
