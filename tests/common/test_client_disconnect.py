"""A client that hangs up mid-body is logged as `client_disconnected`, not `unhandled_error`
(issue 12 item 6: after SIGCONT the notifier logged the relay's abandoned requests as errors).
Over a real socket to a real server: the disconnect cannot be simulated in ASGI."""

import asyncio
import json

import pytest

from common.db import make_engine
from common.logging import configure_logging
from notifier.main import create_app
from tests.notifier.support import relay_token, serve, stop


async def test_a_client_gone_mid_body_is_not_an_unhandled_error(
    committed_notifier_db, notifier_settings, token, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(committed_notifier_db.app_url, pool_size=2)
    server, task, base = await serve(create_app(notifier_settings, engine=engine))
    configure_logging("INFO", json_output=True)  # onto this test's captured stderr
    try:
        port = int(base.rsplit(":", 1)[1])
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                "POST /v1/events HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {relay_token(token)}\r\n"
                "Content-Type: application/cloudevents+json\r\n"
                "Content-Length: 100000\r\n\r\n"
                '{"specversion": "1.0", '
            ).encode()
        )
        await writer.drain()
        await asyncio.sleep(0.3)  # the app is now waiting for the rest of the body
        writer.transport.abort()
        lines: list[dict[str, object]] = []
        for _ in range(50):
            await asyncio.sleep(0.1)
            lines += [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
            if any(line.get("event") == "client_disconnected" for line in lines):
                break
        events = [line.get("event") for line in lines]
        assert "client_disconnected" in events, events
        assert "unhandled_error" not in events
        assert not any(line.get("level") == "error" for line in lines), lines
    finally:
        await stop(server, task)
        await engine.dispose()
