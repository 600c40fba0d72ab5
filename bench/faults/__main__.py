"""`make faults` (`python -m bench.faults`): the fault run against the machine's PostgreSQL.

    .venv/bin/python -m bench.faults [--reduced] [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]

The admin URL defaults to TEST_DATABASE_URL, then the machine's PostgreSQL on 127.0.0.1:5432.
Two throwaway databases are created and dropped; service logs go to .data/faults/<run>/.
Exits 1 when a done-when threshold (docs/reliability.md) is missed.
"""

import argparse
import asyncio
import os
import platform
import sys
import time
from datetime import UTC, datetime

from bench.faults.harness import FULL, REDUCED, REPO, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--reduced", action="store_true", help="one API kill, one DB cut, one notifier kill")
    args = parser.parse_args()
    label = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    work = REPO / ".data" / "faults" / label
    plan = REDUCED if args.reduced else FULL
    print(f"fault run {label}: {', '.join(plan.faults)}; {platform.platform()}, {os.cpu_count()} cores")
    started = time.monotonic()
    result = asyncio.run(run(plan, admin_url=args.admin_url, work=work, label=label))
    print()
    print(result.table())
    print(f"\nwall time {time.monotonic() - started:.0f} s; logs in {work}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
