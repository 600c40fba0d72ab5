"""Due dates: month ends, leap years, Stockholm midnight across DST, and the 1930:173 move."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from case_api.regler.datum import STOCKHOLM, forfallodatum, lagg_till, lokal_dag
from case_api.regler.tabell import Langd, regel

D = date


@pytest.mark.parametrize(
    ("start", "langd", "vantat"),
    [
        # Calendar months clamp to the month's last day (lag 1930:173 1 §).
        (D(2026, 1, 31), Langd(1, "manader"), D(2026, 2, 28)),
        (D(2028, 1, 31), Langd(1, "manader"), D(2028, 2, 29)),  # leap year
        (D(2025, 11, 30), Langd(3, "manader"), D(2026, 2, 28)),
        (D(2027, 11, 30), Langd(3, "manader"), D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), Langd(1, "manader"), D(2026, 4, 30)),
        (D(2026, 8, 31), Langd(1, "manader"), D(2026, 9, 30)),
        (D(2026, 10, 31), Langd(4, "manader"), D(2027, 2, 28)),
        (D(2027, 10, 31), Langd(4, "manader"), D(2028, 2, 29)),
        (D(2026, 8, 31), Langd(6, "manader"), D(2027, 2, 28)),
        (D(2028, 2, 29), Langd(12, "manader"), D(2029, 2, 28)),
        (D(2028, 2, 29), Langd(48, "manader"), D(2032, 2, 29)),
        (D(2026, 2, 28), Langd(1, "manader"), D(2026, 3, 28)),  # not "month end to month end"
        (D(2026, 12, 15), Langd(1, "manader"), D(2027, 1, 15)),
        (D(2026, 1, 15), Langd(0, "manader"), D(2026, 1, 15)),
        # Days and weeks.
        (D(2026, 2, 20), Langd(14, "dagar"), D(2026, 3, 6)),
        (D(2028, 2, 20), Langd(14, "dagar"), D(2028, 3, 5)),  # leap year
        (D(2026, 12, 25), Langd(14, "dagar"), D(2027, 1, 8)),
        (D(2026, 2, 10), Langd(3, "veckor"), D(2026, 3, 3)),
        (D(2028, 2, 15), Langd(3, "veckor"), D(2028, 3, 7)),  # leap year
        (D(2026, 3, 15), Langd(0, "dagar"), D(2026, 3, 15)),  # "genast": the same day
    ],
)
def test_lagg_till(start: date, langd: Langd, vantat: date) -> None:
    assert lagg_till(start, langd) == vantat


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "dag"),
    [
        (_utc(2026, 3, 14, 23, 30), D(2026, 3, 15)),  # 00:30 CET
        (_utc(2026, 3, 14, 22, 59, 59), D(2026, 3, 14)),  # 23:59:59 CET
        (_utc(2026, 3, 14, 23, 0), D(2026, 3, 15)),  # midnight exactly
        # Summer time starts Sunday 29 March 2026, 01:00 UTC.
        (_utc(2026, 3, 28, 23, 30), D(2026, 3, 29)),  # 00:30 CET
        (_utc(2026, 3, 29, 21, 59), D(2026, 3, 29)),  # 23:59 CEST
        (_utc(2026, 3, 29, 22, 0), D(2026, 3, 30)),  # 00:00 CEST
        (_utc(2026, 6, 30, 21, 59, 59), D(2026, 6, 30)),
        (_utc(2026, 6, 30, 22, 0), D(2026, 7, 1)),
        # Summer time ends Sunday 25 October 2026, 01:00 UTC.
        (_utc(2026, 10, 24, 21, 59), D(2026, 10, 24)),  # 23:59 CEST
        (_utc(2026, 10, 24, 22, 0), D(2026, 10, 25)),  # 00:00 CEST
        (_utc(2026, 10, 25, 22, 59), D(2026, 10, 25)),  # 23:59 CET
        (_utc(2026, 10, 25, 23, 0), D(2026, 10, 26)),  # 00:00 CET
        # Any aware instant, whatever its offset.
        (datetime(2026, 3, 15, 0, 30, tzinfo=timezone(timedelta(hours=1))), D(2026, 3, 15)),
        (datetime(2026, 3, 14, 19, 30, tzinfo=ZoneInfo("America/New_York")), D(2026, 3, 15)),
        (datetime(2026, 3, 15, 8, 0, tzinfo=timezone(timedelta(hours=9))), D(2026, 3, 15)),
        (datetime(2026, 3, 15, 7, 59, tzinfo=timezone(timedelta(hours=9))), D(2026, 3, 14)),
    ],
)
def test_lokal_dag_is_the_day_in_stockholm(instant: datetime, dag: date) -> None:
    assert lokal_dag(instant) == dag


def test_lokal_dag_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        lokal_dag(datetime(2026, 3, 14, 23, 30))


def test_stockholm_is_the_iana_zone() -> None:
    assert str(STOCKHOLM) == "Europe/Stockholm"


@pytest.mark.parametrize(
    ("regel_id", "start", "insatstyp", "vantat"),
    [
        # Lag (1930:173) applies: a last day on a fridag moves.
        ("forhandsbedomning", D(2026, 2, 3), None, D(2026, 2, 17)),  # a Tuesday: stays
        ("forhandsbedomning", D(2026, 6, 5), None, D(2026, 6, 22)),  # 19 June midsommarafton
        ("forhandsbedomning", D(2026, 12, 10), None, D(2026, 12, 28)),  # 24 Dec julafton (Thu)
        ("forhandsbedomning", D(2026, 3, 21), None, D(2026, 4, 7)),  # 4 April påskafton
        ("forhandsbedomning", D(2026, 2, 28), None, D(2026, 3, 16)),  # 14 March: a Saturday
        ("utredning", D(2025, 10, 31), None, D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
        ("utredning", D(2026, 8, 31), None, D(2027, 1, 4)),  # 31 Dec nyårsafton, 1 Jan, weekend
        ("utredning", D(2027, 10, 31), None, D(2028, 2, 29)),  # leap day, a Tuesday: stays
        ("utredning", D(2026, 2, 14), None, D(2026, 6, 15)),  # 14 June is a Sunday
        # No lag (1930:173): never moved, whatever the day.
        ("skyddsbedomning", D(2026, 12, 24), None, D(2026, 12, 24)),
        ("skyddsbedomning", D(2026, 3, 15), None, D(2026, 3, 15)),  # a Sunday
        ("verkstallighet", D(2026, 9, 24), None, D(2026, 12, 24)),  # julafton: stays
        ("verkstallighet", D(2026, 11, 30), None, D(2027, 2, 28)),  # clamped, a Sunday: stays
        ("genomforandeplan", D(2026, 12, 3), None, D(2026, 12, 24)),  # 3 weeks, julafton: stays
        ("uppfoljning", D(2026, 6, 19), None, D(2026, 12, 19)),  # a Saturday: stays
        ("uppfoljning", D(2026, 6, 19), "oppenvard", D(2026, 12, 19)),
        ("uppfoljning", D(2026, 6, 19), "kontaktfamilj", D(2027, 6, 19)),  # 12 months
        ("lex_sarah_utredning", D(2026, 12, 10), None, D(2026, 12, 24)),  # the nämnd's own: stays
    ],
)
def test_forfallodatum(regel_id: str, start: date, insatstyp: str | None, vantat: date) -> None:
    assert forfallodatum(regel(regel_id), start, insatstyp=insatstyp) == vantat
