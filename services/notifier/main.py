"""The notifier application."""

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from common.app import Worker, build_app
from common.clock import Clock, system_clock
from common.whoami import whoami_router
from devstack.migrate import head_revision
from notifier.dependencies import authorize, describe_access
from notifier.inbox.router import router as inbox_router
from notifier.inbox.schemas import CLOUDEVENT_SCHEMA
from notifier.leveranser.router import router as leverans_router
from notifier.metrics import NotifierMetrics
from notifier.mottagare.router import router as mottagare_router
from notifier.prenumerationer.router import router as prenumeration_router
from notifier.settings import Settings, get_settings
from notifier.workers import delivery_worker, fan_out_worker

DESCRIPTION = """
Receives case events as CloudEvents, stores each once, and delivers them to subscribed
webhooks (Standard Webhooks signatures) and as e-mail alerts for bevakningar.
"""

# Background workers started with the app: inbox -> deliveries, deliveries -> receivers.
WORKERS: list[Worker] = [fan_out_worker, delivery_worker]


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    settings = settings or get_settings()
    app = build_app(
        title="Handläggning notifier",
        description=DESCRIPTION,
        settings=settings,
        database_url=settings.database_url,
        expected_head=head_revision("notifier"),
        routers=[
            whoami_router(authorize),
            inbox_router,
            prenumeration_router,
            mottagare_router,
            leverans_router,
        ],
        engine=engine,
        workers=WORKERS if settings.run_workers else (),
        clock=clock,
        metrics=NotifierMetrics(),
    )
    # Named, so generators make one class of it (inline, openapi-python-client skips the body).
    app.state.openapi_schemas = {"CloudEvent": CLOUDEVENT_SCHEMA}
    describe_access(app)
    return app
