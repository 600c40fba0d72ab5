"""Who may call which operation: the role x operation matrix, as data.

Keys are operation ids (the route function names). An operation missing here is refused for
everyone (default deny), and tests/case_api/test_access_matrix.py walks the OpenAPI spec so a
new endpoint without a row fails the build.
"""

from common.auth import Role

ALL_ROLES = frozenset(Role)
CASE_WORKERS = frozenset({Role.handlaggare, Role.arbetsledare})
UNIT_READERS = CASE_WORKERS | {Role.enhetschef}

MATRIX: dict[str, frozenset[Role]] = {
    "who_am_i": ALL_ROLES,
    # Outbox relay operator view: integration operators hold `system`; case workers do not.
    "utkorg_status": frozenset({Role.system}),
    "list_dodsbrev": frozenset({Role.system}),
    "replay_dodsbrev": frozenset({Role.system}),
    "list_regler": ALL_ROLES,
    "get_regel": ALL_ROLES,
}
