"""The Swedish calendar as lag (1930:173) om beräkning av lagstadgad tid reads it.

2 § moves the last day of a statutory time limit that falls on "en söndag, annan allmän
helgdag, lördag, midsommarafton, julafton eller nyårsafton" to the next vardag. The
allmänna helgdagar are those of lag (1989:253) om allmänna helgdagar: the `holidays`
package's PUBLIC category for Sweden. The three eves are its DE_FACTO category. Nothing
else moves a date: not its BANK half days (trettondagsafton, skärtorsdag,
valborgsmässoafton, ... "from 2pm"), not its OPTIONAL days (påskafton, pingstafton, the
"klämdag"). Påskafton and pingstafton are Saturdays, so they move a date anyway.

Sundays are treated as weekend, never through `include_sundays=True`, which would add every
Sunday to the holiday list as "Söndag" and make the list unusable for anything else.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

# The categories lag (1930:173) 2 § names, beside Saturday and Sunday.
KATEGORIER = (holidays.PUBLIC, holidays.DE_FACTO)

LORDAG, SONDAG = 5, 6


@lru_cache(maxsize=512)
def _helgdagar(ar: int) -> dict[date, str]:
    """The year's allmänna helgdagar and the three eves, with their Swedish names."""
    kalender = holidays.country_holidays(
        "SE", years=ar, categories=KATEGORIER, include_sundays=False, language="sv"
    )
    return dict(kalender.items())


def helgdag(d: date) -> str | None:
    """The name of the allmän helgdag or eve on d (not plain weekends), else None."""
    return _helgdagar(d.year).get(d)


def fridag(d: date) -> str | None:
    """What makes d no vardag, by name (the holiday's, else "lördag"/"söndag"); None on a vardag."""
    namn = helgdag(d)
    if namn is not None:
        return namn.lower()  # in running text: "är julafton"
    return {LORDAG: "lördag", SONDAG: "söndag"}.get(d.weekday())


def ar_fridag(d: date) -> bool:
    """True for a Saturday, Sunday, allmän helgdag, midsommarafton, julafton or nyårsafton."""
    return fridag(d) is not None


def nasta_vardag(d: date) -> date:
    """d itself if it is no fridag, else the first later day that is none."""
    while ar_fridag(d):
        d += timedelta(days=1)
    return d
