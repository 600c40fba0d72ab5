"""The avvikelse state machine, table-driven, without a database."""

import pytest

from case_api.avvikelser.state_machine import (
    MACHINES,
    AvvikelseTyp,
    Kommando,
    NotAllowed,
    Status,
    allowed_commands,
    next_state,
)

LEX = AvvikelseTyp.lex_sarah
ALLOWED = [
    (LEX, Status.registrerad, Kommando.utred, Status.utredd),
    (LEX, Status.utredd, Kommando.besluta_ivo, Status.ivo_beslutad),
    (LEX, Status.ivo_beslutad, Kommando.avsluta, Status.avslutad),
    *[
        (typ, state, command, target)
        for typ in AvvikelseTyp
        if typ is not LEX
        for state, command, target in [
            (Status.registrerad, Kommando.utred, Status.utredd),
            (Status.utredd, Kommando.avsluta, Status.avslutad),
        ]
    ],
]


@pytest.mark.parametrize(("typ", "state", "command", "target"), ALLOWED)
def test_allowed_transition(typ, state, command, target) -> None:  # type: ignore[no-untyped-def]
    assert next_state(typ, state, command) is target


def _refused() -> list[tuple[AvvikelseTyp, Status, Kommando]]:
    allowed = {(t, s, c) for t, s, c, _ in ALLOWED}
    return [
        (typ, state, command)
        for typ in AvvikelseTyp
        for state in Status
        for command in Kommando
        if (typ, state, command) not in allowed
    ]


@pytest.mark.parametrize(("typ", "state", "command"), _refused())
def test_every_other_transition_is_refused(typ, state, command) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed) as info:
        next_state(typ, state, command)
    assert info.value.state is state
    assert info.value.allowed == allowed_commands(typ, state)


def test_lex_sarah_cannot_close_without_ivo_decision() -> None:
    assert allowed_commands(LEX, Status.utredd) == [Kommando.besluta_ivo]
    assert allowed_commands(AvvikelseTyp.klagomal, Status.utredd) == [Kommando.avsluta]


def test_every_machine_ends_in_avslutad_with_no_commands() -> None:
    for machine in MACHINES.values():
        assert machine[Status.avslutad] == {}
        targets = {t for moves in machine.values() for t in moves.values()}
        assert set(machine) == targets | {Status.registrerad}
