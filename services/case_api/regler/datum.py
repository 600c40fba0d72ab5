"""Due dates: the day in Stockholm, lengths added per lag (1930:173) 1 §, and the 2 § move.

`berakna` is the one computation: it returns the due date together with the steps that led
to it, in words a handläggare can read. The bevakningar take `forfallodatum` (its result) and
GET /v1/regler/{id}/berakning serves the steps, so the explanation can never drift from the
date the service actually watches.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from case_api.regler import kalender
from case_api.regler.tabell import Langd, Regel

STOCKHOLM = ZoneInfo("Europe/Stockholm")

StegTyp = Literal["startdag", "langd", "manadsslut", "fridag", "flyttad", "vardag", "ej_flyttad"]

_VECKODAGAR = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MANADER = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Steg:
    """One step of a computation: what was done, the day it gave, and a sentence saying so."""

    typ: StegTyp
    datum: date
    text: str
    # The name of the day that was passed (a fridag), when the step is about one.
    namn: str | None = None


@dataclass(frozen=True)
class Berakning:
    startdag: date
    forfallodatum: date
    steg: tuple[Steg, ...]


def lokal_dag(instant: datetime) -> date:
    """The calendar date in Stockholm at that instant. A naive datetime names no instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("lokal_dag needs an aware datetime: a naive one names no instant")
    return instant.astimezone(STOCKHOLM).date()


def dag_text(d: date) -> str:
    """'måndag 30 mars 2026 (2026-03-30)'."""
    return f"{_VECKODAGAR[d.weekday()]} {d.day} {_MANADER[d.month - 1]} {d.year} ({d.isoformat()})"


def _plus_manader(start: date, manader: int) -> tuple[date, bool]:
    # 1930:173 1 §: the day with the same number in the last month, else that month's last day.
    index = start.year * 12 + (start.month - 1) + manader
    ar, manad = divmod(index, 12)
    manad += 1
    sista = calendar.monthrange(ar, manad)[1]
    return date(ar, manad, min(start.day, sista)), start.day > sista


def lagg_till(start: date, langd: Langd) -> date:
    """start plus the length: days, weeks, or calendar months clamped to the month's end."""
    return _lagg_till(start, langd, lag=False)[0]


def _lagg_till(start: date, langd: Langd, *, lag: bool) -> tuple[date, list[Steg]]:
    sa = ", räknat enligt lag (1930:173) 1 §" if lag else ""
    if langd.enhet == "dagar":
        if langd.antal == 0:
            return start, [
                Steg("langd", start, f"Genast: sista dagen är startdagen själv, {dag_text(start)}.")
            ]
        d = start + timedelta(days=langd.antal)
        return d, [Steg("langd", d, f"{langd.antal} dagar efter startdagen{sa}: {dag_text(d)}.")]
    if langd.enhet == "veckor":
        d = start + timedelta(weeks=langd.antal)
        text = f"{langd.antal} veckor efter startdagen, samma veckodag{sa}: {dag_text(d)}."
        return d, [Steg("langd", d, text)]
    d, klampad = _plus_manader(start, langd.antal)
    manad = f"{_MANADER[d.month - 1]} {d.year}"
    if not klampad:
        text = f"{langd.antal} månader efter startdagen, dag {start.day} i {manad}{sa}: {dag_text(d)}."
        return d, [Steg("langd", d, text)]
    return d, [
        Steg("langd", d, f"{langd.antal} månader efter startdagen: dag {start.day} i {manad}{sa}."),
        Steg(
            "manadsslut",
            d,
            f"{manad.capitalize()} har ingen dag {start.day}: månadens sista dag gäller, {dag_text(d)}.",
        ),
    ]


def _flytta(sista: date) -> tuple[date, list[Steg]]:
    # 1930:173 2 §: each fridag passed is its own step, with its name, then the day it lands on.
    steg: list[Steg] = []
    d = sista
    while (namn := kalender.fridag(d)) is not None:
        steg.append(Steg("fridag", d, f"{dag_text(d)} är {namn}: ingen vardag.", namn=namn))
        d += timedelta(days=1)
    if not steg:
        return d, [Steg("vardag", d, f"{dag_text(d)} är en vardag: dagen står kvar.")]
    text = f"Flyttad till nästa vardag enligt lag (1930:173) 2 §: {dag_text(d)}."
    return d, [*steg, Steg("flyttad", d, text)]


def _ej_flyttad(regel: Regel, sista: date) -> Steg:
    namn = kalender.fridag(sista)
    varfor = f"lag (1930:173) flyttar inte denna dag: {regel.flyttas_inte}"
    if namn is None:
        return Steg("ej_flyttad", sista, f"Inte flyttad, {varfor}.")
    return Steg("ej_flyttad", sista, f"{dag_text(sista)} är {namn} men står kvar, {varfor}.", namn=namn)


def startdag(start: date | datetime) -> tuple[date, Steg]:
    """The start day and the step that names it: an instant is read as its day in Stockholm."""
    if isinstance(start, datetime):
        d = lokal_dag(start)
        text = f"{start.isoformat()} är {dag_text(d)} i Europe/Stockholm: det är startdagen."
        return d, Steg("startdag", d, text)
    return start, Steg("startdag", start, f"Startdag: {dag_text(start)}.")


def berakna(
    regel: Regel, start: date | datetime, *, insatstyp: str | None = None, darefter: bool = False
) -> Berakning:
    """The rule's last day from start, with every step; moved only when lag (1930:173) applies.
    `darefter`: a later interval of a recurring rule (from the last övervägande), whose length
    may differ from the first; or, for a rule with a `senare_start`, that later start, which the
    start step then explains."""
    dag, forsta = startdag(start)
    if darefter and regel.senare_start is not None:
        forsta = Steg("startdag", dag, f"Startdag: {dag_text(dag)}, eftersom {regel.senare_start}.")
    langd = regel.langd_for(insatstyp, darefter=darefter)
    sista, steg = _lagg_till(dag, langd, lag=regel.lag_1930_173)
    if regel.lag_1930_173:
        slut, flytt = _flytta(sista)
    else:
        slut, flytt = sista, [_ej_flyttad(regel, sista)]
    return Berakning(startdag=dag, forfallodatum=slut, steg=(forsta, *steg, *flytt))


def forfallodatum(regel: Regel, start: date, *, insatstyp: str | None = None, darefter: bool = False) -> date:
    """The rule's last day from start: the result of `berakna`, which also explains it."""
    return berakna(regel, start, insatstyp=insatstyp, darefter=darefter).forfallodatum
