"""The client generators an integrator would use, installed once into a cache the tests share.

They are not project dependencies: each lives in its own directory under GENERATOR_CACHE
(default `.data/generators`, ignored by git), installed on first use under a file lock so
parallel test workers do not install twice.
"""

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("GENERATOR_CACHE", REPO / ".data" / "generators"))
OPENAPI_PYTHON_CLIENT = "openapi-python-client==0.29.1"
# python-dateutil: the generated models parse dates with it but the generator does not need it.
PYTHON_PACKAGES = [OPENAPI_PYTHON_CLIENT, "python-dateutil"]
NPM_PACKAGES = ["openapi-typescript@7.13.0", "typescript@5.9.3"]


@contextmanager
def _locked(name: str) -> Iterator[Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield CACHE / name


def python_generator() -> Path:
    """A venv with openapi-python-client; returns its bin directory."""
    return python_tool(PYTHON_PACKAGES)


def python_tool(packages: list[str]) -> Path:
    """A venv with these pinned packages, made once; returns its bin directory."""
    marker = "-".join(p.replace("==", "-") for p in packages)
    with _locked(f"python-{marker}") as venv:
        bin_dir = venv / "bin"
        if not (venv / ".installed").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(bin_dir / "pip"), "install", "--quiet", "--disable-pip-version-check", *packages],
                check=True,
                capture_output=True,
                text=True,
            )
            (venv / ".installed").touch()
        return bin_dir


def node_tools() -> Path | None:
    """node_modules/.bin with openapi-typescript and tsc, or None where Node is absent."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None
    marker = "-".join(p.replace("@", "-") for p in NPM_PACKAGES)
    with _locked(f"node-{marker}") as prefix:
        if not (prefix / ".installed").exists():
            shutil.rmtree(prefix, ignore_errors=True)
            prefix.mkdir(parents=True)
            subprocess.run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(prefix),
                    "--no-audit",
                    "--no-fund",
                    "--silent",
                    *NPM_PACKAGES,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            (prefix / ".installed").touch()
        return prefix / "node_modules" / ".bin"
