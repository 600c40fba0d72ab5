"""The sealer hashes the text PostgreSQL gives it (sealer.PLAIN_COLUMNS); the verifier hashes the
typed values (kedja.row_hash). Rows sealed by one must verify by the other, for every value a
row can hold and whatever time zone the sealer's session runs in."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from case_api.audit import kedja
from case_api.audit.models import AuditLogg
from case_api.audit.sealer import seal_pending
from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.case_api.audit.conftest import T0, sealed_chain
from tests.case_api.audit.test_kedja import TRICKY

# A whole second (no microseconds: isoformat still writes .000000), an instant given in a
# half-hour offset, a leap day, a year with three digits, the last microsecond of a year.
INSTANTS = [
    datetime(2026, 11, 23, 9, 30, 15, tzinfo=UTC),
    datetime(2026, 11, 23, 9, 30, 15, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
    datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=14))),
    datetime(999, 1, 2, 3, 4, 5, 60, tzinfo=UTC),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def _rows() -> list[dict[str, object]]:
    """Rows of every shape: the instants above, each tricky text, NULLs and an empty list."""
    rows: list[dict[str, object]] = []
    for n, at in enumerate(INSTANTS):
        rows.append(_row(at, objekt_id=uuid.uuid4(), person_id=None if n % 2 else uuid.uuid4()))
    # PostgreSQL's text cannot hold NUL (no row has one); every other tricky character.
    for text in (t for t in TRICKY if t != "\x00"):
        rows.append(
            _row(T0, sub=f"u{text}", roller=[text, "handlaggare"], skal=f"s{text}", request_id=text or None)
        )
    rows.append(_row(T0, roller=[], enhet=None, objekt_id=None, arende_id=uuid.uuid4()))
    return rows


def _row(at: datetime, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "at": at,
        "sub": "anna",
        "roller": ["handlaggare"],
        "enhet": "bou-1",
        "utforare": "utf-1",
        "handling": "las",
        "objekt_typ": "arende",
        "objekt_id": None,
        "person_id": None,
        "arende_id": None,
        "skal": None,
        "request_id": None,
        "utfall": "tillaten",
    }
    return base | fields


async def test_rows_sealed_from_postgres_text_verify_from_typed_values(
    committed_engine: AsyncEngine, committed_case_db: ServiceDatabase
) -> None:
    async with committed_engine.begin() as conn:
        await conn.execute(insert(AuditLogg.__table__), _rows())  # type: ignore[attr-defined]
    # The sealer's session in a zone with a half-hour offset and another date style: neither may
    # change the form it hashes.
    sealer_engine = make_engine(
        committed_case_db.app_url,
        pool_size=1,
        connect_args={"server_settings": {"TimeZone": "America/St_Johns", "DateStyle": "SQL, DMY"}},
    )
    try:
        assert await seal_pending(sealer_engine, now=T0) == len(_rows())
    finally:
        await sealer_engine.dispose()
    chain = await sealed_chain(committed_engine)
    assert len(chain) == len(_rows())
    for entry in chain:
        assert entry.hash == kedja.row_hash(entry.prev_hash, entry._mapping), entry.position
