"""Who may call which notifier operation (default deny; see case_api/access_matrix.py).

Subscriptions are administered by `system` (integrations, operators) and by an `enhetschef`
for their own enhet only (the service narrows them to it): the head of a unit decides who
outside the system is told about that unit's cases. Everything else is `system` only.

An integration's token (role `system`) also needs the operation's scope (`SYSTEM_SCOPES`,
checked with `scopes_required`): the role says "a machine", the scope which one. Only the
case_api relay holds `handelser:skriv`, so no other integration can put an event, and so a
webhook or an e-mail, into the notifier; a reporting integration scoped to `bevakningar:las`
reads neither the staff directory nor anyone's deliveries. Writing implies reading within a
resource (`*:hantera` also reads), so an operator needs one scope per resource.
"""

from common.auth import Role

ALL_ROLES = frozenset(Role)
SYSTEM = frozenset({Role.system})
SUBSCRIPTION_ADMINS = frozenset({Role.system, Role.enhetschef})

HANDELSER_SKRIV = "handelser:skriv"
PRENUMERATIONER_HANTERA = "prenumerationer:hantera"
MOTTAGARE_LAS = "mottagare:las"
MOTTAGARE_HANTERA = "mottagare:hantera"
LEVERANSER_LAS = "leveranser:las"
LEVERANSER_HANTERA = "leveranser:hantera"

MATRIX: dict[str, frozenset[Role]] = {
    "get_me": ALL_ROLES,
    "ingest_event": SYSTEM,
    "create_prenumeration": SUBSCRIPTION_ADMINS,
    "list_prenumerationer": SUBSCRIPTION_ADMINS,
    "get_prenumeration": SUBSCRIPTION_ADMINS,
    "update_prenumeration": SUBSCRIPTION_ADMINS,
    "disable_prenumeration": SUBSCRIPTION_ADMINS,
    "create_mottagare": SYSTEM,
    "list_mottagare": SYSTEM,
    "get_mottagare": SYSTEM,
    "update_mottagare": SYSTEM,
    "list_leveranser": SYSTEM,
    "get_leverans": SYSTEM,
    "replay_leverans": SYSTEM,
}

_PRENUMERATIONER = frozenset({PRENUMERATIONER_HANTERA})
_MOTTAGARE_LAS = frozenset({MOTTAGARE_LAS, MOTTAGARE_HANTERA})
_MOTTAGARE_SKRIV = frozenset({MOTTAGARE_HANTERA})
_LEVERANSER_LAS = frozenset({LEVERANSER_LAS, LEVERANSER_HANTERA})
_LEVERANSER_SKRIV = frozenset({LEVERANSER_HANTERA})

# One of these scopes for a `system` caller; an operation missing here is closed to `system`,
# an empty set opens it to every integration.
SYSTEM_SCOPES: dict[str, frozenset[str]] = {
    "get_me": frozenset(),
    "ingest_event": frozenset({HANDELSER_SKRIV}),
    "create_prenumeration": _PRENUMERATIONER,
    "list_prenumerationer": _PRENUMERATIONER,
    "get_prenumeration": _PRENUMERATIONER,
    "update_prenumeration": _PRENUMERATIONER,
    "disable_prenumeration": _PRENUMERATIONER,
    "create_mottagare": _MOTTAGARE_SKRIV,
    "list_mottagare": _MOTTAGARE_LAS,
    "get_mottagare": _MOTTAGARE_LAS,
    "update_mottagare": _MOTTAGARE_SKRIV,
    "list_leveranser": _LEVERANSER_LAS,
    "get_leverans": _LEVERANSER_LAS,
    "replay_leverans": _LEVERANSER_SKRIV,
}

ALL_SCOPES = frozenset(scope for scopes in SYSTEM_SCOPES.values() for scope in scopes)


WHO_MAY_CALL = "Who may call: "


def who_may_call(operation: str) -> str:
    """The sentence the OpenAPI description of `operation` carries, made from the two tables."""
    parts = []
    for role in sorted(MATRIX.get(operation, frozenset())):
        if role is Role.system:
            scopes = SYSTEM_SCOPES.get(operation)
            if scopes is None:
                continue
            needs = f" with scope {' or '.join(f'`{s}`' for s in sorted(scopes))}" if scopes else ""
            parts.append(f"`system`{needs}")
        elif role is Role.enhetschef and operation != "get_me":
            parts.append("`enhetschef` (own enhet only)")
        else:
            parts.append(f"`{role.value}`")
    if not parts:
        return f"{WHO_MAY_CALL}nobody (the operation is closed)."
    return WHO_MAY_CALL + ", ".join(parts) + "."
