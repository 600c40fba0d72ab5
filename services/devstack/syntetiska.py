"""Synthetic children for tests and benchmarks: valid samordningsnummer (the birth day plus
60, as Skatteverket assigns them), born 2012–2019, so they pass every check a real child's
number passes and stay clear of the personnummer of people who live here."""

from collections.abc import Iterator
from datetime import date, timedelta


def kontrollsiffra(nio: str) -> int:
    """The Luhn check digit over the nine digits YYMMDDNNN."""
    total = 0
    for index, char in enumerate(nio):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def samordningsnummer(antal: int, *, start: int = 0) -> Iterator[str]:
    """`antal` distinct 12-digit samordningsnummer; `start` skips that many (disjoint sets)."""
    first = date(2012, 1, 1)
    for n in range(start, start + antal):
        born = first + timedelta(days=(n // 999) % 2900)
        serial = n % 999 + 1
        nio = f"{born:%y%m}{born.day + 60:02d}{serial:03d}"
        yield f"{born.year // 100}{nio}{kontrollsiffra(nio)}"
