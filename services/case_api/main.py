"""The case_api application."""

import os

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from case_api.arenden.router import router as arenden_router
from case_api.audit import dependencies as audit_dependencies
from case_api.audit.router import router as audit_router
from case_api.avvikelser.router import router as avvikelser_router
from case_api.bevakning.router import router as bevakning_router
from case_api.dependencies import authorize
from case_api.events.router import router as handelser_router
from case_api.insats.router import router as insats_router
from case_api.intake.router import router as intake_router
from case_api.journal.router import router as journal_router
from case_api.kontaktfamiljer.router import router as kontaktfamiljer_router
from case_api.metrics import CaseMetrics
from case_api.omprovning.router import router as omprovning_router
from case_api.personer.router import router as personer_router
from case_api.placering.router import router as placering_router
from case_api.plan.router import router as plan_router
from case_api.rapporter.router import router as rapporter_router
from case_api.registerutdrag.router import router as registerutdrag_router
from case_api.regler.router import router as regler_router
from case_api.relay.router import router as relay_router
from case_api.samtycke.router import router as samtycke_router
from case_api.settings import EXPECTED_HEAD_ENV, Settings, get_settings
from case_api.sip.router import router as sip_router
from case_api.uppdrag.router import router as uppdrag_router
from case_api.uppfoljning.router import router as uppfoljning_router
from case_api.utredning.router import router as utredning_router
from common.app import Worker, build_app
from common.limits import RateLimiter
from common.whoami import whoami_router

DESCRIPTION = """
BBIC-style handläggning for children and young people: aktualisering, skyddsbedömning,
förhandsbedömning, utredning, beslut, uppdrag, genomförandeplan, uppföljning, avslut,
with every statutory time limit watched as a bevakning. All /v1 endpoints need a bearer
JWT; errors are RFC 9457 problem+json.
"""


def expected_head() -> str | None:
    """The migration head /health/ready expects the database at."""
    if head := os.environ.get(EXPECTED_HEAD_ENV):
        return head
    from devstack.migrate import head_revision

    return head_revision("case_api")


def _workers(settings: Settings) -> list[Worker]:
    """Background workers started with the app when CASE_API_RUN_WORKERS is set (`make run`); in
    production they run as `case-api worker` (case_api.worker), never in an API process."""
    if not settings.run_workers:
        return []
    from case_api.worker import select_workers

    return select_workers()


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = build_app(
        title="Handläggning case API",
        description=DESCRIPTION,
        settings=settings,
        database_url=settings.database_url,
        expected_head=expected_head(),
        routers=[
            whoami_router(authorize),
            intake_router,
            arenden_router,
            utredning_router,
            insats_router,
            placering_router,
            uppdrag_router,
            omprovning_router,
            plan_router,
            uppfoljning_router,
            bevakning_router,
            personer_router,
            regler_router,
            relay_router,
            audit_router,
            avvikelser_router,
            kontaktfamiljer_router,
            rapporter_router,
            registerutdrag_router,
            samtycke_router,
            journal_router,
            sip_router,
            handelser_router,
        ],
        engine=engine,
        workers=_workers(settings),
        metrics=CaseMetrics(),
    )
    app.state.audit_refusal = audit_dependencies.logga_nekad
    # case_api only: the notifier's callers are the relay and operators, and a per-sub limit
    # there would throttle the whole event stream.
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    return app
