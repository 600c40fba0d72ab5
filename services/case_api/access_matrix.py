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
    # audit: loggkontroll is the kvalitetssamordnare's alone
    "verifiera_audit_kedja": frozenset({Role.kvalitetssamordnare}),
    "sok_audit_logg": frozenset({Role.kvalitetssamordnare}),
    "rapport_skyddade_personer": frozenset({Role.kvalitetssamordnare}),
    "rapport_manga_personer": frozenset({Role.kvalitetssamordnare}),
}
