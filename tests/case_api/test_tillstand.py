"""Every (state, command) pair of every state machine, table-driven, no database.

The expected tables below are written out by hand from DESIGN.md and issue 3, not read from
tillstand.py, so a change to a machine has to be made (and argued for) in both places.
"""

from itertools import product

import pytest

from case_api import tillstand
from case_api.tillstand import OgiltigOvergang, krav, slutlagen, tillatna

E = dict[str, dict[str, set[str]]]

EXPECTED: dict[str, E] = {
    "aktualisering": {
        "inkommen": {
            "skyddsbedomning": {"skyddsbedomd"},
            "anslut": {"ansluten"},
            "forlangning": {"inkommen"},
        },
        "skyddsbedomd": {
            "forhandsbedomning": {"utredning_inledd", "ej_utredning"},
            "anslut": {"ansluten_skyddsbedomd"},
            "forlangning": {"skyddsbedomd"},
        },
        "ansluten": {"skyddsbedomning": {"ansluten_skyddsbedomd"}},
        "ansluten_skyddsbedomd": {},
        "registrerad": {"forhandsbedomning": {"utredning_inledd", "ej_utredning"}, "anslut": {"ansluten"}},
        "utredning_inledd": {},
        "ej_utredning": {},
    },
    "utredning": {
        "pagaende": {"forlangning": {"pagaende"}, "avslut": {"avslutad"}},
        "avslutad": {},
    },
    "insats": {
        "beslutad": {
            "uppdrag": {"beslutad"},
            "verkstallighet": {"verkstalld"},
            "ej_verkstallt": {"ej_verkstalld"},
            "avslut": {"avslutad"},
        },
        "ej_verkstalld": {
            "uppdrag": {"ej_verkstalld"},
            "verkstallighet": {"verkstalld"},
            "ej_verkstallt": {"ej_verkstalld"},
            "avslut": {"avslutad"},
        },
        "verkstalld": {"avbrott": {"avbruten"}, "avslut": {"avslutad"}, "omprovning": {"verkstalld"}},
        "avbruten": {"verkstallighet": {"verkstalld"}, "ej_verkstallt": {"avbruten"}, "avslut": {"avslutad"}},
        "pagaende_service": {"avslut": {"avslutad"}},
        "avslutad": {},
    },
    "uppdrag": {
        "skickat": {
            "mottagande": {"mottaget", "avbojt"},
            "avslut": {"avslutat"},
            "aterkallelse": {"aterkallat"},
        },
        "mottaget": {
            "verkstallighet": {"verkstallt"},
            "ej_verkstallt": {"ej_verkstallt"},
            "avslut": {"avslutat"},
            "aterkallelse": {"aterkallat"},
        },
        "ej_verkstallt": {
            "verkstallighet": {"verkstallt"},
            "avslut": {"avslutat"},
            "aterkallelse": {"aterkallat"},
        },
        "verkstallt": {
            "genomforandeplan": {"verkstallt"},
            "uppfoljning": {"verkstallt"},
            "forandrade_behov": {"verkstallt"},
            "ej_verkstallt": {"avbrutet"},
            "ej_nyttjad": {"verkstallt"},
            "avslut": {"avslutat"},
            "aterkallelse": {"aterkallat"},
        },
        "avbrutet": {
            "verkstallighet": {"verkstallt"},
            "forandrade_behov": {"avbrutet"},
            "avslut": {"avslutat"},
            "aterkallelse": {"aterkallat"},
        },
        "avbojt": {},
        "avslutat": {},
        "aterkallat": {},
    },
    "genomforandeplan": {
        "utkast": {"faststallande": {"faststalld"}, "ersatt": {"ersatt"}},
        "faststalld": {"ersatt": {"ersatt"}},
        "ersatt": {},
    },
    "aterkoppling": {"begard": {"lamna": {"lamnad", "ej_lamnad"}}, "lamnad": {}, "ej_lamnad": {}},
    "omprovning": {"oppen": {"avslut": {"avslutad"}}, "avslutad": {}},
    "sip": {"aktiv": {"uppfoljning": {"aktiv", "avslutad"}}, "avslutad": {}},
    "arende": {"oppet": {"avslut": {"avslutat"}, "andring": {"oppet"}}, "avslutat": {}},
    "bevakning": {
        "oppen": {
            "uppfyll": {"uppfylld"},
            "forsena": {"forsenad"},
            "avbryt": {"avbruten"},
            "flytta": {"oppen"},
        },
        "forsenad": {"uppfyll": {"uppfylld"}, "avbryt": {"avbruten"}, "flytta": {"oppen", "forsenad"}},
        "uppfylld": {},
        "avbruten": {},
    },
}

# Where each object starts (the services' START_STATE and defaults).
STARTS = {
    "aktualisering": {"inkommen", "registrerad", "utredning_inledd"},
    "utredning": {"pagaende"},
    "insats": {"beslutad", "pagaende_service"},
    "uppdrag": {"skickat"},
    "genomforandeplan": {"utkast"},
    "aterkoppling": {"begard"},
    "omprovning": {"oppen"},
    "sip": {"aktiv"},
    "arende": {"oppet"},
    "bevakning": {"oppen"},
}


def commands(objekt: str) -> list[str]:
    return sorted({c for cmds in EXPECTED[objekt].values() for c in cmds} | {"okant_kommando"})


PAIRS = [
    (objekt, state, command)
    for objekt, table in EXPECTED.items()
    for state, command in product(sorted(table), commands(objekt))
]


def test_the_machines_are_the_expected_ones() -> None:
    assert set(tillstand.MASKINER) == set(EXPECTED)
    for objekt, table in EXPECTED.items():
        actual = {s: {c: set(t) for c, t in cmds.items()} for s, cmds in tillstand.MASKINER[objekt].items()}
        assert actual == table, objekt


@pytest.mark.parametrize(("objekt", "state", "command"), PAIRS, ids=lambda v: str(v))
def test_every_state_and_command(objekt: str, state: str, command: str) -> None:
    targets = EXPECTED[objekt][state].get(command)
    if targets is None:
        with pytest.raises(OgiltigOvergang) as refused:
            krav(objekt, state, command)
        error = refused.value
        assert error.status == 409
        assert error.problem_type() == "urn:handlaggning:problem:invalid-transition"
        assert error.extensions["tillstand"] == state
        assert error.extensions["objekt"] == objekt
        assert error.extensions["kommando"] == command
        assert error.extensions["tillatna_kommandon"] == sorted(EXPECTED[objekt][state])
        assert state in str(error.detail)
        # Naming a target does not sneak a refused command through.
        for target in EXPECTED[objekt]:
            with pytest.raises(OgiltigOvergang):
                krav(objekt, state, command, target)
        return
    if len(targets) == 1:
        assert krav(objekt, state, command) == next(iter(targets))
    else:
        # A command with a choice of outcomes must be told which one.
        with pytest.raises(ValueError, match="explicit target"):
            krav(objekt, state, command)
    for target in EXPECTED[objekt]:
        if target in targets:
            assert krav(objekt, state, command, target) == target
        else:
            with pytest.raises(OgiltigOvergang) as refused:
                krav(objekt, state, command, target)
            assert refused.value.extensions["tillatna_kommandon"] == sorted(EXPECTED[objekt][state])


@pytest.mark.parametrize("objekt", sorted(EXPECTED))
def test_tillatna_lists_the_commands_of_each_state(objekt: str) -> None:
    for state, cmds in EXPECTED[objekt].items():
        assert tillatna(objekt, state) == sorted(cmds)
    assert tillatna(objekt, "no_such_state") == []


def test_an_unknown_state_refuses_everything() -> None:
    with pytest.raises(OgiltigOvergang) as refused:
        krav("utredning", "no_such_state", "avslut")
    assert refused.value.extensions["tillatna_kommandon"] == []


@pytest.mark.parametrize("objekt", sorted(EXPECTED))
def test_targets_are_states_and_every_state_is_reachable(objekt: str) -> None:
    table = EXPECTED[objekt]
    for cmds in table.values():
        for targets in cmds.values():
            assert targets <= set(table)
    seen, frontier = set(STARTS[objekt]), list(STARTS[objekt])
    while frontier:
        for targets in table[frontier.pop()].values():
            for t in targets - seen:
                seen.add(t)
                frontier.append(t)
    assert seen == set(table), f"unreachable in {objekt}: {set(table) - seen}"


@pytest.mark.parametrize("objekt", sorted(EXPECTED))
def test_end_states_accept_nothing(objekt: str) -> None:
    ends = {
        "avslutad",
        "avslutat",
        "avbojt",
        "aterkallat",
        "ersatt",
        "uppfylld",
        "avbruten",
        "ansluten_skyddsbedomd",
        "utredning_inledd",
        "ej_utredning",
    }
    for state in set(EXPECTED[objekt]) & ends:
        if objekt == "insats" and state == "avbruten":
            continue  # an interrupted insats resumes; only the bevakning's avbruten is final
        assert tillatna(objekt, state) == [], (objekt, state)


def test_an_uppdrags_end_states_are_those_without_commands() -> None:
    # One list for everything that asks "has the uppdrag ended?" (its active uppdrag, the
    # journal, the utförare's access): a new end state joins it without a second edit.
    assert slutlagen("uppdrag") == {"avbojt", "avslutat", "aterkallat"}
    assert slutlagen("omprovning") == {"avslutad"}
