"""Who may call which notifier operation (default deny; see case_api/access_matrix.py)."""

from common.auth import Role

ALL_ROLES = frozenset(Role)
SYSTEM = frozenset({Role.system})

MATRIX: dict[str, frozenset[Role]] = {
    "who_am_i": ALL_ROLES,
    "ingest_event": SYSTEM,
}
