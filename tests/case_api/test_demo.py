"""`make demo` against a real server: it creates what it says, and a second run changes nothing."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from case_api.regler import datum, tabell
from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.conftest import REPO, TokenFactory
from tests.helpers import bearer
from tests.servers import running_service


def run_demo(base: str, data_dir: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "devstack.demo"],
        env={**os.environ, "CASE_API_URL": base, "DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def counts(db: ServiceDatabase) -> dict[str, int]:
    engine = make_engine(db.owner_url)
    try:
        async with engine.connect() as conn:
            return {
                t: int((await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one())
                for t in (
                    "arende",
                    "aktualisering",
                    "insats",
                    "uppdrag",
                    "genomforandeplan",
                    "bevakning",
                    "journalanteckning",
                    "omprovning",
                    "sip",
                    "outbox_event",
                )
            }
    finally:
        await engine.dispose()


@pytest.mark.slow
async def test_demo_loads_the_children_once(
    committed_case_db: ServiceDatabase, test_data_dir: Path, token: TokenFactory
) -> None:
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
        # The demo's öppenvård belongs to the nämnd, as in make run's embedded stack.
        "INTERNA_UTFORARE": "ov-1",
    }
    idag = datum.lokal_dag(datetime.now(UTC))
    with running_service("case_api.main:create_app", env) as base:
        out = run_demo(base, test_data_dir)
        first = await counts(committed_case_db)
        anna = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
        async with httpx.AsyncClient(base_url=base, headers=anna) as client:
            arenden = (await client.get("/v1/arenden")).json()["items"]
            bev = (await client.get("/v1/bevakningar", params={"status": "oppen", "limit": 500})).json()[
                "items"
            ]
            uppdrag = (await client.get("/v1/uppdrag")).json()["items"]
        # Every ärende it printed exists, and they are the enhet's ärenden.
        assert sorted(a["id"] for a in arenden) == sorted(
            re.findall(r"/v1/arenden/([0-9a-f-]{36})$", out, re.M)
        )
        assert sorted(a["typ"] for a in arenden) == ["barn"] * 6 + ["service"]
        assert f"{base}/v1/bevakningar?forfaller_till=" in out and f"{base}/docs" in out
        forhand = {b["forfallodatum"] for b in bev if b["typ"] == "forhandsbedomning"}
        assert any(d < idag.isoformat() for d in forhand), forhand  # one late
        soon = [d for d in forhand if idag.isoformat() < d <= (idag + timedelta(days=5)).isoformat()]
        assert soon, forhand  # one due within days
        assert any(b["typ"] == "skyddsbedomning" and b["forfallodatum"] == idag.isoformat() for b in bev)
        assert any(b["typ"] == "utredning" for b in bev)
        assert any(b["typ"] == "uppfoljning" for b in bev)  # the plan was established
        assert [u["status"] for u in uppdrag] == ["verkstallt", "verkstallt"]  # förändrade behov keeps it
        # The placed child's omprövning gave it a kontaktperson: a fourth insats.
        assert first["genomforandeplan"] == 1 and first["insats"] == 4
        # Journal entries on both sides, an omprövning open and one closed with a new beslut, a SIP.
        assert first["journalanteckning"] == 2 and first["omprovning"] == 2 and first["sip"] == 1
        links = dict(re.findall(rf"^  (\S.*?)\s+{re.escape(base)}(/v1/\S+)$", out, re.M))
        async with httpx.AsyncClient(base_url=base, headers=anna) as client:
            arende_journal = (await client.get(links["the ärende's journal (handläggare)"])).json()["items"]
            uppdrag_journal = (
                await client.get(links["the uppdrag's journal (utförare; the beställare reads)"])
            ).json()["items"]
            oppen = (await client.get(links["an omprövning from förändrade behov, open"])).json()
            stangd = (await client.get(links["an omprövning closed with a new beslut"])).json()
            sip = (await client.get(links["a SIP (socialtjänst, BUP, skola), uppföljning watched"])).json()
        assert [(e["forfattare_roll"], e["slag"]) for e in arende_journal] == [("handlaggare", "hembesok")]
        assert [(e["forfattare_roll"], e["slag"]) for e in uppdrag_journal] == [("utforare", "samtal")]
        assert (oppen["anledning"], oppen["status"], oppen["beslut_id"]) == (
            "forandrade_behov",
            "oppen",
            None,
        )
        assert (stangd["anledning"], stangd["status"]) == ("forandrade_behov", "avslutad")
        assert stangd["beslut_id"] is not None
        assert [b["objekt_id"] for b in bev if b["typ"] == "omprovning"] == [oppen["id"]]
        assert sip["status"] == "aktiv"
        assert [b["objekt_id"] for b in bev if b["typ"] == "sip_uppfoljning"] == [sip["id"]]
        assert f"{base}/v1/omprovningar?status=oppen" in out
        # The placed child: placed 100 days ago, its överväganden watched from that day.
        placerad = idag - timedelta(days=100)
        overvagande = [b for b in bev if b["typ"] == "overvagande"]
        assert [b["startdatum"] for b in overvagande] == [placerad.isoformat()]
        assert [b["startdatum"] for b in bev if b["typ"] == "vardnadsoverflyttning"] == [placerad.isoformat()]
        # Its vårdplan was drawn up on the beslut's day (met), its first revision is two years on.
        assert [b["startdatum"] for b in bev if b["typ"] == "vardplan_revidering"] == [placerad.isoformat()]
        assert not [b for b in bev if b["typ"] == "vardplan"]
        assert (
            overvagande[0]["forfallodatum"]
            == datum.forfallodatum(tabell.regel("overvagande"), placerad).isoformat()
        )

        again = run_demo(base, test_data_dir)
        assert "0 changes made now" in again
        assert await counts(committed_case_db) == first
