"""`make run`'s program (devstack.run) against external servers: both services come up
migrated, answer ready, and stop cleanly on Ctrl-C (SIGINT)."""

import os
import signal
import subprocess
import sys
import time

import httpx

from tests.servers import free_port


def wait_ready(url: str, process: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became ready")


def test_run_starts_both_services_and_stops_on_ctrl_c(
    committed_case_db, committed_notifier_db, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    case_port, notifier_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": committed_case_db.app_url,
        "DATABASE_MIGRATION_URL": committed_case_db.owner_url,
        "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url,
        "NOTIFIER_DATABASE_MIGRATION_URL": committed_notifier_db.owner_url,
        "CASE_API_PORT": str(case_port),
        "NOTIFIER_PORT": str(notifier_port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{case_port}/health/ready", process)
        wait_ready(f"http://127.0.0.1:{notifier_port}/health/ready", process)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Handläggning is running." in output and "case-api token" in output
