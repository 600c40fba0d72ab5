"""Production keys come from a JWKS URL: trusted for JWKS_CACHE_SECONDS and renewed on a schedule,
so a revoked key stops being trusted; an unknown kid refetches at most once a minute."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jose import jwt

from case_api.main import create_app as create_case_app
from case_api.settings import Settings as CaseSettings
from common.db import make_engine
from common.settings import CommonSettings
from common.tokens import DevKey, KeyStore, TokenError, decode_token


class JwksServer:
    """A real HTTP server standing in for the identity provider's JWKS endpoint."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits = 0
        outer = self

        self.failing = False

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                if outer.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
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


def claims(settings: CommonSettings, now: int | None = None, **extra: Any) -> dict[str, Any]:
    """Valid claims from `now` (the real clock by default) for 300 s, with `extra` over them."""
    now = int(time.time()) if now is None else now
    return {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "anna",
        "nbf": now,
        "exp": now + 300,
        "roles": ["handlaggare"],
    } | extra


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


async def test_a_revoked_key_is_refused_after_the_lifetime(idp: JwksServer, tmp_path: Path) -> None:
    settings = CommonSettings(JWKS_URL=idp.url, JWKS_CACHE_SECONDS=300, DATA_DIR=tmp_path)
    now = [1000.0]
    store = KeyStore(settings, monotonic=lambda: now[0])
    key = DevKey(tmp_path / "key.pem")
    idp.keys = [key.public_jwk()]
    token = sign(key, settings)
    assert (await decode_token(token, store)).sub == "anna"

    idp.keys = []  # revoked at the identity provider
    now[0] += 299
    assert (await decode_token(token, store)).sub == "anna", "trusted within its lifetime"
    assert idp.hits == 1
    now[0] += 1
    with pytest.raises(TokenError):
        await decode_token(token, store)
    assert idp.hits == 2


async def test_keys_that_cannot_be_renewed_expire(idp: JwksServer, tmp_path: Path) -> None:
    settings = CommonSettings(JWKS_URL=idp.url, JWKS_CACHE_SECONDS=300, DATA_DIR=tmp_path)
    now = [1000.0]
    store = KeyStore(settings, monotonic=lambda: now[0])
    key = DevKey(tmp_path / "key.pem")
    idp.keys = [key.public_jwk()]
    token = sign(key, settings)
    assert (await decode_token(token, store)).sub == "anna"

    idp.failing = True
    now[0] += 200
    assert not await store.refresh()
    assert (await decode_token(token, store)).sub == "anna", "a failed renewal keeps the keys for now"
    now[0] += 100
    with pytest.raises(TokenError, match="renewed"):
        await decode_token(token, store)
    # A refused token does not hammer the identity provider: one retry per second at most.
    hits = idp.hits
    with pytest.raises(TokenError):
        await decode_token(token, store)
    assert idp.hits == hits

    idp.failing = False
    now[0] += 1
    assert (await decode_token(token, store)).sub == "anna"


async def test_the_app_renews_its_keys_on_schedule(idp: JwksServer, tmp_path: Path) -> None:
    """The running app (its lifespan) refreshes the key set without any request asking for it,
    and a key removed at the identity provider is refused although its kid was cached."""
    key = DevKey(tmp_path / "key.pem")
    idp.keys = [key.public_jwk()]
    settings = CaseSettings(
        JWKS_URL=idp.url, JWKS_CACHE_SECONDS=0.4, DATA_DIR=tmp_path, CASE_API_RUN_WORKERS=False
    )
    app = create_case_app(settings, engine=make_engine("postgresql://nobody@127.0.0.1:9/none"))
    store: KeyStore = app.state.key_store
    token = sign(key, settings)
    async with app.router.lifespan_context(app):
        async with asyncio.timeout(5):
            while idp.hits < 3:  # at start, then every half lifetime
                await asyncio.sleep(0.02)
        assert (await decode_token(token, store)).sub == "anna"
        idp.keys = []
        refused = None
        async with asyncio.timeout(5):
            while refused is None:
                try:
                    await decode_token(token, store)
                except TokenError as exc:
                    refused = exc
                await asyncio.sleep(0.02)
        # Dropped by a scheduled renewal, not by the key set running out.
        assert str(refused) == "unknown key id"
