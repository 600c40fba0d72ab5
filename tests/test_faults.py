"""The reduced fault run (bench/faults) as part of the suite: one API kill -9, one database
outage (the proxy cut, not the machine's PostgreSQL), one notifier kill -9, under load. Every
done-when threshold of `make faults` must hold: nothing acknowledged lost, no key creating two
objects, no event lost or undelivered, order kept, the audit chain verifying, readiness and
API answers 503 (with Retry-After) through the outage, drained within 60 s."""

import time

import pytest
from bench.faults.harness import REDUCED, REPO, run

pytestmark = pytest.mark.slow


async def test_reduced_fault_run_loses_nothing(admin_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = await run(REDUCED, admin_url=admin_url, work=tmp_path, label="suite")
    # Kept where a failed run can be read afterwards (pytest's tmp dirs rotate away).
    report = REPO / ".data" / "faults" / f"suite-{time.strftime('%Y%m%d%H%M%S')}.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(result.table() + "\n")
    assert result.ok, result.table()
