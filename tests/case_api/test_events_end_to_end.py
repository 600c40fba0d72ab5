"""Issue 4 end to end: cases made through the API, two sweepers while the clock crosses every
threshold, the relay over real HTTP into the real notifier (uvicorn on a free port), and the
notifier's e-mail over real SMTP (aiosmtpd) and a signed webhook into a receiver in the test.
Each alert arrives once, none for a met bevakning, every committed event reaches the inbox in
order per ärende, and no mail and no webhook body carries a child's name or personnummer, not
even a protected child's to a subscriber allowed personal data (events never hold them)."""

import asyncio
import email
from collections import Counter
from datetime import date, timedelta
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.routing import Route

from case_api.relay.service import relay_batch
from common.clock import system_clock
from common.db import make_engine, make_session_factory
from notifier.leveranser import service as leverans_service
from notifier.main import create_app as create_notifier_app
from notifier.settings import Settings as NotifierSettings
from tests.case_api import test_sweep
from tests.case_api.flow import ANMALAN, TEST_PNR
from tests.case_api.test_sweep import SweepEnv, make_cases, sweep_until_idle
from tests.helpers import bearer
from tests.notifier.support import OPERATOR_SCOPES, Mailbox, Receiver, serve, stop
from tests.servers import free_port

env = test_sweep.env  # the same API-made cases and frozen clock as the sweep tests

PEOPLE = [
    ("anna-bou-1", "anna1@kommun.example", "bou-1", "handlaggare"),
    ("chef-bou-1", "chef1@kommun.example", "bou-1", "enhetschef"),
    ("anna-bou-2", "anna2@kommun.example", "bou-2", "handlaggare"),
    ("berit-bou-2", "berit2@kommun.example", "bou-2", "arbetsledare"),
    ("anna-bou-3", "anna3@kommun.example", "bou-3", "handlaggare"),
]
SKYDDAD = {
    "personnummer": "201203152002",
    "fornamn": "Hemlig",
    "efternamn": "Skyddsson",
    "skyddad_identitet": True,
    "kontakt": {"adress": "Dold väg 1", "telefon": "070-1112233"},
}
SECRETS = (
    TEST_PNR,
    TEST_PNR[2:],
    "Test Testsson",
    ANMALAN["barn"]["efternamn"],
    "201203152002",
    "1203152002",
    "120315-2002",
    "Hemlig",
    "Skyddsson",
    "Dold väg",
    "070-1112233",
)


@pytest.fixture
def smtp() -> Any:
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


async def test_alerts_reach_the_mailbox_once_each_without_personal_data(
    env: SweepEnv,
    committed_notifier_db,
    test_data_dir,
    token,
    smtp,
) -> None:  # type: ignore[no-untyped-def]
    nsettings = NotifierSettings(
        DATA_DIR=test_data_dir,
        NOTIFIER_RUN_WORKERS=False,
        LOG_JSON=True,
        NOTIFIER_SMTP_HOST="127.0.0.1",
        NOTIFIER_SMTP_PORT=smtp.port,
        NOTIFIER_EPOST_FRAN="bevakning@kommun.example",
        NOTIFIER_ARENDE_URL_MALL="https://front.example/arenden/{arende_id}",
        NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"],
    )
    hook = Receiver()
    hook_server, hook_task, hook_base = await serve(
        Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
    )
    hook.url = f"{hook_base}/hook"
    nengine = make_engine(committed_notifier_db.app_url, pool_size=4)
    nclock = system_clock  # received_at must show arrival order
    server, task, base = await serve(create_notifier_app(nsettings, engine=nengine, clock=nclock))
    nfactory = make_session_factory(nengine)
    relay_settings = env.settings.model_copy(update={"notifier_url": base})
    second = make_engine(env.db.app_url, pool_size=3)
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            system = bearer(token("system", sub="drift", scope=OPERATOR_SCOPES))
            for sub, address, enhet, roll in PEOPLE:
                r = await client.post(
                    "/v1/mottagare",
                    json={"sub": sub, "epost": address, "enhet": enhet, "roll": roll},
                    headers=system,
                )
                assert r.status_code == 201, r.text
            r = await client.post("/v1/prenumerationer", json={"kind": "epost"}, headers=system)
            assert r.status_code == 201, r.text
            r = await client.post(
                "/v1/prenumerationer",
                json={
                    "kind": "webhook",
                    "url": hook.url,
                    "event_typer": ["se.socialtjanst.*"],
                    "tillat_personuppgifter": True,
                },
                headers=system,
            )
            assert r.status_code == 201, r.text

        akt = await make_cases(env)
        # A protected child's anmälan at bou-3: its events travel the same way.
        env.walk.tokens["handlaggare"] = env.walk.tokens["handlaggare-bou-3"]
        skyddad = await env.walk.post(
            "handlaggare", "/v1/aktualiseringar", ANMALAN | {"enhet": "bou-3", "barn": SKYDDAD}, expect=201
        )
        env.owners[skyddad.json()["id"]] = "handlaggare-bou-3"
        await env.skyddsbedomning(skyddad.json()["id"])
        await env.forhandsbedomning(skyddad.json()["id"], "2026-02-03")
        sweepers = [env.factory, make_session_factory(second)]
        async with httpx.AsyncClient() as http:
            day = date(2026, 2, 3)
            while day <= date(2026, 2, 19):
                await env.day(day.isoformat())
                if day == date(2026, 2, 12):
                    await env.forhandsbedomning(akt["C"], "2026-02-12")
                await asyncio.gather(*(sweep_until_idle(f, env.settings, env.clock) for f in sweepers))
                while await relay_batch(env.factory, http, relay_settings, env.clock):
                    pass
                day += timedelta(days=1)
        await leverans_service.fan_out(nfactory, nclock)
        while await leverans_service.deliver_due(nfactory, nclock, nsettings):
            pass

        # Every committed event is in the inbox once, in sekvens order per ärende.
        async with env.factory() as session:
            outbox = (await session.execute(text("SELECT id, arende_id, seq FROM outbox_event"))).all()
        async with nfactory() as session:
            inbox = (
                await session.execute(
                    text("SELECT event_id, arende_id, sekvens FROM inbox_event ORDER BY received_at")
                )
            ).all()
        assert sorted(r.event_id for r in inbox) == sorted(str(r.id) for r in outbox)
        per_arende: dict[Any, list[int]] = {}
        for row in inbox:
            per_arende.setdefault(row.arende_id, []).append(row.sekvens)
        assert len(per_arende) == 4 and all(s == sorted(s) for s in per_arende.values())
        # Every event reached the webhook too, none with a name, personnummer or address in it.
        assert sorted(r["json"]["id"] for r in hook.requests) == sorted(str(r.id) for r in outbox)
        for request in hook.requests:
            for secret in SECRETS:
                assert secret not in request["body"], (secret, request["json"]["type"])
    finally:
        await stop(hook_server, hook_task)
        await stop(server, task)
        await nengine.dispose()
        await second.dispose()

    mails = []
    for message in smtp.handler.messages:
        mail = email.message_from_string(message["data"], policy=default)
        for to in message["to"]:
            mails.append((to, str(mail["Subject"])))
        for secret in SECRETS:
            assert secret not in message["data"]
    assert Counter(mails) == Counter(
        [
            ("anna1@kommun.example", "Påminnelse: Förhandsbedömning senast 2026-02-17"),
            ("anna1@kommun.example", "Påminnelse: Förhandsbedömning senast 2026-02-17"),
            ("anna1@kommun.example", "Försenad: Förhandsbedömning"),
            ("chef1@kommun.example", "Försenad: Förhandsbedömning"),
            ("anna2@kommun.example", "Försenad: Skyddsbedömning"),
            ("berit2@kommun.example", "Försenad: Skyddsbedömning"),
            ("anna2@kommun.example", "Påminnelse: Förhandsbedömning senast 2026-02-17"),
            ("anna2@kommun.example", "Påminnelse: Förhandsbedömning senast 2026-02-17"),
            ("anna2@kommun.example", "Försenad: Förhandsbedömning"),
            ("berit2@kommun.example", "Försenad: Förhandsbedömning"),
            ("anna3@kommun.example", "Påminnelse: Förhandsbedömning senast 2026-02-17"),  # met on 02-12
        ]
    )
