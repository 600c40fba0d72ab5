"""The deadline sweep against a real PostgreSQL with committed transactions: cases made through
the API, two sweepers at once while the clock crosses every threshold, restarts, and a sweep
that was down across several reminder days."""

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from case_api.bevakning.sweep import due_query, sweep_batch
from case_api.main import create_app
from case_api.settings import Settings
from common.clock import FrozenClock
from common.db import make_engine, make_session_factory
from tests.case_api.flow import ANMALAN, STHLM, Walk, at
from tests.conftest import asgi_client
from tests.helpers import BARNPERSPEKTIV

ALERTS = ("se.socialtjanst.bevakning.paminnelse", "se.socialtjanst.bevakning.forsenad")


@dataclass
class SweepEnv:
    db: Any
    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: FrozenClock
    walk: Walk
    owners: dict[str, str] = field(default_factory=dict)  # aktualisering id -> whose token

    async def day(self, text_: str) -> None:
        at(self.clock, f"{text_} 07:00")

    async def alerts(self) -> list[dict[str, Any]]:
        async with self.factory() as session:
            rows = await session.execute(
                text("SELECT type, data FROM outbox_event WHERE type = ANY(:t) ORDER BY seq"),
                {"t": list(ALERTS)},
            )
            return [{"type": r.type.rsplit(".", 1)[1], **r.data} for r in rows]

    async def anmalan(self, enhet: str) -> str:
        created = await self.walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"enhet": enhet}, expect=201
        )
        return str(created.json()["id"])

    async def skyddsbedomning(self, akt_id: str) -> None:
        path = f"/v1/aktualiseringar/{akt_id}"
        await self.walk.command(
            self._who(akt_id),
            f"{path}/skyddsbedomning",
            path,
            {
                "bedomd_at": "2026-02-03T10:00:00+01:00",
                "omedelbart_skydd": False,
                "motivering": "Inga uppgifter om akut fara.",
            },
        )

    async def forhandsbedomning(self, akt_id: str, datum_: str) -> None:
        path = f"/v1/aktualiseringar/{akt_id}"
        await self.walk.command(
            self._who(akt_id),
            f"{path}/forhandsbedomning",
            path,
            {"beslut": "inled_utredning", "beslutsdatum": datum_, "motivering": "Behov."},
        )

    def _who(self, akt_id: str) -> str:
        return self.owners[akt_id]


@pytest.fixture
async def env(committed_case_db, case_settings, token) -> AsyncIterator[SweepEnv]:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_case_db.app_url, pool_size=5)
    clock = FrozenClock(datetime(2026, 2, 3, 10, 0, tzinfo=STHLM))
    app = create_app(case_settings, engine=engine)
    app.state.clock = clock
    tokens = {
        f"handlaggare-{e}": token("handlaggare", sub=f"anna-{e}", enhet=e)
        for e in ("bou-1", "bou-2", "bou-3")
    }
    async with asgi_client(app) as client:
        walk = Walk(client, tokens | {"handlaggare": tokens["handlaggare-bou-1"]})
        yield SweepEnv(committed_case_db, engine, make_session_factory(engine), case_settings, clock, walk)
    await engine.dispose()


async def make_cases(env: SweepEnv) -> dict[str, str]:
    """Three ärenden (one child at three units), all with an anmälan on Tuesday 2026-02-03:
    A: skyddsbedömning done; B: skyddsbedömning never done; C: done, förhandsbedömning on 02-12."""
    akt = {}
    for name, enhet in (("A", "bou-1"), ("B", "bou-2"), ("C", "bou-3")):
        env.walk.tokens["handlaggare"] = env.walk.tokens[f"handlaggare-{enhet}"]
        akt[name] = await env.anmalan(enhet)
        env.owners[akt[name]] = f"handlaggare-{enhet}"
    await env.skyddsbedomning(akt["A"])
    await env.skyddsbedomning(akt["C"])
    return akt


async def bevakning_ids(env: SweepEnv) -> dict[tuple[str, str], str]:
    async with env.factory() as session, session.begin():
        await session.execute(text("SELECT set_config('app.alla', 'on', true)"))
        rows = await session.execute(text("SELECT b.id, b.typ, b.enhet FROM bevakning b"))
        return {(r.enhet, r.typ): str(r.id) for r in rows}


async def sweep_until_idle(
    factory: async_sessionmaker[AsyncSession], settings: Settings, clock: FrozenClock
) -> None:
    while await sweep_batch(factory, settings, clock, limit=1):
        pass


async def test_two_sweepers_send_each_alert_exactly_once_across_days_and_restarts(env: SweepEnv) -> None:
    akt = await make_cases(env)
    ids = await bevakning_ids(env)
    second = make_engine(env.db.app_url, pool_size=3)
    factories = [env.factory, make_session_factory(second)]
    try:
        day = date(2026, 2, 3)
        while day <= date(2026, 2, 21):
            await env.day(day.isoformat())
            if day == date(2026, 2, 12):
                await env.forhandsbedomning(akt["C"], "2026-02-12")
            if day == date(2026, 2, 16):
                # Restart: both sweepers go away and new ones (new pools) take over, sweeping
                # this day twice over.
                await asyncio.gather(*(sweep_until_idle(f, env.settings, env.clock) for f in factories))
                await second.dispose()
                second = make_engine(env.db.app_url, pool_size=3)
                factories = [make_session_factory(second), make_session_factory(second)]
            await asyncio.gather(*(sweep_until_idle(f, env.settings, env.clock) for f in factories))
            day += timedelta(days=1)
    finally:
        await second.dispose()

    alerts = await env.alerts()
    seen = Counter((a["bevakning_id"], a["troskel"]) for a in alerts)
    assert all(n == 1 for n in seen.values()), seen
    got = sorted((a["enhet"], a["typ"], a["type"], a["troskel_dagar"]) for a in alerts)
    assert got == sorted(
        [
            ("bou-1", "forhandsbedomning", "paminnelse", 7),
            ("bou-1", "forhandsbedomning", "paminnelse", 1),
            ("bou-1", "forhandsbedomning", "forsenad", None),
            ("bou-2", "skyddsbedomning", "forsenad", None),
            ("bou-2", "forhandsbedomning", "paminnelse", 7),
            ("bou-2", "forhandsbedomning", "paminnelse", 1),
            ("bou-2", "forhandsbedomning", "forsenad", None),
            ("bou-3", "forhandsbedomning", "paminnelse", 7),  # met on 02-12: nothing after
        ]
    )
    # The met skyddsbedömningar (A, C) never alerted.
    assert not any(
        a["bevakning_id"] in (ids[("bou-1", "skyddsbedomning")], ids[("bou-3", "skyddsbedomning")])
        for a in alerts
    )
    by_key = {(a["enhet"], a["typ"], a["type"], a["troskel_dagar"]): a for a in alerts}
    late = by_key[("bou-1", "forhandsbedomning", "forsenad", None)]
    assert late["status"] == "forsenad" and late["forfallodatum"] == "2026-02-17"
    assert late["troskel"] == "forsenad:2026-02-17" and late["handlaggare"] == "anna-bou-1"
    assert by_key[("bou-2", "skyddsbedomning", "forsenad", None)]["forfallodatum"] == "2026-02-03"

    # Each alert went out on its day (the events carry the sweep clock's time).
    async with env.factory() as session:
        days = dict(
            (
                await session.execute(
                    text(
                        "SELECT data->>'troskel', min(occurred_at) FROM outbox_event WHERE type = ANY(:t) "
                        "AND data->>'enhet' = 'bou-1' GROUP BY 1"
                    ),
                    {"t": list(ALERTS)},
                )
            ).all()
        )
    assert {k: v.astimezone(STHLM).date().isoformat() for k, v in days.items()} == {
        "paminnelse_7:2026-02-17": "2026-02-10",
        "paminnelse_1:2026-02-17": "2026-02-16",
        "forsenad:2026-02-17": "2026-02-18",
    }
    b = await env.walk.bevakningar(await _arende_of(env, akt["A"]))
    assert b["forhandsbedomning"][0]["status"] == "forsenad"

    # Much later, from scratch: nothing is sent again.
    await env.day("2026-03-30")
    await sweep_until_idle(make_session_factory(env.engine), env.settings, env.clock)
    assert len(await env.alerts()) == len(alerts)


async def test_a_sweep_down_across_reminders_sends_only_the_nearest(env: SweepEnv) -> None:
    env.walk.tokens["handlaggare"] = env.walk.tokens["handlaggare-bou-1"]
    akt = await env.anmalan("bou-1")
    env.owners[akt] = "handlaggare-bou-1"
    await env.skyddsbedomning(akt)
    ids = await bevakning_ids(env)
    fhb = ids[("bou-1", "forhandsbedomning")]

    await env.day("2026-02-17")  # the due date: the 7- and 1-day reminders both passed
    await sweep_until_idle(env.factory, env.settings, env.clock)
    alerts = await env.alerts()
    assert [(a["type"], a["troskel_dagar"]) for a in alerts] == [("paminnelse", 1)]
    async with env.factory() as session:
        larm = dict(
            (
                await session.execute(
                    text("SELECT troskel, skickat FROM bevakning_larm WHERE bevakning_id = :b"), {"b": fhb}
                )
            ).all()
        )
    assert larm == {"paminnelse_7:2026-02-17": False, "paminnelse_1:2026-02-17": True}

    await env.day("2026-02-25")
    await sweep_until_idle(env.factory, env.settings, env.clock)
    alerts = await env.alerts()
    assert [(a["type"], a["troskel_dagar"]) for a in alerts] == [("paminnelse", 1), ("forsenad", None)]


async def _arende_of(env: SweepEnv, akt_id: str) -> str:
    env.walk.tokens["handlaggare"] = env.walk.tokens[env.owners[akt_id]]
    return str((await env.walk.get("handlaggare", f"/v1/aktualiseringar/{akt_id}")).json()["arende_id"])


async def test_the_sweep_query_reads_the_nasta_larm_index_not_the_table(env: SweepEnv) -> None:
    env.walk.tokens["handlaggare"] = env.walk.tokens["handlaggare-bou-1"]
    await env.anmalan("bou-1")
    owner = make_engine(env.db.owner_url, pool_size=1)
    try:
        async with owner.begin() as conn:
            # 100,000 bevakningar, 1 % open with an alert day spread over a year, the rest met.
            await conn.execute(
                text(
                    "INSERT INTO bevakning SELECT (jsonb_populate_record(b, jsonb_build_object("
                    " 'id', gen_random_uuid(),"
                    " 'status', CASE WHEN g % 100 = 0 THEN 'oppen' ELSE 'uppfylld' END,"
                    " 'nasta_larm', CASE WHEN g % 100 = 0 THEN date '2026-01-01' + (g / 100) % 365 END))).* "
                    "FROM bevakning b, generate_series(1, 100000) g WHERE b.typ = 'forhandsbedomning'"
                )
            )
        async with owner.connect() as conn:
            await conn.execute(text("ANALYZE bevakning"))
            sql = str(
                due_query(date(2026, 2, 1), 100).compile(
                    dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
                )
            )
            plan = (
                (await conn.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}"))).scalars().all()
            )
            await conn.rollback()
    finally:
        await owner.dispose()
    rendered = "\n".join(plan)
    print(rendered)
    # An index scan (plain, or bitmap for a small due set) of the partial index: only the due
    # rows are read, never the 100,000 stored.
    assert re.search(r"(Index Scan using|Bitmap Index Scan on) ix_bevakning_nasta_larm", rendered), rendered
    assert "Seq Scan" not in rendered
    rows_read = [
        int(n)
        for n in re.findall(r"Index Scan[^\n]*ix_bevakning_nasta_larm[^\n]*actual rows=(\d+)", rendered)
    ]
    assert rows_read and max(rows_read) <= 200, rendered


async def test_a_late_verkstallighet_reports_the_insats_ej_verkstalld(env: SweepEnv) -> None:
    env.walk.tokens["handlaggare"] = env.walk.tokens["handlaggare-bou-1"]
    akt = await env.anmalan("bou-1")
    env.owners[akt] = "handlaggare-bou-1"
    await env.skyddsbedomning(akt)
    await env.day("2026-02-10")
    await env.forhandsbedomning(akt, "2026-02-10")
    arende_id = await _arende_of(env, akt)
    utredning_id = (await env.walk.bevakningar(arende_id))["utredning"][0]["objekt_id"]
    await env.day("2026-03-02")
    u_path = f"/v1/utredningar/{utredning_id}"
    await env.walk.command(
        "handlaggare",
        f"{u_path}/avslut",
        u_path,
        {
            "avslutad_datum": "2026-03-02",
            "resultat": "beslut_om_insats",
            "motivering": "Klar.",
            "barnperspektiv": BARNPERSPEKTIV,
        },
    )
    beslut = (
        await env.walk.post(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": arende_id,
                "utredning_id": utredning_id,
                "utfall": "bifall",
                "insatstyp": "oppenvard",
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": "2026-03-02",
                "period_fran": "2026-03-02",
                "period_till": "2027-03-01",
                "beslutsfattare": "anna",
                "motivering": "Behov av stöd.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    insats_id = beslut["insats"]["id"]
    verk = (await env.walk.bevakningar(arende_id))["verkstallighet"][0]
    due = date.fromisoformat(verk["forfallodatum"])

    await env.day(due.isoformat())
    await sweep_until_idle(env.factory, env.settings, env.clock)
    insats = (await env.walk.get("handlaggare", f"/v1/insatser/{insats_id}")).json()
    assert insats["status"] == "beslutad"

    await env.day((due + timedelta(days=1)).isoformat())
    await asyncio.gather(*(sweep_until_idle(env.factory, env.settings, env.clock) for _ in range(2)))
    insats = (await env.walk.get("handlaggare", f"/v1/insatser/{insats_id}")).json()
    assert insats["status"] == "ej_verkstalld"
    assert (await env.walk.bevakningar(arende_id))["verkstallighet"][0]["status"] == "forsenad"
    async with env.factory() as session:
        types = (
            (
                await session.execute(
                    text("SELECT type FROM outbox_event WHERE arende_id = :a ORDER BY seq"), {"a": arende_id}
                )
            )
            .scalars()
            .all()
        )
    late = [t for t in types if t.endswith(("bevakning.forsenad", "insats.ej_verkstalld"))]
    # The verkställighet alert once, then the lifecycle's reaction, in that order.
    assert late[-2:] == ["se.socialtjanst.bevakning.forsenad", "se.socialtjanst.insats.ej_verkstalld"]
    assert types.count("se.socialtjanst.insats.ej_verkstalld") == 1
    # The system's finding opens an omprövning, dated for the handläggare, once.
    assert types.count("se.socialtjanst.omprovning.oppnad") == 1
    [ompr] = (
        await env.walk.get("handlaggare", "/v1/omprovningar", status="oppen", arende_id=arende_id)
    ).json()["items"]
    assert (ompr["anledning"], ompr["rapporterad_av"], ompr["oppnad_datum"]) == (
        "ej_verkstallt",
        "system:handlaggning",
        (due + timedelta(days=1)).isoformat(),
    )
    [ompr_bev] = (await env.walk.bevakningar(arende_id))["omprovning"]
    assert ompr_bev["id"] == ompr["bevakning_id"] and ompr_bev["forfallodatum"] == ompr["forfallodatum"]
    assert date.fromisoformat(ompr["forfallodatum"]) == due + timedelta(days=15)
