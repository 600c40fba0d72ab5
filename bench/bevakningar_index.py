"""The bevakning list and the deadline sweep at a million bevakningar: plans and timings.

Fills a fresh, migrated case_api database with N bevakningar (default 1,000,000) over ~50
enheter (generate_series, one INSERT per table), ANALYZEs, then connects as the *application
role* with the request's scope set (row-level security active, as in a request) and runs
EXPLAIN (ANALYZE, BUFFERS) on the exact SQL the API builds for

  - GET /v1/bevakningar?forfaller_fore=...               (a handläggare of one enhet)
  - GET /v1/bevakningar?forfaller_fore=...&status=oppen  (the same, open ones only)
  - GET /v1/bevakningar?forfaller_fore=...               (an utförare)
  - the deadline sweep's claim (`nasta_larm <= today`, system scope)

each as a custom plan (literal values) and, for the list, as the generic plan a long-lived
prepared statement may switch to. Prints the plans and the median of 5 warm runs.

    .venv/bin/python bench/bevakningar_index.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres \
        [--rows 1000000] [--enheter 50] [--keep]
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "services")]

from case_api.bevakning import sweep  # noqa: E402
from case_api.bevakning.repository import BevakningFilter, list_sql  # noqa: E402
from case_api.kontext import SYSTEM_SCOPE, Scope  # noqa: E402
from case_api.regler import datum  # noqa: E402
from devstack.databases import drop_database, ensure_database  # noqa: E402
from devstack.migrate import upgrade  # noqa: E402

FILL_SQL = """
INSERT INTO person (id, identitet_typ, personnummer, fodelsedatum, skapad_av_enhet, created_at)
SELECT md5('p' || n)::uuid, 'okand', NULL, date '2015-01-01' + (n % 3000),
       'bou-' || (n % {enheter} + 1), now()
FROM generate_series(1, {arenden}) n;

INSERT INTO person_uppgifter (id, person_id, kalla, enhet, fornamn, efternamn, skyddad_identitet, kontakt,
                              created_at, updated_at)
SELECT gen_random_uuid(), md5('p' || n)::uuid, 'enhet', 'bou-' || (n % {enheter} + 1), 'Bench', 'Barn', false,
       '{{}}', now(), now()
FROM generate_series(1, {arenden}) n;

INSERT INTO arende (id, person_id, enhet, typ, handlaggare, status, oppnat_at, version)
SELECT md5('a' || n)::uuid, md5('p' || n)::uuid, 'bou-' || (n % {enheter} + 1), 'barn',
       'hl-' || (n % ({enheter} * 8)), 'oppet', now(), 1
FROM generate_series(1, {arenden}) n;

-- Due dates spread from 500 days back to 230 ahead. What is past is mostly met (or late: the
-- sweep has marked it), what is ahead mostly open with its next alert 7 days before the date.
INSERT INTO bevakning (id, typ, arende_id, enhet, handlaggare, utforare, objekt_typ, objekt_id, startdatum,
                       forfallodatum, status, uppfylld_at, uppfylld_datum, avbruten_orsak, paminnelser,
                       nasta_larm, version, created_at)
SELECT gen_random_uuid(), (ARRAY['skyddsbedomning','forhandsbedomning','utredning','verkstallighet',
                                 'genomforandeplan','uppfoljning'])[1 + r.n % 6],
       md5('a' || a)::uuid, 'bou-' || (a % {enheter} + 1), 'hl-' || (a % ({enheter} * 8)),
       CASE WHEN r.n % 3 = 0 THEN 'ov-' || (a % 40 + 1) END,
       'aktualisering', gen_random_uuid(), due - 14, due,
       s.status, CASE WHEN s.status = 'uppfylld' THEN now() END,
       CASE WHEN s.status = 'uppfylld' THEN due - 1 END,
       CASE WHEN s.status = 'avbruten' THEN 'bench' END, ARRAY[7, 1],
       CASE WHEN s.status = 'oppen' THEN greatest(due - 7, date '{today}' - 1) END, 1, now()
FROM (SELECT n, 1 + (n * 7919) % {arenden} AS a, date '{today}' - 500 + ((n * 104729) % 731)::int AS due,
             random() AS x
      FROM generate_series(1::bigint, {rows}) n) r
CROSS JOIN LATERAL (SELECT CASE
    WHEN r.due < date '{today}' THEN (CASE WHEN r.x < 0.85 THEN 'uppfylld' WHEN r.x < 0.95 THEN 'forsenad'
                                          ELSE 'avbruten' END)
    ELSE (CASE WHEN r.x < 0.70 THEN 'oppen' WHEN r.x < 0.95 THEN 'uppfylld' ELSE 'avbruten' END)
END AS status) s;
"""


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def api_sql(scope: Scope, f: BevakningFilter, *, literal: bool) -> tuple[str, list[Any]]:
    """The list query exactly as GET /v1/bevakningar sends it for this scope (page of 100 + 1)."""
    sql, args = list_sql(scope, f, after=None, limit=101)
    if not literal:
        return sql, args
    for n in range(len(args), 0, -1):  # $10 before $1
        sql = sql.replace(f"${n}", sql_literal(args[n - 1]))
    return sql, []


def compile_sql(query: Any, *, literal: bool) -> tuple[str, list[Any]]:
    if literal:
        return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})), []
    compiled = query.compile(dialect=postgresql.asyncpg.dialect())  # type: ignore[attr-defined]
    return str(compiled), [compiled.params[name] for name in compiled.positiontup]


async def set_scope(conn: asyncpg.Connection, scope: Scope) -> None:
    await conn.execute(
        "SELECT set_config('app.enhet', $1, true), set_config('app.utforare', $2, true), "
        "set_config('app.alla', $3, true)",
        scope.enhet or "",
        scope.utforare or "",
        "on" if scope.alla else "off",
    )


async def explain(
    conn: asyncpg.Connection, scope: Scope, sql: str, args: list[Any], *, generic: bool = False, runs: int = 5
) -> tuple[str, float, int]:
    """(plan text of the last run, median execution ms, rows)."""
    times, plan, rows = [], "", 0
    for _ in range(runs):
        async with conn.transaction():
            await set_scope(conn, scope)
            if generic:
                await conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                await conn.execute(f"PREPARE q AS {sql}")
                placeholders = ", ".join(sql_literal(a) for a in args)
                target = f"EXECUTE q({placeholders})"
            else:
                target = sql
            lines = [r[0] for r in await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {target}")]
            if generic:
                await conn.execute("DEALLOCATE q")
        plan = "\n".join(lines)
        times.append(float(next(x for x in lines if x.startswith("Execution Time")).split()[2]))
        top = lines[0]
        rows = int(top.split("rows=")[-1].split()[0]) if "rows=" in top else 0
    return plan, statistics.median(times), rows


def sql_literal(value: Any) -> str:
    if isinstance(value, date | datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--enheter", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not args.admin_url:
        sys.exit("--admin-url (or TEST_DATABASE_URL) is required")
    today = datum.lokal_dag(datetime.now(UTC))
    name = f"bench_bevakning_{uuid.uuid4().hex[:8]}"
    db = await ensure_database(
        args.admin_url, name=name, owner_role="case_api_owner", app_role="case_api_app"
    )
    try:
        await asyncio.to_thread(upgrade, "case_api", db.owner_url, db.app_role)
        owner = await asyncpg.connect(dsn(db.owner_url))
        try:
            started = time.monotonic()
            await owner.execute(
                FILL_SQL.format(
                    rows=args.rows,
                    arenden=max(args.rows // 10, 1),
                    enheter=args.enheter,
                    today=today.isoformat(),
                )
            )
            filled = time.monotonic() - started
            await owner.execute("ANALYZE")
            stats = await owner.fetch(
                "SELECT status, count(*) FROM bevakning GROUP BY status ORDER BY status"
            )
            due_now = await owner.fetchval("SELECT count(*) FROM bevakning WHERE nasta_larm <= $1", today)
            size = await owner.fetchval("SELECT pg_size_pretty(pg_total_relation_size('bevakning'))")
            version = await owner.fetchval("SHOW server_version")
        finally:
            await owner.close()
        print(
            f"PostgreSQL {version}; {args.rows:,} bevakningar over {args.enheter} enheter "
            f"(filled in {filled:.0f} s; table with indexes {size}); today {today}"
        )
        print(
            "  "
            + ", ".join(f"{r['status']} {r['count']:,}" for r in stats)
            + f"; due for the sweep: {due_now:,}"
        )

        fore = today + timedelta(days=7)
        handlaggare = Scope(enhet="bou-17", utforare=None)
        utforare = Scope(enhet=None, utforare="ov-3")
        cases: list[tuple[str, Scope, BevakningFilter | None]] = [
            ("handläggare, forfaller_fore", handlaggare, BevakningFilter(forfaller_fore=fore)),
            (
                "handläggare, forfaller_fore, status=oppen",
                handlaggare,
                BevakningFilter(forfaller_fore=fore, status="oppen"),
            ),
            ("utförare, forfaller_fore", utforare, BevakningFilter(forfaller_fore=fore)),
            ("sweep claim (nasta_larm <= today), system", SYSTEM_SCOPE, None),
        ]
        app = await asyncpg.connect(dsn(db.app_url))
        try:
            assert await app.fetchval("SELECT current_user") == db.app_role
            for title, scope, f in cases:
                if f is None:
                    sql, params = compile_sql(sweep.due_query(today, 100), literal=True)
                else:
                    sql, params = api_sql(scope, replace(f), literal=True)
                plan, ms, rows = await explain(app, scope, sql, params)
                print(
                    f"\n### {title}: {rows} rows, median {ms:.3f} ms (custom plan)\n```\n{sql}\n\n{plan}\n```"
                )
                if f is not None and scope is handlaggare:
                    gsql, gparams = api_sql(scope, replace(f), literal=False)
                    plan, ms, rows = await explain(app, scope, gsql, gparams, generic=True)
                    print(f"\n### {title}: {rows} rows, median {ms:.3f} ms (generic plan)\n```\n{plan}\n```")
        finally:
            await app.close()
    finally:
        if not args.keep:
            await drop_database(args.admin_url, name)


if __name__ == "__main__":
    asyncio.run(main())
