"""The state machines of the case lifecycle, as data.

Each machine maps a state to the commands it accepts and the states each command may lead
to. Services ask `krav(...)` before they change anything, so a command that does not fit the
object's state is refused with 409 naming the state and the commands it accepts.
"""

from collections.abc import Mapping
from typing import Any

from common.problems import Conflict

Maskin = Mapping[str, Mapping[str, frozenset[str]]]


def _m(table: dict[str, dict[str, tuple[str, ...]]]) -> Maskin:
    return {
        state: {cmd: frozenset(targets) for cmd, targets in cmds.items()} for state, cmds in table.items()
    }


AKTUALISERING: Maskin = _m(
    {
        # anmälan: protection is assessed the same day, then the förhandsbedömning decides.
        # Until the förhandsbedömning is decided, its time may be extended for synnerliga skäl.
        "inkommen": {
            "skyddsbedomning": ("skyddsbedomd",),
            "anslut": ("ansluten",),
            "forlangning": ("inkommen",),
        },
        "skyddsbedomd": {
            "forhandsbedomning": ("utredning_inledd", "ej_utredning"),
            "anslut": ("ansluten_skyddsbedomd",),
            "forlangning": ("skyddsbedomd",),
        },
        # An anmälan about a child whose utredning is already open joins it: no förhandsbedömning.
        "ansluten": {"skyddsbedomning": ("ansluten_skyddsbedomd",)},
        "ansluten_skyddsbedomd": {},
        # övrig information: no skyddsbedömning, but it may still lead to an utredning.
        "registrerad": {"forhandsbedomning": ("utredning_inledd", "ej_utredning"), "anslut": ("ansluten",)},
        "utredning_inledd": {},
        "ej_utredning": {},
    }
)

UTREDNING: Maskin = _m(
    {
        "pagaende": {"forlangning": ("pagaende",), "avslut": ("avslutad",)},
        "avslutad": {},
    }
)

INSATS: Maskin = _m(
    {
        "beslutad": {
            "uppdrag": ("beslutad",),
            "verkstallighet": ("verkstalld",),
            "ej_verkstallt": ("ej_verkstalld",),
            "avslut": ("avslutad",),
        },
        "ej_verkstalld": {
            "uppdrag": ("ej_verkstalld",),
            "verkstallighet": ("verkstalld",),
            "ej_verkstallt": ("ej_verkstalld",),
            "avslut": ("avslutad",),
        },
        "verkstalld": {"avbrott": ("avbruten",), "avslut": ("avslutad",), "omprovning": ("verkstalld",)},
        "avbruten": {
            "verkstallighet": ("verkstalld",),
            "ej_verkstallt": ("avbruten",),
            "avslut": ("avslutad",),
        },
        # A serviceinsats starts at once and the family ends it.
        "pagaende_service": {"avslut": ("avslutad",)},
        "avslutad": {},
    }
)

# The beställare may withdraw (aterkallelse) an uppdrag at any point before it ended; once
# declined, ended or withdrawn nothing more happens to it (its end states have no commands).
UPPDRAG: Maskin = _m(
    {
        "skickat": {
            "mottagande": ("mottaget", "avbojt"),
            "avslut": ("avslutat",),
            "aterkallelse": ("aterkallat",),
        },
        "mottaget": {
            "verkstallighet": ("verkstallt",),
            "ej_verkstallt": ("ej_verkstallt",),
            "avslut": ("avslutat",),
            "aterkallelse": ("aterkallat",),
        },
        "ej_verkstallt": {
            "verkstallighet": ("verkstallt",),
            "avslut": ("avslutat",),
            "aterkallelse": ("aterkallat",),
        },
        "verkstallt": {
            "genomforandeplan": ("verkstallt",),
            "uppfoljning": ("verkstallt",),
            "forandrade_behov": ("verkstallt",),
            "ej_verkstallt": ("avbrutet",),
            # Started, but not used for three months (seed 001): reported for omprövning.
            "ej_nyttjad": ("verkstallt",),
            "avslut": ("avslutat",),
            "aterkallelse": ("aterkallat",),
        },
        # Interrupted after it started: resumed by a new verkställighetsdatum.
        "avbrutet": {
            "verkstallighet": ("verkstallt",),
            "forandrade_behov": ("avbrutet",),
            "avslut": ("avslutat",),
            "aterkallelse": ("aterkallat",),
        },
        "avbojt": {},
        "avslutat": {},
        "aterkallat": {},
    }
)

GENOMFORANDEPLAN: Maskin = _m(
    {
        "utkast": {"faststallande": ("faststalld",), "ersatt": ("ersatt",)},
        "faststalld": {"ersatt": ("ersatt",)},
        "ersatt": {},
    }
)

# The anmälare's request for återkoppling (19 kap. 6 § SoL (2025:400)): given, or refused as
# olämplig with its reason.
ATERKOPPLING: Maskin = _m({"begard": {"lamna": ("lamnad", "ej_lamnad")}, "lamnad": {}, "ej_lamnad": {}})

# An omprövning ends once: with the new beslut, or with why none was needed.
OMPROVNING: Maskin = _m({"oppen": {"avslut": ("avslutad",)}, "avslutad": {}})

# A SIP is followed up, each time with the next date, until one sets none and it is finished.
SIP: Maskin = _m({"aktiv": {"uppfoljning": ("aktiv", "avslutad")}, "avslutad": {}})

ARENDE: Maskin = _m({"oppet": {"avslut": ("avslutat",), "andring": ("oppet",)}, "avslutat": {}})

BEVAKNING: Maskin = _m(
    {
        "oppen": {
            "uppfyll": ("uppfylld",),
            "forsena": ("forsenad",),
            "avbryt": ("avbruten",),
            "flytta": ("oppen",),
        },
        "forsenad": {"uppfyll": ("uppfylld",), "avbryt": ("avbruten",), "flytta": ("oppen", "forsenad")},
        "uppfylld": {},
        "avbruten": {},
    }
)

MASKINER: Mapping[str, Maskin] = {
    "aktualisering": AKTUALISERING,
    "utredning": UTREDNING,
    "insats": INSATS,
    "uppdrag": UPPDRAG,
    "genomforandeplan": GENOMFORANDEPLAN,
    "aterkoppling": ATERKOPPLING,
    "omprovning": OMPROVNING,
    "sip": SIP,
    "arende": ARENDE,
    "bevakning": BEVAKNING,
}


def slutlagen(objekt: str) -> frozenset[str]:
    """The states an object ends in: those that accept no command (an uppdrag declined, ended
    or withdrawn). Derived from the machine, so a new end state is one everywhere at once."""
    return frozenset(state for state, cmds in MASKINER[objekt].items() if not cmds)


class OgiltigOvergang(Conflict):
    slug, title = "invalid-transition", "The command does not fit the object's state"


def tillatna(objekt: str, tillstand: str) -> list[str]:
    """Every command the machine accepts in this state (the 409 of krav names them)."""
    return sorted(MASKINER[objekt].get(tillstand, {}))


# The endpoint of each command a client calls (`{id}`: the object's own id). The machines' other
# commands the service performs itself, as the consequence of one of these: an anmälan joins an
# open utredning (anslut), a change to the ärende (andring), the insats follows its uppdrag
# (verkstallighet, ej_verkstallt, avbrott, omprovning), the uppdrag ends with its insats
# (avslut), a plan is replaced by drafting its next version (ersatt).
ENDPOINTS: Mapping[str, Mapping[str, str]] = {
    "aktualisering": {
        "skyddsbedomning": "/v1/aktualiseringar/{id}/skyddsbedomning",
        "forhandsbedomning": "/v1/aktualiseringar/{id}/forhandsbedomning",
        "forlangning": "/v1/aktualiseringar/{id}/forlangning",
    },
    "utredning": {
        "forlangning": "/v1/utredningar/{id}/forlangning",
        "avslut": "/v1/utredningar/{id}/avslut",
    },
    "insats": {"uppdrag": "/v1/uppdrag", "avslut": "/v1/insatser/{id}/avslut"},
    "uppdrag": {
        "mottagande": "/v1/uppdrag/{id}/mottagande",
        "verkstallighet": "/v1/uppdrag/{id}/verkstallighet",
        "ej_verkstallt": "/v1/uppdrag/{id}/ej-verkstallt",
        "forandrade_behov": "/v1/uppdrag/{id}/forandrade-behov",
        "ej_nyttjad": "/v1/uppdrag/{id}/ej-nyttjad",
        "genomforandeplan": "/v1/uppdrag/{id}/genomforandeplaner",
        "uppfoljning": "/v1/uppdrag/{id}/uppfoljningar",
        "aterkallelse": "/v1/uppdrag/{id}/aterkallelse",
    },
    "genomforandeplan": {"faststallande": "/v1/genomforandeplaner/{id}/faststallande"},
    "sip": {"uppfoljning": "/v1/sip/{id}/uppfoljning"},
    "arende": {"avslut": "/v1/arenden/{id}/avslut"},
}


def anrop(objekt: str, tillstand: str, objekt_id: object) -> dict[str, list[Any]]:
    """What an object's answer offers its client: the commands it can call now
    (`tillatna_kommandon`) and, for each, the endpoint (`tillatna_anrop`, every one a POST)."""
    endpoints = ENDPOINTS.get(objekt, {})
    namn = [c for c in tillatna(objekt, tillstand) if c in endpoints]
    return {
        "tillatna_kommandon": namn,
        "tillatna_anrop": [
            {"kommando": c, "metod": "POST", "href": endpoints[c].format(id=objekt_id)} for c in namn
        ],
    }


def krav(objekt: str, tillstand: str, kommando: str, mal: str | None = None) -> str:
    """Check that `kommando` is accepted in `tillstand`; return the state it leads to."""
    targets = MASKINER[objekt].get(tillstand, {}).get(kommando)
    if not targets or (mal is not None and mal not in targets):
        raise OgiltigOvergang(
            f"{objekt} is {tillstand}; {kommando} is not accepted there.",
            objekt=objekt,
            tillstand=tillstand,
            kommando=kommando,
            tillatna_kommandon=tillatna(objekt, tillstand),
        )
    if mal is not None:
        return mal
    if len(targets) != 1:
        raise ValueError(f"{objekt}.{kommando} from {tillstand} needs an explicit target")
    return next(iter(targets))
