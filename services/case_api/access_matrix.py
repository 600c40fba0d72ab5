"""Who may call which operation: the role x operation matrix, as data.

Keys are operation ids (the route function names). An operation missing here is refused for
everyone (default deny), and tests/case_api/test_access_matrix.py walks the OpenAPI spec so a
new endpoint without a row fails the build.
"""

from common.auth import Role

ALL_ROLES = frozenset(Role)
CASE_WORKERS = frozenset({Role.handlaggare, Role.arbetsledare})
UNIT_READERS = CASE_WORKERS | {Role.enhetschef}
# Everyone on staff must be able to report an avvikelse (seed 002, 3.1.5); the
# kvalitetssamordnare (all units) and the enhetschef (own unit) investigate and decide.
STAFF = frozenset(Role) - {Role.system}
AVVIKELSE_HANDLERS = frozenset({Role.kvalitetssamordnare, Role.enhetschef})

MATRIX: dict[str, frozenset[Role]] = {
    "who_am_i": ALL_ROLES,
    # avvikelser
    "lista_orsakskategorier": STAFF,
    "registrera_avvikelse": STAFF,
    "lista_avvikelser": AVVIKELSE_HANDLERS,
    "hamta_avvikelse": AVVIKELSE_HANDLERS,
    "utred_avvikelse": AVVIKELSE_HANDLERS,
    "besluta_ivo_avvikelse": AVVIKELSE_HANDLERS,
    "avsluta_avvikelse": AVVIKELSE_HANDLERS,
    # rapporter
    "avvikelse_sammanstallning": AVVIKELSE_HANDLERS,
}
