"""The avvikelse state machine, as data: which command each state accepts, and where it leads.

A lex Sarah report must have a decision on reporting to IVO before it is closed; the other
kinds close straight after their investigation (seed 002, 5.4.3; seed 000, "Avvikelse enligt
SoL och LSS").
"""

from enum import StrEnum


class AvvikelseTyp(StrEnum):
    lex_sarah = "lex_sarah"
    avvikande_handelse = "avvikande_handelse"
    risk = "risk"
    synpunkt = "synpunkt"
    klagomal = "klagomal"


class AvvikelseStatus(StrEnum):
    registrerad = "registrerad"
    utredd = "utredd"
    ivo_beslutad = "ivo_beslutad"
    avslutad = "avslutad"


class AvvikelseKommando(StrEnum):
    utred = "utred"
    besluta_ivo = "besluta_ivo"
    avsluta = "avsluta"


# The short names inside the module; the prefixed ones name the schemas in the spec,
# where another module's Status or Kommando would clash.
Status = AvvikelseStatus
Kommando = AvvikelseKommando


Machine = dict[Status, dict[Kommando, Status]]

LEX_SARAH: Machine = {
    Status.registrerad: {Kommando.utred: Status.utredd},
    Status.utredd: {Kommando.besluta_ivo: Status.ivo_beslutad},
    Status.ivo_beslutad: {Kommando.avsluta: Status.avslutad},
    Status.avslutad: {},
}

OVRIGA: Machine = {
    Status.registrerad: {Kommando.utred: Status.utredd},
    Status.utredd: {Kommando.avsluta: Status.avslutad},
    Status.avslutad: {},
}

MACHINES: dict[AvvikelseTyp, Machine] = {
    typ: LEX_SARAH if typ is AvvikelseTyp.lex_sarah else OVRIGA for typ in AvvikelseTyp
}


class NotAllowed(Exception):
    def __init__(self, state: Status, command: Kommando, allowed: list[Kommando]) -> None:
        super().__init__(f"{command} is not allowed in state {state}")
        self.state = state
        self.command = command
        self.allowed = allowed


def allowed_commands(typ: AvvikelseTyp, state: Status) -> list[Kommando]:
    return list(MACHINES[typ].get(state, {}))


def next_state(typ: AvvikelseTyp, state: Status, command: Kommando) -> Status:
    target = MACHINES[typ].get(state, {}).get(command)
    if target is None:
        raise NotAllowed(state, command, allowed_commands(typ, state))
    return target
