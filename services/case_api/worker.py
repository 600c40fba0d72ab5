"""`case-api worker`: the background work of case_api in a process of its own.

API processes serve requests only (CASE_API_RUN_WORKERS=false); the outbox relay, the
deadline sweep, the audit sealer and the purge of expired Idempotency-Keys run here, in any
number of replicas: the relay leases events, the sweep claims bevakningar with SKIP LOCKED,
the sealer elects one leader by advisory lock, and the purge is an idempotent DELETE. The
process serves only /health/live and /health/ready, for the orchestrator's probes, and
/metrics (the workers' rounds and the backlogs).
"""

from collections.abc import Sequence

from fastapi import FastAPI

from case_api.audit.sealer import sealer_worker
from case_api.bevakning.sweep import sweep_worker
from case_api.metrics import CaseMetrics
from case_api.relay.worker import relay_worker
from case_api.settings import Settings, get_settings
from common.app import Worker, build_app
from common.idempotency import purge_worker
from devstack.migrate import head_revision

# Name -> worker, in the order they start; `case-api worker --only relay,sweep` picks some.
WORKERS_BY_NAME: dict[str, Worker] = {
    "relay": relay_worker,
    "sweep": sweep_worker,
    "sealer": sealer_worker,
    "purge": purge_worker,
}


def select_workers(only: Sequence[str] = ()) -> list[Worker]:
    """The workers named in `only` (all when empty); an unknown name is a ValueError."""
    unknown = sorted(set(only) - set(WORKERS_BY_NAME))
    if unknown:
        raise ValueError(f"unknown workers: {', '.join(unknown)} (known: {', '.join(WORKERS_BY_NAME)})")
    return [worker for name, worker in WORKERS_BY_NAME.items() if not only or name in only]


def create_worker_app(settings: Settings | None = None, only: Sequence[str] = ()) -> FastAPI:
    settings = settings or get_settings()
    return build_app(
        title="Handläggning case API workers",
        description="Relay, sweep, audit sealer and key purge; health endpoints only.",
        settings=settings,
        database_url=settings.database_url,
        expected_head=head_revision("case_api"),
        routers=[],
        workers=select_workers(only),
        with_docs=False,
        # The workers count their rounds here, served at /metrics beside the health endpoints.
        metrics=CaseMetrics(),
    )
