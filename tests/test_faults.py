"""The reduced fault run (bench/faults) as part of the suite: one API kill -9, one database
outage (the proxy cut, not the machine's PostgreSQL), one notifier kill -9, under load. Every
done-when threshold of `make faults` must hold: nothing acknowledged lost, no key creating two
objects, no event lost or undelivered, order kept, the audit chain verifying, readiness and
API answers 503 (with Retry-After) through the outage, drained within 60 s."""

import pytest
from bench.faults.harness import REDUCED, run

pytestmark = pytest.mark.slow


async def test_reduced_fault_run_loses_nothing(admin_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = await run(
        REDUCED, admin_url=admin_url, work=tmp_path, label=tmp_path.name[-12:].replace("-", "_")
    )
    print(result.table())
    assert result.ok, result.table()
