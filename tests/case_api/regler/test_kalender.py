"""Which days move a statutory last day (lag 1930:173 2 §), and which must not.

Every expected date here was worked out by hand from a printed calendar, not from the
holidays package: the point is to catch a wrong category choice or a library change.
"""

from datetime import date, timedelta

import pytest

from case_api.regler.kalender import ar_fridag, helgdag, nasta_vardag

D = date


# (the day, its name in lag 1989:253 or 1930:173, the next vardag from it)
HELGDAGAR_OCH_AFTNAR = [
    (D(2026, 1, 1), "Nyårsdagen", D(2026, 1, 2)),  # Thursday
    (D(2026, 1, 6), "Trettondedag jul", D(2026, 1, 7)),  # Tuesday
    (D(2026, 4, 3), "Långfredagen", D(2026, 4, 7)),  # Fri -> Sat, Sun, annandag påsk -> Tue
    (D(2026, 4, 5), "Påskdagen", D(2026, 4, 7)),
    (D(2026, 4, 6), "Annandag påsk", D(2026, 4, 7)),
    (D(2026, 5, 1), "Första maj", D(2026, 5, 4)),  # Friday -> Monday
    (D(2026, 5, 14), "Kristi himmelsfärdsdag", D(2026, 5, 15)),  # Thursday -> the klämdag
    (D(2026, 5, 24), "Pingstdagen", D(2026, 5, 25)),  # annandag pingst is no helgdag since 2005
    (D(2028, 6, 6), "Nationaldagen", D(2028, 6, 7)),  # Tuesday
    (D(2025, 6, 6), "Nationaldagen", D(2025, 6, 9)),  # Friday -> Monday
    (D(2026, 6, 19), "Midsommarafton", D(2026, 6, 22)),  # Fri -> midsommardagen, Sun -> Mon
    (D(2026, 6, 20), "Midsommardagen", D(2026, 6, 22)),
    (D(2026, 10, 31), "Alla helgons dag", D(2026, 11, 2)),
    (D(2027, 11, 6), "Alla helgons dag", D(2027, 11, 8)),
    (D(2026, 12, 24), "Julafton", D(2026, 12, 28)),  # Thu -> juldagen, annandag (Sat), Sun
    (D(2026, 12, 25), "Juldagen", D(2026, 12, 28)),
    (D(2026, 12, 26), "Annandag jul", D(2026, 12, 28)),
    (D(2025, 12, 31), "Nyårsafton", D(2026, 1, 2)),  # Wed -> nyårsdagen (Thu) -> Fri
    (D(2026, 12, 31), "Nyårsafton", D(2027, 1, 4)),  # Thu -> nyårsdagen (Fri), Sat, Sun -> Mon
]


@pytest.mark.parametrize(("dag", "namn", "vardag"), HELGDAGAR_OCH_AFTNAR)
def test_every_helgdag_and_eve_moves_a_date(dag: date, namn: str, vardag: date) -> None:
    assert helgdag(dag) == namn
    assert ar_fridag(dag)
    assert nasta_vardag(dag) == vardag


# Days that must NOT move a last day: neither allmän helgdag nor one of the three eves.
VANLIGA_DAGAR = [
    (D(2026, 1, 5), "trettondagsafton (bank half day)"),
    (D(2026, 4, 2), "skärtorsdagen (bank half day)"),
    (D(2026, 4, 30), "valborgsmässoafton (bank half day)"),
    (D(2026, 5, 13), "dag före Kristi himmelsfärd (bank half day)"),
    (D(2026, 5, 15), "klämdag after Kristi himmelsfärd"),
    (D(2027, 5, 7), "klämdag after Kristi himmelsfärd"),
    (D(2026, 5, 25), "annandag pingst (no longer a helgdag since 2005)"),
    (D(2026, 6, 18), "dag före midsommarafton (bank half day)"),
    (D(2026, 10, 30), "allhelgonaafton (bank half day)"),
    (D(2026, 12, 23), "dag före julafton (bank half day)"),
    (D(2026, 12, 30), "dag före nyårsafton (bank half day)"),
    (D(2026, 2, 17), "an ordinary Tuesday"),
]


@pytest.mark.parametrize(("dag", "varfor"), VANLIGA_DAGAR)
def test_days_that_must_not_move_a_date(dag: date, varfor: str) -> None:
    assert dag.weekday() < 5, varfor
    assert not ar_fridag(dag), varfor
    assert helgdag(dag) is None, varfor
    assert nasta_vardag(dag) == dag, varfor


@pytest.mark.parametrize(
    ("dag", "vardag"),
    [
        (D(2026, 3, 14), D(2026, 3, 16)),  # Saturday
        (D(2026, 3, 15), D(2026, 3, 16)),  # Sunday
        (D(2026, 4, 4), D(2026, 4, 7)),  # påskafton: a Saturday, then påskdagen, annandag påsk
        (D(2026, 5, 23), D(2026, 5, 25)),  # pingstafton: a Saturday
    ],
)
def test_weekend_moves_a_date(dag: date, vardag: date) -> None:
    assert dag.weekday() >= 5
    assert ar_fridag(dag)
    assert helgdag(dag) is None  # a weekend, not a holiday entry (no include_sundays quirk)
    assert nasta_vardag(dag) == vardag


@pytest.mark.parametrize(
    ("dag", "vardag"),
    [
        # Julafton on a Friday (2021): Sat 25, Sun 26 (annandag jul) -> Monday 27 December.
        (D(2021, 12, 24), D(2021, 12, 27)),
        # Julafton on a Wednesday (2025): Thu 25, Fri 26, Sat, Sun -> Monday 29: five fridagar.
        (D(2025, 12, 24), D(2025, 12, 29)),
        # Nyårsafton on a Friday (2027): nyårsdagen on Saturday, Sunday -> Monday 3 January.
        (D(2027, 12, 31), D(2028, 1, 3)),
        # Nyårsdagen on a Friday (2027): Saturday, Sunday -> Monday 4 January.
        (D(2027, 1, 1), D(2027, 1, 4)),
        # Midsommarafton 2027 (Friday 25 June) -> Monday 28 June.
        (D(2027, 6, 25), D(2027, 6, 28)),
    ],
)
def test_chained_moves(dag: date, vardag: date) -> None:
    assert nasta_vardag(dag) == vardag
    steg = dag
    while steg < vardag:
        assert ar_fridag(steg), steg
        steg += timedelta(days=1)
    assert not ar_fridag(vardag)


def test_annandag_pingst_was_a_helgdag_before_2005() -> None:
    # Lag (2004:1320) replaced annandag pingst with nationaldagen from 2005.
    assert helgdag(D(2004, 5, 31)) == "Annandag pingst"
    assert not ar_fridag(D(2005, 5, 16))
    assert helgdag(D(2005, 6, 6)) == "Nationaldagen"


def test_a_year_holds_exactly_the_statutory_days() -> None:
    """2026 by hand: the 13 allmänna helgdagar besides Sundays, and the three eves."""
    vantade = {
        D(2026, 1, 1),
        D(2026, 1, 6),
        D(2026, 4, 3),
        D(2026, 4, 5),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 14),
        D(2026, 5, 24),
        D(2026, 6, 6),
        D(2026, 6, 19),
        D(2026, 6, 20),
        D(2026, 10, 31),
        D(2026, 12, 24),
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2026, 12, 31),
    }
    dag, funna = D(2026, 1, 1), set()
    while dag.year == 2026:
        if helgdag(dag) is not None:
            funna.add(dag)
        dag += timedelta(days=1)
    assert funna == vantade


def test_longest_run_of_fridagar_is_five_days() -> None:
    """The bound the property tests rely on: over 1990-2200, a move is at most five days."""
    dag, langst = D(1990, 1, 1), 0
    while dag.year <= 2200:
        langst = max(langst, (nasta_vardag(dag) - dag).days)
        dag += timedelta(days=1)
    assert langst == 5
