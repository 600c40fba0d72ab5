"""Report periods: dates in Europe/Stockholm, inclusive at both ends."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Period:
    fran: date
    till: date

    @property
    def days(self) -> int:
        return (self.till - self.fran).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as instants: midnight in Stockholm, so DST days count right."""
        start = datetime.combine(self.fran, time(), STOCKHOLM)
        end = datetime.combine(self.till + timedelta(days=1), time(), STOCKHOLM)
        return start, end

    def previous(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        till = self.fran - timedelta(days=1)
        return Period(till - timedelta(days=self.days - 1), till)


def stockholm_date(instant: datetime) -> date:
    return instant.astimezone(STOCKHOLM).date()


def half_year_of(day: date) -> Period:
    """Seed 002 (5.4.3): avvikelser are compiled and analysed twice a year."""
    if day.month <= 6:
        return Period(date(day.year, 1, 1), date(day.year, 6, 30))
    return Period(date(day.year, 7, 1), date(day.year, 12, 31))
