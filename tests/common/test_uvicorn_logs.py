"""Under a real uvicorn every line on stderr is JSON, uvicorn's own included, and the access
line has the route template, the status and the duration, never the path or its query string."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from common.serving import UVICORN_ARGS
from devstack.databases import ServiceDatabase
from tests.servers import free_port

pytestmark = pytest.mark.slow

LOG_CONFIG = Path(__file__).resolve().parents[2] / "services" / "common" / "uvicorn_log.json"
# A query string carrying a (test) personnummer: it must reach no log line.
PROBE = "/health/live?personnummer=191212121212&namn=Tolvan"


def run_and_probe(command: list[str], env: dict[str, str], port: int) -> list[dict[str, Any]]:
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        # Several worker processes: enough requests that the access line is surely written.
        # The unknown parameters are refused (422), but the request is logged all the same.
        for _ in range(5):
            assert httpx.get(f"http://127.0.0.1:{port}{PROBE}", timeout=5).status_code == 422
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=20)
    text = (stdout + stderr).decode()
    assert "191212121212" not in text and "Tolvan" not in text
    assert "color_message" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    not_json = [line for line in lines if not _is_json_object(line)]
    assert not not_json, not_json
    return [json.loads(line) for line in lines]


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def assert_access_lines(lines: list[dict[str, Any]]) -> None:
    access = [line for line in lines if line.get("event") == "request"]
    assert access
    assert any(line["status"] == 422 for line in access), access
    for line in access:
        assert line["route"] == "/health/live"
        assert line["status"] in (200, 422)
        assert line["method"] == "GET"
        assert isinstance(line["duration_ms"], int | float) and line["duration_ms"] >= 0
        assert len(line["request_id"]) >= 8


def uvicorn_command(port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "notifier.main:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *UVICORN_ARGS,
        *extra,
    ]


def notifier_env(db: ServiceDatabase) -> dict[str, str]:
    return {"NOTIFIER_DATABASE_URL": db.app_url, "NOTIFIER_RUN_WORKERS": "false", "LOG_JSON": "true"}


def test_plain_uvicorn_as_deployed_logs_json(committed_notifier_db: ServiceDatabase) -> None:
    # deploy/k8s/notifier.yaml's command: one process, no log config of its own.
    port = free_port()
    lines = run_and_probe(uvicorn_command(port), notifier_env(committed_notifier_db), port)
    events = [line["event"] for line in lines]
    assert any(e.startswith("Uvicorn running on") for e in events), events
    assert any(line.get("logger") == "uvicorn.error" for line in lines)
    assert_access_lines(lines)


def test_uvicorn_supervisor_logs_json_with_the_log_config(committed_notifier_db: ServiceDatabase) -> None:
    # Several worker processes: the supervisor logs before any app exists, through the file.
    port = free_port()
    command = uvicorn_command(port, "--workers", "2", "--log-config", str(LOG_CONFIG))
    lines = run_and_probe(command, notifier_env(committed_notifier_db), port)
    events = [line["event"] for line in lines]
    assert any(e.startswith("Started parent process") for e in events), events
    assert_access_lines(lines)


def test_case_api_serve_logs_json_with_several_workers(committed_case_db: ServiceDatabase) -> None:
    port = free_port()
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "CASE_API_RUN_WORKERS": "false",
        "CASE_API_HOST": "127.0.0.1",
        "CASE_API_PORT": str(port),
        "API_WORKERS": "2",
        "LOG_JSON": "true",
    }
    command = [sys.executable, "-c", "import sys; from case_api.cli import main; sys.exit(main(['serve']))"]
    lines = run_and_probe(command, env, port)
    events = [line["event"] for line in lines]
    assert any(e.startswith("Started parent process") for e in events), events
    assert_access_lines(lines)
