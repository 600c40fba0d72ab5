"""The kontaktfamilj state machine and what approval requires, as data without I/O.

Seed 004, "Utredning av kontaktfamilj": the investigation covers interviews, a home visit,
register extracts and references, and an agreement is made with the family engaged.
"""

from collections.abc import Mapping
from datetime import date
from enum import StrEnum


class KontaktfamiljStatus(StrEnum):
    under_utredning = "under_utredning"
    godkand = "godkand"
    avslutad = "avslutad"


class KontaktfamiljKommando(StrEnum):
    registrera_utredningssteg = "registrera_utredningssteg"
    registrera_avtal = "registrera_avtal"
    godkann = "godkann"
    avsluta = "avsluta"


# The short names inside the module; the prefixed ones name the schemas in the spec,
# where another module's Status or Kommando would clash.
Status = KontaktfamiljStatus
Kommando = KontaktfamiljKommando


class Steg(StrEnum):
    intervju = "intervju"
    hembesok = "hembesok"
    registerutdrag_belastningsregistret = "registerutdrag_belastningsregistret"
    registerutdrag_misstankeregistret = "registerutdrag_misstankeregistret"
    referens = "referens"


class Resultat(StrEnum):
    positivt = "positivt"
    negativt = "negativt"


REQUIRED_STEPS: tuple[Steg, ...] = tuple(Steg)

MACHINE: dict[Status, dict[Kommando, Status]] = {
    Status.under_utredning: {
        Kommando.registrera_utredningssteg: Status.under_utredning,
        Kommando.registrera_avtal: Status.under_utredning,
        Kommando.godkann: Status.godkand,
        Kommando.avsluta: Status.avslutad,
    },
    # An approved family stays under watch: a renewed register extract or a new reference
    # is recorded, and a negative one makes the family unfit for new uppdrag at once.
    Status.godkand: {
        Kommando.registrera_utredningssteg: Status.godkand,
        Kommando.registrera_avtal: Status.godkand,
        Kommando.avsluta: Status.avslutad,
    },
    Status.avslutad: {},
}

# What `saknas` may name besides the steps.
GODKANNANDE = "godkannande"
AVTAL = "avtal"
AVTAL_UTGATT = "avtal_utgatt"
AVTAL_EJ_BORJAT = "avtal_ej_borjat"


class NotAllowed(Exception):
    def __init__(self, state: Status, command: Kommando, allowed: list[Kommando]) -> None:
        super().__init__(f"{command} is not allowed in state {state}")
        self.state = state
        self.command = command
        self.allowed = allowed


def allowed_commands(state: Status) -> list[Kommando]:
    return list(MACHINE[state])


def next_state(state: Status, command: Kommando) -> Status:
    target = MACHINE[state].get(command)
    if target is None:
        raise NotAllowed(state, command, allowed_commands(state))
    return target


def missing_steps(latest: Mapping[Steg, Resultat]) -> list[str]:
    """Required steps whose latest result is not positive (or that were never done)."""
    return [steg.value for steg in REQUIRED_STEPS if latest.get(steg) is not Resultat.positivt]


def missing_for_uppdrag(
    *,
    status: Status,
    latest: Mapping[Steg, Resultat],
    avtal_fran: date | None,
    avtal_till: date | None,
    dag: date,
) -> list[str]:
    """Everything that stops the family from taking an uppdrag on `dag`; empty when nothing does."""
    saknas = missing_steps(latest)
    if status is not Status.godkand:
        saknas.append(GODKANNANDE)
    if avtal_fran is None or avtal_till is None:
        saknas.append(AVTAL)
    elif avtal_till < dag:
        saknas.append(AVTAL_UTGATT)
    elif avtal_fran > dag:
        saknas.append(AVTAL_EJ_BORJAT)
    return saknas
