"""Logs are JSON with the request id on every line, and personnummer never reach them."""

import json
import logging

import structlog

from common.logging import configure_logging, redact
from tests.helpers import bearer


def test_redact_personnummer_shapes() -> None:
    for text in ("19121212-1212", "191212121212", "121212-1212", "1212121212", "20150314+2380"):
        assert "1212" not in redact(f"barn {text} x").replace("[personnummer]", ""), text
    assert redact("ärende 42, 2026-02-03") == "ärende 42, 2026-02-03"


async def test_request_lines_carry_request_id_and_no_personnummer(case_client, token, capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("INFO", json_output=True)
    response = await case_client.get(
        "/v1/nothing/19121212-1212", headers=bearer(token("handlaggare")) | {"X-Request-ID": "req-test-0001"}
    )
    assert response.headers["x-request-id"] == "req-test-0001"
    structlog.get_logger("probe").info("looked up", personnummer="19121212-1212")
    logging.getLogger("stdlib").warning("stdlib line about 191212121212")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert lines, "expected JSON log lines"
    text = json.dumps(lines)
    assert "19121212-1212" not in text and "191212121212" not in text
    request_lines = [line for line in lines if line.get("event") == "request"]
    assert request_lines and all(line["request_id"] == "req-test-0001" for line in request_lines)
    assert request_lines[0]["route"] is None or "1212" not in request_lines[0]["route"]


def test_digit_runs_inside_identifiers_are_not_redacted() -> None:
    from common.logging import redact

    assert redact("4795a201503142380d98") == "4795a201503142380d98"
    assert redact("pnr=201503142380.") == "pnr=[personnummer]."
