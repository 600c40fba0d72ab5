"""Properties of due dates over random starts, lengths and rules (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from case_api.regler.datum import forfallodatum, lagg_till
from case_api.regler.kalender import ar_fridag, nasta_vardag
from case_api.regler.tabell import ENHETER, REGLER, Langd

# The longest run of fridagar is five days (julafton on a Wednesday); see test_kalender.
LANGSTA_FLYTT = 5

dagar = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
langder = st.builds(Langd, antal=st.integers(0, 60), enhet=st.sampled_from(ENHETER))
regler = st.sampled_from(sorted(REGLER.values(), key=lambda r: r.id))
insatstyper = st.sampled_from([None, "oppenvard", "kontaktfamilj", "kontaktperson"])


@given(start=dagar, regel=regler, insatstyp=insatstyper)
def test_due_date_is_the_raw_date_or_the_next_vardag(start: date, regel, insatstyp) -> None:  # type: ignore[no-untyped-def]
    raw = lagg_till(start, regel.langd_for(insatstyp))
    due = forfallodatum(regel, start, insatstyp=insatstyp)
    assert due >= raw >= start
    if regel.lag_1930_173:
        assert not ar_fridag(due)
        assert (due - raw).days <= LANGSTA_FLYTT
        # Nothing but fridagar is skipped.
        assert all(ar_fridag(raw + timedelta(days=i)) for i in range((due - raw).days))
    else:
        assert due == raw


@given(dag=dagar)
def test_nasta_vardag_is_the_first_day_that_is_no_fridag(dag: date) -> None:
    vardag = nasta_vardag(dag)
    assert not ar_fridag(vardag)
    assert 0 <= (vardag - dag).days <= LANGSTA_FLYTT
    assert all(ar_fridag(dag + timedelta(days=i)) for i in range((vardag - dag).days))
    if dag.weekday() >= 5:
        assert vardag != dag


@given(start=dagar, antal=st.integers(0, 240))
def test_months_follow_the_calendar(start: date, antal: int) -> None:
    slut = lagg_till(start, Langd(antal, "manader"))
    assert (slut.year * 12 + slut.month) - (start.year * 12 + start.month) == antal
    nasta_manad = (slut.replace(day=1) + timedelta(days=32)).replace(day=1)
    sista_dagen = nasta_manad - timedelta(days=1)
    # The same day number, or the month's last day when the month is shorter.
    assert slut.day == start.day or (slut == sista_dagen and start.day > slut.day)


@given(start=dagar, antal=st.integers(0, 400))
def test_days_and_weeks_are_exact(start: date, antal: int) -> None:
    assert lagg_till(start, Langd(antal, "dagar")) == start + timedelta(days=antal)
    assert lagg_till(start, Langd(antal, "veckor")) == start + timedelta(days=7 * antal)
    assert lagg_till(start, Langd(antal, "veckor")).weekday() == start.weekday()


@given(start=dagar, langd=langder)
def test_length_never_goes_backwards(start: date, langd: Langd) -> None:
    assert lagg_till(start, langd) >= start
