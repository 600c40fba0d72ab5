"""The kontaktfamilj state machine and its requirements, table-driven, without a database."""

from datetime import date

import pytest

from case_api.kontaktfamiljer.state_machine import (
    MACHINE,
    Kommando,
    NotAllowed,
    Resultat,
    Status,
    Steg,
    missing_for_uppdrag,
    missing_steps,
    next_state,
)

ALL_POSITIVE = {steg: Resultat.positivt for steg in Steg}


@pytest.mark.parametrize(
    ("state", "command", "target"),
    [
        (Status.under_utredning, Kommando.registrera_utredningssteg, Status.under_utredning),
        (Status.under_utredning, Kommando.registrera_avtal, Status.under_utredning),
        (Status.under_utredning, Kommando.godkann, Status.godkand),
        (Status.under_utredning, Kommando.avsluta, Status.avslutad),
        (Status.godkand, Kommando.registrera_utredningssteg, Status.godkand),
        (Status.godkand, Kommando.registrera_avtal, Status.godkand),
        (Status.godkand, Kommando.avsluta, Status.avslutad),
    ],
)
def test_allowed(state, command, target) -> None:  # type: ignore[no-untyped-def]
    assert next_state(state, command) is target


@pytest.mark.parametrize(
    ("state", "command"),
    [(Status.godkand, Kommando.godkann), *[(Status.avslutad, c) for c in Kommando]],
)
def test_refused(state, command) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed) as info:
        next_state(state, command)
    assert info.value.allowed == list(MACHINE[state])


def test_every_step_is_required() -> None:
    assert missing_steps({}) == [
        "intervju",
        "hembesok",
        "registerutdrag_belastningsregistret",
        "registerutdrag_misstankeregistret",
        "referens",
    ]
    assert missing_steps(ALL_POSITIVE) == []
    assert missing_steps({**ALL_POSITIVE, Steg.referens: Resultat.negativt}) == ["referens"]


@pytest.mark.parametrize(
    ("status", "latest", "avtal", "dag", "saknas"),
    [
        (Status.godkand, ALL_POSITIVE, (date(2026, 1, 1), date(2026, 12, 31)), date(2026, 5, 1), []),
        (Status.godkand, ALL_POSITIVE, (date(2026, 1, 1), date(2026, 12, 31)), date(2026, 12, 31), []),
        (
            Status.godkand,
            ALL_POSITIVE,
            (date(2026, 1, 1), date(2026, 4, 30)),
            date(2026, 5, 1),
            ["avtal_utgatt"],
        ),
        (
            Status.godkand,
            ALL_POSITIVE,
            (date(2026, 6, 1), date(2026, 12, 31)),
            date(2026, 5, 1),
            ["avtal_ej_borjat"],
        ),
        (Status.godkand, ALL_POSITIVE, (None, None), date(2026, 5, 1), ["avtal"]),
        (
            Status.under_utredning,
            {Steg.intervju: Resultat.positivt},
            (None, None),
            date(2026, 5, 1),
            [
                "hembesok",
                "registerutdrag_belastningsregistret",
                "registerutdrag_misstankeregistret",
                "referens",
                "godkannande",
                "avtal",
            ],
        ),
        (
            Status.avslutad,
            ALL_POSITIVE,
            (date(2026, 1, 1), date(2026, 12, 31)),
            date(2026, 5, 1),
            ["godkannande"],
        ),
    ],
)
def test_missing_for_uppdrag(status, latest, avtal, dag, saknas) -> None:  # type: ignore[no-untyped-def]
    got = missing_for_uppdrag(status=status, latest=latest, avtal_fran=avtal[0], avtal_till=avtal[1], dag=dag)
    assert got == saknas
