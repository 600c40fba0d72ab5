"""/metrics on both services: the families exist, they move, and only the allowed caller scrapes."""

import asyncio
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Route

from case_api.bevakning.sweep import run_sweep
from case_api.main import create_app as create_case_app
from case_api.metrics import CaseMetrics
from case_api.relay.worker import run_relay
from case_api.settings import Settings as CaseSettings
from case_api.worker import create_worker_app
from common.db import make_engine, make_session_factory
from devstack.databases import ServiceDatabase
from notifier.leveranser import service as leverans_service
from notifier.main import create_app as create_notifier_app
from notifier.metrics import NotifierMetrics
from notifier.settings import Settings as NotifierSettings
from notifier.workers import delivery_worker
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory, asgi_client, bind_to_test_transaction
from tests.helpers import assert_problem, bearer
from tests.notifier.support import OPERATOR_SCOPES, Receiver, serve, stop
from tests.notifier.test_ingest import ce_post, structured

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

CASE_FAMILIES = {
    "http_server_request_duration_seconds",
    "case_api_db_pool_size",
    "case_api_db_pool_checked_out",
    "case_api_db_pool_overflow",
    "case_api_outbox_pending_events",
    "case_api_outbox_oldest_pending_age_seconds",
    "case_api_outbox_dead_letters",
    "case_api_relay_rounds",
    "case_api_relay_events",
    "case_api_sweep_due_bevakningar",
    "case_api_sweep_lag_days",
    "case_api_sweep_rounds",
    "case_api_sweep_last_success_timestamp_seconds",
    "case_api_audit_unsealed_rows",
    "case_api_audit_oldest_unsealed_age_seconds",
    "case_api_audit_sealed_rows",
}
NOTIFIER_FAMILIES = {
    "http_server_request_duration_seconds",
    "notifier_db_pool_checked_out",
    "notifier_inbox_pending_events",
    "notifier_inbox_oldest_pending_age_seconds",
    "notifier_deliveries",
    "notifier_oldest_pending_delivery_age_seconds",
    "notifier_subscriptions",
    "notifier_subscriptions_failing",
    "notifier_delivery_attempts",
}


async def scrape(client: httpx.AsyncClient, **headers: str) -> tuple[set[str], Samples]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))
    samples = {(s.name, frozenset(s.labels.items())): s.value for f in families for s in f.samples}
    return {f.name for f in families}, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def uncached_case_app(
    case_settings: CaseSettings, case_engine: AsyncEngine, case_conn: AsyncConnection
) -> Any:
    app = create_case_app(case_settings.model_copy(update={"metrics_cache_seconds": 0}), engine=case_engine)
    bind_to_test_transaction(app, case_conn)
    return app


async def test_case_api_families_exist_and_move(uncached_case_app: Any, token: TokenFactory) -> None:
    async with asgi_client(uncached_case_app) as client:
        families, before = await scrape(client)
        assert families >= CASE_FAMILIES
        handlaggare = bearer(token("handlaggare"))
        registered = await client.post("/v1/aktualiseringar", json=ANMALAN, headers=handlaggare)
        assert registered.status_code == 201, registered.text
        await client.get("/v1/no/such/path/19121212-1212", headers=handlaggare)
        _, after = await scrape(client)

    route = {"method": "POST", "route": "/v1/aktualiseringar", "status": "201"}
    count = "http_server_request_duration_seconds_count"
    assert value(after, count, **route) == value(before, count, **route) + 1
    assert value(after, "http_server_request_duration_seconds_bucket", **route, le="+Inf") >= 1
    assert value(after, "http_server_request_duration_seconds_sum", **route) > 0
    # An unknown path is one series, never the raw path (which here holds a personnummer).
    assert value(after, count, method="GET", route="unmatched", status="404") >= 1
    assert not [key for key in after if any("19121212" in v for _, v in key[1])]
    # The registration wrote its events to the outbox (the test's transaction, not committed).
    pending = "case_api_outbox_pending_events"
    assert value(after, pending) > value(before, pending)
    assert value(after, "case_api_audit_unsealed_rows") > value(before, "case_api_audit_unsealed_rows")
    assert value(after, "case_api_db_pool_size") >= 1


async def test_backlog_is_read_once_per_cache_period(
    case_client: httpx.AsyncClient, token: TokenFactory
) -> None:
    # The session settings keep the default cache: a burst of scrapes reads the database once.
    _, before = await scrape(case_client)
    registered = await case_client.post(
        "/v1/aktualiseringar", json=ANMALAN, headers=bearer(token("handlaggare"))
    )
    assert registered.status_code == 201, registered.text
    _, after = await scrape(case_client)
    assert value(after, "case_api_outbox_pending_events") == value(before, "case_api_outbox_pending_events")


async def test_notifier_families_exist_and_move(
    notifier_settings: NotifierSettings,
    notifier_engine: AsyncEngine,
    notifier_conn: AsyncConnection,
    token: TokenFactory,
) -> None:
    app = create_notifier_app(
        notifier_settings.model_copy(update={"metrics_cache_seconds": 0}), engine=notifier_engine
    )
    bind_to_test_transaction(app, notifier_conn)
    async with asgi_client(app) as client:
        families, before = await scrape(client)
        assert families >= NOTIFIER_FAMILIES
        accepted = await ce_post(client, token, structured())
        assert accepted.status_code == 202, accepted.text
        _, after = await scrape(client)
    assert value(after, "notifier_inbox_pending_events") == value(before, "notifier_inbox_pending_events") + 1
    assert value(after, "notifier_inbox_oldest_pending_age_seconds") > 0
    route = {"method": "POST", "route": "/v1/events", "status": "202"}
    assert value(after, "http_server_request_duration_seconds_count", **route) == 1
    for status in ("vantar", "misslyckad", "dodsbrev"):
        assert ("notifier_deliveries", frozenset({("status", status)})) in after


def production(settings: Any, **update: Any) -> Any:
    return settings.model_copy(update={"jwks_url": "http://127.0.0.1:9/jwks", **update})


async def test_production_without_a_metrics_token_refuses_everybody(
    case_settings: CaseSettings, case_engine: AsyncEngine, token: TokenFactory
) -> None:
    app = create_case_app(production(case_settings), engine=case_engine)
    async with asgi_client(app) as client:
        assert_problem(await client.get("/metrics"), 403)
        # Not even a valid user token: /metrics is no API and has no role.
        assert_problem(await client.get("/metrics", headers=bearer(token("enhetschef"))), 403)


@pytest.mark.parametrize("service", ["case_api", "notifier"])
async def test_metrics_token_is_required_when_set(
    service: str,
    case_settings: CaseSettings,
    notifier_settings: NotifierSettings,
    case_engine: AsyncEngine,
    notifier_engine: AsyncEngine,
    token: TokenFactory,
) -> None:
    secret = "scrape-secret-0123456789"
    if service == "case_api":
        app = create_case_app(production(case_settings, metrics_token=SecretStr(secret)), engine=case_engine)
    else:
        app = create_notifier_app(
            production(notifier_settings, metrics_token=SecretStr(secret)), engine=notifier_engine
        )
    async with asgi_client(app) as client:
        assert_problem(await client.get("/metrics"), 401)
        assert_problem(await client.get("/metrics", headers=bearer("scrape-secret-wrong")), 401)
        assert_problem(await client.get("/metrics", headers=bearer(token("system"))), 401)
        assert_problem(await client.get("/metrics", headers={"Authorization": f"Basic {secret}"}), 401)
        families, _ = await scrape(client, Authorization=f"Bearer {secret}")
    assert "http_server_request_duration_seconds" in families


async def test_metrics_is_not_in_the_openapi_spec(case_app: Any, notifier_app: Any) -> None:
    assert "/metrics" not in case_app.openapi()["paths"]
    assert "/metrics" not in notifier_app.openapi()["paths"]


async def test_worker_rounds_are_counted(
    committed_case_db: ServiceDatabase, case_settings: CaseSettings
) -> None:
    """The sweep and the relay count their rounds on the app's registry (a worker process's /metrics)."""
    settings = case_settings.model_copy(update={"sweep_interval_seconds": 0.01, "relay_poll_seconds": 0.01})
    engine = make_engine(committed_case_db.app_url, pool_size=4)
    app = create_case_app(settings, engine=engine)
    metrics: CaseMetrics = app.state.metrics
    factory, clock = app.state.session_factory, app.state.clock

    def rounds(counter: Any, outcome: str) -> float:
        return float(counter.labels(outcome)._value.get())

    try:
        async with httpx.AsyncClient() as http:
            tasks = [
                asyncio.create_task(run_sweep(factory, settings, clock, metrics)),
                asyncio.create_task(run_relay(factory, http, settings, clock, dsn=None, metrics=metrics)),
            ]
            try:
                async with asyncio.timeout(10):
                    while not (rounds(metrics.sweep_rounds, "idle") and rounds(metrics.relay_rounds, "idle")):
                        await asyncio.sleep(0.01)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        async with asgi_client(app) as client:
            _, samples = await scrape(client)
    finally:
        await engine.dispose()
    assert value(samples, "case_api_sweep_rounds_total", outcome="idle") >= 1
    assert value(samples, "case_api_relay_rounds_total", outcome="idle") >= 1
    assert value(samples, "case_api_sweep_last_success_timestamp_seconds") > 0


async def test_the_worker_process_serves_the_worker_families(
    case_settings: CaseSettings, case_engine: AsyncEngine
) -> None:
    app = create_worker_app(case_settings)
    app.state.engine = case_engine
    app.state.session_factory = make_session_factory(case_engine)
    assert isinstance(app.state.metrics, CaseMetrics)  # what relay, sweep and sealer count on
    async with asgi_client(app) as client:
        families, _ = await scrape(client)
    assert families >= {"case_api_relay_rounds", "case_api_sweep_rounds", "case_api_audit_sealed_rows"}


async def test_a_scrape_with_the_database_away_still_answers(case_settings: CaseSettings) -> None:
    """The figures stay at their last values and the error counter says why; Prometheus keeps
    its target up, and /health/ready tells the database is unreachable."""
    dead = make_engine("postgresql://case_api_app@127.0.0.1:9/none", pool_size=1)
    app = create_case_app(case_settings.model_copy(update={"metrics_cache_seconds": 0}), engine=dead)
    try:
        async with asgi_client(app) as client:
            families, samples = await scrape(client)
    finally:
        await dead.dispose()
    assert "case_api_outbox_pending_events" in families
    assert value(samples, "case_api_metrics_scrape_errors_total") == 1


async def test_the_delivery_worker_counts_its_attempts(
    committed_notifier_db: ServiceDatabase, test_data_dir: Any, token: TokenFactory
) -> None:
    hook = Receiver()
    hook_server, hook_task, hook_base = await serve(
        Starlette(routes=[Route("/hook", hook.handle, methods=["POST"])])
    )
    settings = NotifierSettings(
        DATA_DIR=test_data_dir,
        NOTIFIER_RUN_WORKERS=False,
        NOTIFIER_TILLATNA_WEBHOOK_VARDAR=["127.0.0.1:*"],
        NOTIFIER_POLL_SEKUNDER=0.05,
        METRICS_CACHE_SECONDS=0,
    )
    engine = make_engine(committed_notifier_db.app_url, pool_size=4)
    app = create_notifier_app(settings, engine=engine)
    metrics: NotifierMetrics = app.state.metrics
    worker: asyncio.Task[None] | None = None
    try:
        async with asgi_client(app) as client:
            created = await client.post(
                "/v1/prenumerationer",
                json={"kind": "webhook", "url": f"{hook_base}/hook", "event_typer": ["se.socialtjanst.*"]},
                headers=bearer(token("system", sub="drift", scope=OPERATOR_SCOPES)),
            )
            assert created.status_code == 201, created.text
            assert (await ce_post(client, token, structured())).status_code == 202
            await leverans_service.fan_out(app.state.session_factory, app.state.clock)
            _, before = await scrape(client)
            worker = asyncio.create_task(delivery_worker(app))
            async with asyncio.timeout(10):
                while not hook.requests or metrics.attempts.labels("ok")._value.get() < 1:
                    await asyncio.sleep(0.02)
            _, after = await scrape(client)
    finally:
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        await stop(hook_server, hook_task)
        await engine.dispose()
    assert value(after, "notifier_delivery_attempts_total", result="ok") == 1
    assert value(before, "notifier_deliveries", status="vantar") == 1
    assert value(after, "notifier_deliveries", status="vantar") == 0
    assert value(after, "notifier_subscriptions", status="aktiv") == 1
