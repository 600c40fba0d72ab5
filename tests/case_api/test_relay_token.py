"""The relay's token for the notifier from OAuth2 client credentials, against a real HTTP token
endpoint: a small identity provider started here on a free port (no HTTP mock)."""

import asyncio
import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from case_api.relay import delivery
from tests.servers import free_port

CLIENT_ID, SECRET = "case-api-relay", "s3cret-from-a-Secret"


@dataclass
class Idp:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    expires_in: int = 3600


def _token_app(idp: Idp) -> Starlette:
    async def token(request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))
        basic = request.headers.get("authorization", "").removeprefix("Basic ")
        idp.requests.append(form)
        if base64.b64decode(basic).decode() != f"{CLIENT_ID}:{SECRET}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        return JSONResponse(
            {"access_token": f"tok-{len(idp.requests)}", "token_type": "Bearer", "expires_in": idp.expires_in}
        )

    return Starlette(routes=[Route("/token", token, methods=["POST"])])


@pytest.fixture
async def idp() -> AsyncIterator[Idp]:
    port = free_port()
    state = Idp(url=f"http://127.0.0.1:{port}/token")
    server = uvicorn.Server(
        uvicorn.Config(_token_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield state
    server.should_exit = True
    await task


def settings_for(case_settings, idp: Idp, secret: str = SECRET):  # type: ignore[no-untyped-def]
    return case_settings.model_copy(
        update={
            "notifier_token": None,
            "notifier_token_url": idp.url,
            "notifier_client_id": CLIENT_ID,
            "notifier_client_secret": secret,
        }
    )


async def test_client_credentials_token_is_fetched_once_and_renewed_before_expiry(case_settings, idp) -> None:  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    now = [1000.0]
    source = delivery.TokenSource(
        settings_for(case_settings, idp, SecretStr(SECRET)),
        renew_before_seconds=300,
        wall_clock=lambda: now[0],
    )
    async with httpx.AsyncClient() as http:
        assert await source.bearer(http) == "tok-1"
        assert await source.bearer(http) == "tok-1"
        assert idp.requests == [{"grant_type": "client_credentials", "scope": "handelser:skriv"}]
        now[0] += 3600 - 300  # renewal time: five minutes before it expires
        assert await source.bearer(http) == "tok-2"
        assert len(idp.requests) == 2


async def test_a_refused_client_sends_nothing_and_charges_no_event(case_settings, idp) -> None:  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    source = delivery.TokenSource(settings_for(case_settings, idp, SecretStr("wrong")))
    async with httpx.AsyncClient() as http:
        with pytest.raises(delivery.TokenUnavailable, match="HTTP 401"):
            await source.bearer(http)


async def test_without_a_token_url_the_dev_token_is_used(case_settings) -> None:  # type: ignore[no-untyped-def]
    source = delivery.TokenSource(case_settings.model_copy(update={"notifier_token": "static"}))
    async with httpx.AsyncClient() as http:
        assert await source.bearer(http) == "static"
