"""The case file is read by arende_id from every one of its tables in one statement
(arenden/repository.las_akt): each must have an index that starts with arende_id, or that part
of every GET /v1/arenden/{id} reads the whole table."""

import asyncpg

from case_api.arenden.repository import AKT
from devstack.databases import ServiceDatabase

LEADING_ARENDE_ID = """
SELECT DISTINCT t.relname FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
WHERE a.attname = 'arende_id' AND i.indpred IS NULL AND t.relname = ANY($1::text[])
"""


async def test_every_case_file_table_has_an_index_on_arende_id(committed_case_db: ServiceDatabase) -> None:
    tables = [model.__tablename__ for model in AKT]  # type: ignore[attr-defined]
    conn = await asyncpg.connect(
        committed_case_db.owner_url.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        indexed = {row["relname"] for row in await conn.fetch(LEADING_ARENDE_ID, tables)}
    finally:
        await conn.close()
    assert sorted(set(tables) - indexed) == []
