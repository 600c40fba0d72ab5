"""Production keys come from a JWKS URL, fetched again at most once a minute for an unknown kid."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jose import jwt

from common.settings import CommonSettings
from common.tokens import DevKey, KeyStore, TokenError, decode_token


class JwksServer:
    """A real HTTP server standing in for the identity provider's JWKS endpoint."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/certs"


@pytest.fixture
def idp() -> Iterator[JwksServer]:
    server = JwksServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()


def claims(settings: CommonSettings) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "anna",
        "nbf": now,
        "exp": now + 300,
        "roles": ["handlaggare"],
    }


def sign(key: DevKey, settings: CommonSettings) -> str:
    return jwt.encode(claims(settings), key.private_pem.decode(), algorithm="RS256", headers={"kid": key.kid})


async def test_unknown_kid_refetches_at_most_once_a_minute(idp: JwksServer, tmp_path: Path) -> None:
    settings = CommonSettings(JWKS_URL=idp.url, DATA_DIR=tmp_path)
    now = [1000.0]
    store = KeyStore(settings, monotonic=lambda: now[0])
    old, rotated = DevKey(tmp_path / "old.pem"), DevKey(tmp_path / "new.pem")
    idp.keys = [old.public_jwk()]

    assert (await decode_token(sign(old, settings), store)).sub == "anna"
    assert idp.hits == 1
    assert (await decode_token(sign(old, settings), store)).sub == "anna"
    assert idp.hits == 1, "a known kid is served from the cache"

    idp.keys = [old.public_jwk(), rotated.public_jwk()]
    now[0] += 10
    with pytest.raises(TokenError):
        await decode_token(sign(rotated, settings), store)
    assert idp.hits == 1, "refetch within a minute of the last one is refused"

    now[0] += 60
    assert (await decode_token(sign(rotated, settings), store)).sub == "anna"
    assert idp.hits == 2


def test_symmetric_or_mixed_algorithms_are_refused(tmp_path: Path) -> None:
    for algorithms in (["HS256"], ["RS256", "ES256"], ["none"], []):
        with pytest.raises(ValueError):
            KeyStore(CommonSettings(JWT_ALGORITHMS=algorithms, DATA_DIR=tmp_path))
