"""Who may call which notifier operation (default deny; see case_api/access_matrix.py).

Subscriptions are administered by `system` (integrations, operators) and by an `enhetschef`
for their own enhet only (the service narrows them to it): the head of a unit decides who
outside the system is told about that unit's cases. Everything else is `system` only.
"""

from common.auth import Role

ALL_ROLES = frozenset(Role)
SYSTEM = frozenset({Role.system})
SUBSCRIPTION_ADMINS = frozenset({Role.system, Role.enhetschef})

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
