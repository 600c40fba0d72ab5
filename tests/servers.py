"""Start a service as a real server process (uvicorn) for tests that go over real HTTP."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from common.serving import UVICORN_ARGS
from devstack.ports import free_port


@contextmanager
def running_service(app_factory: str, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """Run `uvicorn --factory app_factory` and yield its base URL once /health/ready answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app_factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *UVICORN_ARGS,
        ],
        # A fuzzer or a walk is many quick requests by one sub: no rate limit unless asked for.
        env={**os.environ, "RATE_LIMIT_PER_MINUTE": "0", **env},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # A guard against a server that never starts, not a speed check: importing and building
        # the app took 19 s at a load average of 7 on this 2-core machine (several test suites
        # at once), and 30 s failed two runs that way. A crash still ends the wait at once.
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app_factory} did not become ready")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
