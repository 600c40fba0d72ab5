"""Schemathesis against both services over real HTTP: every operation, all phases.

Finds no server error, no undocumented status code or content type, and no response that
breaks its schema. The token carries every role, so authorisation does not hide operations.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from common.auth import Role
from notifier.access_matrix import ALL_SCOPES as NOTIFIER_SCOPES
from tests.servers import running_service

PHASES = "examples,coverage,fuzzing,stateful"
CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")


def run_schemathesis(base: str, token: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/openapi.json",
            "--phases",
            PHASES,
            "--checks",
            "all",
            # Cross-field business rules (a decision period that ends before it starts, a plan
            # without the child's view) cannot be said in JSON Schema; their 422s are correct.
            "--exclude-checks",
            "positive_data_acceptance",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "20261122",
            "--report",
            "junit",
            "--report-dir",
            str(report_dir),
            "--suppress-health-check",
            "all",
            "--warnings",
            "off",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
    )


def assert_clean_run(result: subprocess.CompletedProcess[str]) -> None:
    print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert "No test cases" not in result.stdout
    assert " passed" in result.stdout, result.stdout[-3000:]


def all_roles_token(token) -> str:  # type: ignore[no-untyped-def]
    # The notifier's scopes too: without them its `system` role does not count (only the
    # notifier reads them, so case_api's run is unchanged).
    scope = " ".join(sorted(NOTIFIER_SCOPES))
    return str(token(*[r.value for r in Role], enhet="bou-1", utforare="utf-1", scope=scope))


@pytest.mark.slow
def test_case_api(committed_case_db, test_data_dir, token, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    with running_service("case_api.main:create_app", env) as base:
        result = run_schemathesis(base, all_roles_token(token), tmp_path)
    assert_clean_run(result)


@pytest.mark.slow
def test_notifier(committed_notifier_db, test_data_dir, token, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "NOTIFIER_DATABASE_URL": committed_notifier_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "NOTIFIER_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    with running_service("notifier.main:create_app", env) as base:
        result = run_schemathesis(base, all_roles_token(token), tmp_path)
    assert_clean_run(result)
