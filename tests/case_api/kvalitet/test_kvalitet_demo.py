"""The README's quality-report example: the demo against a real server process, start to end."""

import os
import subprocess
import sys

import pytest

from tests.servers import running_service


@pytest.mark.slow
def test_demo_prints_the_three_reports(committed_case_db, test_data_dir) -> None:  # type: ignore[no-untyped-def]
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    with running_service("case_api.main:create_app", env) as base:
        result = subprocess.run(
            [sys.executable, "-m", "devstack.kvalitet_demo"],
            env={**os.environ, **env, "CASE_API_URL": base},
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert ",totalt,totalt,5,0,5," in out
    assert ",utfall,anmald_till_ivo,1,0,1," in out
    assert "2026-01-01,2026-06-30,verkstallighet,1,0,0,1,0,0,0.0," in out
    assert ",2026-Q2,2026-Q2,ej_paborjad,2026-03-02,,oppenvard," in out
    assert (
        ",ej_paborjad,2026-05-04,,kontaktperson,4 kap. 1 § SoL (2001:453),bou-2,2015-03-14,K,108,2026-08-20,"
        in out
    )
