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

UTFORARE = frozenset({Role.utforare})
UPPDRAG_READERS = UNIT_READERS | UTFORARE
LEDNING = frozenset({Role.arbetsledare})
# Integrations (role system) read what their token's scopes say, across every enhet.
SYSTEM = frozenset({Role.system})
ARENDEN_LAS = "arenden:las"
BEVAKNINGAR_LAS = "bevakningar:las"

MATRIX: dict[str, frozenset[Role]] = {
    "get_me": ALL_ROLES,
    # Intake: the handläggare registers and assesses; the enhetschef reads.
    "register_aktualisering": CASE_WORKERS,
    "get_aktualisering": UNIT_READERS | SYSTEM,
    # The mottagning's inbox.
    "list_aktualiseringar": UNIT_READERS,
    "record_skyddsbedomning": CASE_WORKERS,
    "decide_forhandsbedomning": CASE_WORKERS,
    # Extending it for synnerliga skäl is the arbetsledare's decision, as for the utredning.
    "extend_forhandsbedomning": LEDNING,
    "request_aterkoppling": CASE_WORKERS,
    "record_aterkoppling": CASE_WORKERS,
    # Ärenden: an arbetsledare also reassigns.
    "list_arenden": UNIT_READERS | SYSTEM,
    "get_arende": UNIT_READERS | SYSTEM,
    "list_arende_handelser": UNIT_READERS,
    "close_arende": CASE_WORKERS,
    "assign_arende": LEDNING,
    # Utredning: extensions are decided by the arbetsledare (issue 5).
    "get_utredning": UNIT_READERS,
    "extend_utredning": LEDNING,
    "close_utredning": CASE_WORKERS,
    # Beslut and insatser.
    "make_beslut": CASE_WORKERS,
    "get_beslut": UNIT_READERS,
    "get_insats": UNIT_READERS,
    "close_insats": CASE_WORKERS,
    # Placements: the nämnd's överväganden and the uppföljning after, recorded by its case workers.
    "record_overvagande": CASE_WORKERS,
    "record_efteruppfoljning": CASE_WORKERS,
    # The vårdplan is the nämnd's plan (9 kap. 12 § SoL): its case workers write it, the unit reads.
    "record_vardplan": CASE_WORKERS,
    "establish_vardplan": CASE_WORKERS,
    "list_vardplaner": UNIT_READERS,
    "start_serviceinsats": CASE_WORKERS,
    # Uppdrag: the beställare sends, the utförare answers and reports.
    "send_uppdrag": CASE_WORKERS,
    "list_uppdrag": UPPDRAG_READERS,
    "get_uppdrag": UPPDRAG_READERS,
    "receive_uppdrag": UTFORARE,
    "report_verkstallighet": UTFORARE,
    "report_ej_verkstallt": UTFORARE,
    "report_ej_nyttjad": UTFORARE,
    "report_forandrade_behov": UTFORARE,
    # The beställare withdraws what it sent (its enhet only: another's uppdrag is not there).
    "withdraw_uppdrag": CASE_WORKERS,
    # Omprövning: the beställare's task; the utförare reported, it does not reconsider.
    "list_omprovningar": UNIT_READERS,
    "get_omprovning": UNIT_READERS,
    "close_omprovning": CASE_WORKERS,
    # Genomförandeplan: written by the utförare with the child and guardians.
    "draft_genomforandeplan": UTFORARE,
    "get_genomforandeplan": UPPDRAG_READERS,
    "list_genomforandeplaner": UPPDRAG_READERS,
    "establish_genomforandeplan": UTFORARE,
    # Uppföljning: of the plan (utförare) and of the decision (handläggare).
    "record_uppfoljning": UTFORARE | CASE_WORKERS,
    "list_uppfoljningar": UPPDRAG_READERS,
    "list_bevakningar": UPPDRAG_READERS | SYSTEM,
    # Personer: masked per caller; an enhetschef grants access to a protected person (issue 5).
    "get_person": UNIT_READERS,
    "search_personer": UNIT_READERS,
    "grant_behorighet": frozenset({Role.enhetschef}),
    "withdraw_behorighet": frozenset({Role.enhetschef}),
    # Outbox relay operator view: integration operators hold `system`; case workers do not.
    "get_utkorg": frozenset({Role.system}),
    "list_dodsbrev": frozenset({Role.system}),
    "replay_dodsbrev": frozenset({Role.system}),
    "list_regler": ALL_ROLES,
    "get_regel": ALL_ROLES,
    "get_berakning": ALL_ROLES,  # reads nothing about any person
    # avvikelser
    "list_orsakskategorier": STAFF,
    "register_avvikelse": STAFF,
    "list_avvikelser": AVVIKELSE_HANDLERS,
    "get_avvikelse": AVVIKELSE_HANDLERS,
    "investigate_avvikelse": AVVIKELSE_HANDLERS,
    "decide_ivo_avvikelse": AVVIKELSE_HANDLERS,
    "close_avvikelse": AVVIKELSE_HANDLERS,
    # kontaktfamiljer
    "register_kontaktfamilj": KONTAKTFAMILJ_STAFF,
    "list_kontaktfamiljer": KONTAKTFAMILJ_STAFF,
    "get_kontaktfamilj": KONTAKTFAMILJ_STAFF,
    "record_utredningssteg": KONTAKTFAMILJ_STAFF,
    "record_avtal": KONTAKTFAMILJ_STAFF,
    "approve_kontaktfamilj": KONTAKTFAMILJ_DECIDERS,
    "close_kontaktfamilj": KONTAKTFAMILJ_DECIDERS,
    # rapporter
    "get_avvikelse_sammanstallning": AVVIKELSE_HANDLERS,
    "get_registerutdrag": frozenset({Role.kvalitetssamordnare}),
    "get_egenkontroll": AVVIKELSE_HANDLERS,
    "get_ivo_ej_verkstallda": AVVIKELSE_HANDLERS,
    # audit: loggkontroll is the kvalitetssamordnare's alone
    "verify_auditkedja": frozenset({Role.kvalitetssamordnare}),
    "search_auditlogg": frozenset({Role.kvalitetssamordnare}),
    "get_rapport_skyddade_personer": frozenset({Role.kvalitetssamordnare}),
    "get_rapport_manga_personer": frozenset({Role.kvalitetssamordnare}),
    # samtycke: recorded and withdrawn by the handläggare, read by the enhet
    "register_samtycke": CASE_WORKERS,
    "list_samtycken": UNIT_READERS,
    "withdraw_samtycke": CASE_WORKERS,
    # journal: the handläggare's of the ärende (not the utförare's to read), the utförare's of
    # the uppdrag (read by the beställare), journalgranskning by the kvalitetssamordnare.
    "create_arende_journalanteckning": CASE_WORKERS,
    "list_arende_journalanteckningar": UNIT_READERS,
    "create_uppdrag_journalanteckning": UTFORARE,
    "list_uppdrag_journalanteckningar": UPPDRAG_READERS,
    "list_journalanteckningar": frozenset({Role.kvalitetssamordnare}),
    # SIP: drawn up and followed up by the ärende's case workers, read by its enhetschef too.
    "create_sip": CASE_WORKERS,
    "list_arende_sip": UNIT_READERS,
    "get_sip": UNIT_READERS,
    "record_sip_uppfoljning": CASE_WORKERS,
}

# The scopes a system principal needs for the operations the matrix opens to it (any one of them).
# Without one: 403 scope-missing. The bevakningar of an ärende are part of reading the ärende.
SYSTEM_SCOPES: dict[str, frozenset[str]] = {
    "list_arenden": frozenset({ARENDEN_LAS}),
    "get_arende": frozenset({ARENDEN_LAS}),
    "get_aktualisering": frozenset({ARENDEN_LAS}),
    "list_bevakningar": frozenset({BEVAKNINGAR_LAS, ARENDEN_LAS}),
}
