"""The production process model over real processes: API processes serve requests only, and
`case-api worker` (relay, sweep, audit sealer, key purge) does the background work.

An API started with the defaults leaves its outbox unsent and its audit rows unsealed; a
worker process started beside it delivers the event to the notifier and seals the rows; it
answers its probes, names no server, and stops on SIGTERM.
"""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from common.db import make_engine
from devstack.databases import ServiceDatabase
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory
from tests.helpers import bearer
from tests.servers import free_port, running_service

pytestmark = pytest.mark.slow

PENDING = "SELECT count(*) FROM outbox_delivery WHERE status = 'pending'"
UNSEALED = (
    "SELECT count(*) FROM audit_logg l WHERE NOT EXISTS (SELECT 1 FROM audit_kedja k WHERE k.audit_id = l.id)"
)


async def scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def eventually(engine: AsyncEngine, sql: str, want: int, seconds: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while (value := await scalar(engine, sql)) != want:
        assert asyncio.get_running_loop().time() < deadline, f"{sql!r} stayed {value}, wanted {want}"
        await asyncio.sleep(0.1)


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "case_api.cli", "worker", *args]


async def wait_ready(base: str, process: subprocess.Popen[bytes], seconds: float = 120) -> httpx.Response:
    # A hang guard, not a speed check (as tests/servers.py): start-up on a loaded machine is slow.
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(base_url=base, timeout=1) as client:
        while True:
            assert process.poll() is None, "the worker process exited"
            try:
                response = await client.get("/health/ready")
                if response.status_code == 200:
                    return response
            except httpx.TransportError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "the worker never became ready"
            await asyncio.sleep(0.1)


async def test_api_leaves_background_work_to_the_worker_process(
    committed_case_db: ServiceDatabase,
    committed_notifier_db: ServiceDatabase,
    test_data_dir: Path,
    token: TokenFactory,
) -> None:
    common = {"DATA_DIR": str(test_data_dir), "LOG_LEVEL": "WARNING"}
    notifier_env = {**common, "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url}
    case_engine = make_engine(committed_case_db.owner_url)
    inbox_engine = make_engine(committed_notifier_db.app_url)
    try:
        with running_service(
            "notifier.main:create_app", notifier_env | {"NOTIFIER_RUN_WORKERS": "false"}
        ) as notifier:
            # The API as deployed: CASE_API_RUN_WORKERS unset, so its default (off) applies.
            api_env = {**common, "DATABASE_URL": committed_case_db.app_url, "NOTIFIER_URL": notifier}
            os_env = {k: v for k, v in os.environ.items() if k != "CASE_API_RUN_WORKERS"}
            with running_service("case_api.main:create_app", api_env) as base:
                async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                    headers = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
                    answer = await client.post("/v1/aktualiseringar", json=ANMALAN, headers=headers)
                    assert answer.status_code == 201, answer.text
                await asyncio.sleep(1.5)  # several relay polls and seal rounds, were they running
                pending = await scalar(case_engine, PENDING)
                assert pending > 0
                assert await scalar(case_engine, UNSEALED) > 0
                assert await scalar(inbox_engine, "SELECT count(*) FROM inbox_event") == 0

                port = free_port()
                worker_env = (
                    os_env
                    | api_env
                    | {
                        "CASE_API_WORKER_PORT": str(port),
                        "RELAY_POLL_SECONDS": "0.2",
                        "LOG_LEVEL": "INFO",
                    }
                )
                log = test_data_dir / f"worker-{port}.log"
                process = subprocess.Popen(
                    worker_command(), env=worker_env, stderr=log.open("wb"), stdout=subprocess.DEVNULL
                )
                try:
                    ready = await wait_ready(f"http://127.0.0.1:{port}", process)
                    assert "server" not in ready.headers
                    await eventually(case_engine, PENDING, 0)
                    await eventually(case_engine, UNSEALED, 0)
                    # Everything the outbox holds reached the notifier: the aktualisering's events
                    # and what the worker itself emitted since (the sealer's anchor).
                    delivered = await scalar(case_engine, "SELECT count(*) FROM outbox_delivery")
                    assert delivered >= pending
                    assert await scalar(inbox_engine, "SELECT count(*) FROM inbox_event") == delivered
                    process.send_signal(signal.SIGTERM)
                    # uvicorn shuts the app down (workers cancelled, engine disposed), then
                    # re-raises the signal it caught, so the exit status says SIGTERM.
                    assert process.wait(timeout=15) in (0, -signal.SIGTERM)
                    assert "Application shutdown complete" in log.read_text()
                finally:
                    if process.poll() is None:
                        process.kill()
                        process.wait()
    finally:
        await case_engine.dispose()
        await inbox_engine.dispose()


async def test_serve_runs_api_workers_processes(
    committed_case_db: ServiceDatabase, test_data_dir: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_PORT": str(port),
        "API_WORKERS": "2",
        "LOG_LEVEL": "INFO",
    }
    log = test_data_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "case_api.cli", "serve"]
    process = subprocess.Popen(command, env=env, stderr=log.open("wb"), stdout=subprocess.DEVNULL)
    try:
        ready = await wait_ready(f"http://127.0.0.1:{port}", process)
        assert "server" not in ready.headers
        # Two uvicorn worker processes started their app, none of them the background work.
        deadline = asyncio.get_running_loop().time() + 20
        while log.read_text().count("Application startup complete") < 2:
            assert asyncio.get_running_loop().time() < deadline, log.read_text()[-2000:]
            await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_worker_refuses_an_unknown_worker_name(test_data_dir: Path) -> None:
    done = subprocess.run(
        worker_command("--only", "relay,sealr"),
        env={**os.environ, "DATA_DIR": str(test_data_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "sealr" in done.stderr


def test_worker_runs_only_what_it_is_told() -> None:
    from case_api.audit.sealer import sealer_worker
    from case_api.relay.worker import relay_worker
    from case_api.worker import select_workers

    assert select_workers(["sealer", "relay"]) == [relay_worker, sealer_worker]
    assert len(select_workers()) == 4
