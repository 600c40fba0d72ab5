"""The relay's cost follows the backlog: with a long sent history the claim reads only the
partial indexes over unsent rows, never the whole history."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from case_api.relay.repository import _CLAIM
from common.db import make_engine

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("Plans", []):
        found.extend(_nodes(child))
    return found


async def test_claim_uses_partial_indexes_not_a_scan_of_history(committed_case_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_case_db.owner_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO outbox_event (id, type, subject, arende_id, data, occurred_at) "
                    "SELECT gen_random_uuid(), 'se.socialtjanst.test.handelse', 'x', "
                    "('00000000-0000-0000-0000-' || lpad((g % 5000)::text, 12, '0'))::uuid, '{}', now() "
                    "FROM generate_series(1, 50000) g"
                )
            )
            await conn.execute(text("UPDATE outbox_delivery SET status = 'sent' WHERE seq <= 49950"))
            await conn.execute(text("UPDATE outbox_delivery SET status = 'dead' WHERE seq = 49951"))
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE outbox_delivery"))
            await conn.execute(text("ANALYZE outbox_event"))
            plan = (
                await conn.execute(
                    text("EXPLAIN (FORMAT JSON) " + str(_CLAIM)),
                    {"now": NOW, "lease_until": NOW + timedelta(seconds=30), "owner": "x", "limit": 50},
                )
            ).scalar_one()
            await conn.rollback()
        nodes = _nodes(plan[0]["Plan"])
        indexes = {n.get("Index Name") for n in nodes}
        assert {"ix_outbox_delivery_pending", "ix_outbox_delivery_unsent_arende"} <= indexes, json.dumps(plan)
        assert not any(
            n.get("Node Type") == "Seq Scan" and n.get("Relation Name") in {"outbox_delivery", "outbox_event"}
            for n in nodes
        ), json.dumps(plan)
    finally:
        await engine.dispose()
