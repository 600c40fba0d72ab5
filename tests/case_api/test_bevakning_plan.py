"""The bevakning list reads what it returns, as the application role with row-level security
on: the enhet's list is an ordered index scan that stops after a page, the status filter is
served by (enhet, status, forfallodatum, id), and no query reads rows it then throws away.
The 1,000,000-row figures are in docs/bench.md, from bench/bevakningar_index.py, whose fill
and exact API queries this test reuses at a smaller size."""

import json
from datetime import date, timedelta
from typing import Any

import asyncpg
from bench.bevakningar_index import FILL_SQL, api_sql, dsn, set_scope

from case_api.bevakning.repository import BevakningFilter
from case_api.kontext import Scope
from devstack.databases import ServiceDatabase

TODAY = date(2026, 11, 23)
FORE = TODAY + timedelta(days=7)
HANDLAGGARE = Scope(enhet="bou-3", utforare=None)
UTFORARE = Scope(enhet=None, utforare="ov-3")


def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("Plans", []):
        found.extend(nodes(child))
    return found


async def plan_of(conn: asyncpg.Connection, scope: Scope, f: BevakningFilter) -> list[dict[str, Any]]:
    sql, _ = api_sql(scope, f, literal=True)
    async with conn.transaction():
        await set_scope(conn, scope)
        plan = json.loads(await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
    return nodes(plan[0]["Plan"])


def scans(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's reads of bevakning (the page's ärenden are then looked up by primary key)."""
    return [
        n
        for n in found
        if n.get("Relation Name") == "bevakning" or n.get("Index Name", "").startswith("ix_bevakning")
    ]


def arende_lookups_only(found: list[dict[str, Any]]) -> bool:
    return all(n["Index Name"] == "pk_arende" for n in found if n.get("Relation Name") == "arende")


async def test_bevakning_list_plans(committed_case_db: ServiceDatabase) -> None:
    owner = await asyncpg.connect(dsn(committed_case_db.owner_url))
    try:
        await owner.execute(FILL_SQL.format(rows=60_000, arenden=6_000, enheter=5, today=TODAY.isoformat()))
        await owner.execute("ANALYZE")
    finally:
        await owner.close()
    conn = await asyncpg.connect(dsn(committed_case_db.app_url))
    try:
        # The enhet's list: read in (forfallodatum, id) order, stop after the page.
        found = await plan_of(conn, HANDLAGGARE, BevakningFilter(forfaller_fore=FORE))
        used = scans(found)
        assert [(n["Node Type"], n["Index Name"]) for n in used] == [
            ("Index Scan", "ix_bevakning_enhet_forfallo")
        ]
        assert not any(n["Node Type"] in ("Sort", "BitmapOr") for n in found), found
        assert not any(n["Node Type"] == "Seq Scan" for n in scans(found)), found
        assert used[0]["Actual Rows"] == 101 and used[0].get("Rows Removed by Filter", 0) == 0
        assert arende_lookups_only(found), found

        # With a status: the index holds the status, so only matching rows are read.
        for status in ("oppen", "forsenad"):
            found = await plan_of(conn, HANDLAGGARE, BevakningFilter(forfaller_fore=FORE, status=status))
            index_nodes = [n for n in scans(found) if n.get("Index Name")]
            assert {n["Index Name"] for n in index_nodes} == {"ix_bevakning_enhet_status_forfallo"}, found
            assert not any(n["Node Type"] in ("BitmapOr", "Seq Scan") for n in scans(found)), found
            assert all(n.get("Rows Removed by Filter", 0) == 0 for n in scans(found)), found
            assert found[0]["Actual Rows"] > 0

        # The utförare's list: its own index, exact (a bitmap and a sort of its rows; see docs/bench.md).
        found = await plan_of(conn, UTFORARE, BevakningFilter(forfaller_fore=FORE))
        assert {n["Index Name"] for n in scans(found) if n.get("Index Name")} == {
            "ix_bevakning_utforare_forfallo"
        }, found
        assert arende_lookups_only(found), found
        assert not any(n["Node Type"] in ("BitmapOr", "Seq Scan") for n in scans(found)), found
        assert all(n.get("Rows Removed by Filter", 0) == 0 for n in scans(found)), found
    finally:
        await conn.close()
