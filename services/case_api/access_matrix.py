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
# Kontaktfamiljer: the staff of the recruiting enhet (the service checks the enhet); approving
# or ending a family is a decision for the arbetsledare or enhetschef.
KONTAKTFAMILJ_STAFF = frozenset({Role.handlaggare, Role.arbetsledare, Role.enhetschef, Role.utforare})
KONTAKTFAMILJ_DECIDERS = frozenset({Role.arbetsledare, Role.enhetschef})

MATRIX: dict[str, frozenset[Role]] = {
    "who_am_i": ALL_ROLES,
    "list_regler": ALL_ROLES,
    "get_regel": ALL_ROLES,
    # avvikelser
    "lista_orsakskategorier": STAFF,
    "registrera_avvikelse": STAFF,
    "lista_avvikelser": AVVIKELSE_HANDLERS,
    "hamta_avvikelse": AVVIKELSE_HANDLERS,
    "utred_avvikelse": AVVIKELSE_HANDLERS,
    "besluta_ivo_avvikelse": AVVIKELSE_HANDLERS,
    "avsluta_avvikelse": AVVIKELSE_HANDLERS,
    # kontaktfamiljer
    "registrera_kontaktfamilj": KONTAKTFAMILJ_STAFF,
    "lista_kontaktfamiljer": KONTAKTFAMILJ_STAFF,
    "hamta_kontaktfamilj": KONTAKTFAMILJ_STAFF,
    "registrera_utredningssteg": KONTAKTFAMILJ_STAFF,
    "registrera_avtal": KONTAKTFAMILJ_STAFF,
    "godkann_kontaktfamilj": KONTAKTFAMILJ_DECIDERS,
    "avsluta_kontaktfamilj": KONTAKTFAMILJ_DECIDERS,
    # rapporter
    "avvikelse_sammanstallning": AVVIKELSE_HANDLERS,
}
