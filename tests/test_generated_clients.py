"""Clients generated from the committed specs, as an integrator would make them, are whole and work.

openapi-python-client must generate each spec without a single warning and with a function
for every operation (it used to drop operations whose schemas clashed by title, and the
notifier's inline event body). The case_api client then drives a running case_api over HTTP:
register, read, a command with If-Match, and the same command with a stale ETag. The
TypeScript types of openapi-typescript must typecheck a small usage with tsc (strict).
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.case_api.flow import ANMALAN
from tests.generators import REPO, node_tools, python_generator
from tests.servers import running_service

pytestmark = pytest.mark.slow


def spec(service: str) -> dict[str, Any]:
    return json.loads((REPO / "openapi" / f"{service}.json").read_text(encoding="utf-8"))


def generate_python(service: str, out: Path) -> Path:
    """Generate the client into out/<service>_client; fail on any warning."""
    bin_dir = python_generator()
    package = out / f"{service}_client"
    # The generator formats its output with ruff: the project's own, next to this interpreter.
    path = os.pathsep.join([str(Path(sys.executable).parent), str(bin_dir), os.environ.get("PATH", "")])
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(REPO / "openapi" / f"{service}.json"),
            "--meta",
            "none",
            "--output-path",
            str(package),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    return package


@pytest.mark.parametrize("service", ["case_api", "notifier"])
def test_python_client_generates_cleanly_with_every_operation(service: str, tmp_path: Path) -> None:
    package = generate_python(service, tmp_path)
    generated = {p.stem for p in (package / "api").rglob("*.py") if p.stem != "__init__"}
    operations = {op["operationId"] for item in spec(service)["paths"].values() for op in item.values()}
    assert operations - generated == set(), "operations the generated client lacks"


DRIVER = textwrap.dedent(
    """
    import json
    import sys

    sys.path.insert(0, sys.argv[1])
    from case_api_client import AuthenticatedClient
    from case_api_client.api.aktualiseringar import (
        get_aktualisering,
        record_skyddsbedomning,
        register_aktualisering,
    )
    from case_api_client.models import AktualiseringIn, AktualiseringOut, Problem, SkyddsbedomningIn

    base, token, body = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    client = AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=True)

    created = register_aktualisering.sync_detailed(
        client=client, body=AktualiseringIn.from_dict(body), idempotency_key="generated-client-1"
    )
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, AktualiseringOut)
    aktualisering_id = created.parsed.id

    read = get_aktualisering.sync_detailed(aktualisering_id, client=client)
    assert read.status_code == 200 and isinstance(read.parsed, AktualiseringOut), read.content
    etag = read.headers["ETag"]

    bedomning = SkyddsbedomningIn.from_dict(
        {"bedomd_at": "2026-02-03T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "Ingen akut fara."}
    )
    done = record_skyddsbedomning.sync_detailed(aktualisering_id, client=client, body=bedomning, if_match=etag)
    assert done.status_code == 200 and isinstance(done.parsed, AktualiseringOut), done.content

    stale = record_skyddsbedomning.sync_detailed(aktualisering_id, client=client, body=bedomning, if_match=etag)
    assert isinstance(stale.parsed, Problem), stale.content
    print(json.dumps({
        "created_etag": created.headers["ETag"],
        "read_etag": etag,
        "command_etag": done.headers["ETag"],
        "stale": stale.status_code,
        "location": created.headers["Location"],
        "version": done.parsed.version,
    }))
    """
)


def test_python_client_drives_a_running_case_api(
    committed_case_db,  # type: ignore[no-untyped-def]
    test_data_dir,
    token,
    tmp_path: Path,
) -> None:
    package = generate_python("case_api", tmp_path)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    with running_service("case_api.main:create_app", env) as base:
        result = subprocess.run(
            [
                str(python_generator() / "python"),
                str(driver),
                str(package.parent),
                base,
                token("handlaggare", enhet="bou-1"),
                json.dumps(ANMALAN),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["created_etag"] == seen["read_etag"] != seen["command_etag"]
    assert seen["command_etag"] == f'"{seen["version"]}"'
    assert seen["stale"] == 412
    assert seen["location"].startswith("/v1/aktualiseringar/")


USAGE = textwrap.dedent(
    """
    import type { components, paths } from "./case_api";

    type Register = paths["/v1/aktualiseringar"]["post"];
    type Command = paths["/v1/aktualiseringar/{aktualisering_id}/skyddsbedomning"]["post"];

    // skyddad_identitet has a default, so a client may leave it out of a request.
    export const body: Register["requestBody"]["content"]["application/json"] = {
        typ: "anmalan",
        inkom: "2026-02-03T09:30:00+01:00",
        enhet: "bou-1",
        barn: { personnummer: "201212121212", fornamn: "Test", efternamn: "Testsson" },
        beskrivning: "Oro",
        kalla: { typ: "skola", namn: "Exempelskolan" },
    };

    export function etagOf(headers: Register["responses"][201]["headers"]): string {
        const location: string = headers.Location;
        const replayed: "true" | undefined = headers["Idempotent-Replayed"];
        return `${location} ${replayed ?? ""} ${headers.ETag}`;
    }

    export const command: Command["parameters"] = {
        header: { "If-Match": '"1"' },
        path: { aktualisering_id: "00000000-0000-0000-0000-000000000000" },
    };

    // @ts-expect-error If-Match is required on a command.
    export const withoutIfMatch: Command["parameters"]["header"] = {};

    export const page: components["schemas"]["ArendePage"] = { items: [], next_cursor: null };
    """
)


def test_typescript_types_typecheck_a_usage(tmp_path: Path) -> None:
    bin_dir = node_tools()
    if bin_dir is None:
        pytest.skip("Node.js (node and npm) is not installed here; CI has it and runs this test")
    generated = tmp_path / "case_api.d.ts"
    # `--default-non-nullable false`: a property with a default stays optional in a request
    # (its default is the server's); response schemas list such properties as required anyway.
    gen = subprocess.run(
        [
            str(bin_dir / "openapi-typescript"),
            str(REPO / "openapi" / "case_api.json"),
            "--default-non-nullable",
            "false",
            "-o",
            str(generated),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gen.returncode == 0, gen.stdout + gen.stderr
    (tmp_path / "usage.ts").write_text(USAGE, encoding="utf-8")
    check = subprocess.run(
        [str(bin_dir / "tsc"), "--noEmit", "--strict", "--target", "es2020", str(tmp_path / "usage.ts")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
