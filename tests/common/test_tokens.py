"""Every way a token can be wrong is refused with 401 problem+json."""

import base64
import hmac
import json
import time
from hashlib import sha256
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from common.tokens import DevKey
from tests.helpers import assert_problem, bearer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def dev_key(case_settings) -> DevKey:  # type: ignore[no-untyped-def]
    return DevKey(case_settings.dev_key_path)


@pytest.fixture
def claims(case_settings) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    now = int(time.time())
    return {
        "iss": case_settings.jwt_issuer,
        "aud": case_settings.jwt_audience,
        "sub": "anna",
        "nbf": now,
        "iat": now,
        "exp": now + 600,
        "roles": ["handlaggare"],
        "enhet": "bou-1",
    }


def signed(dev_key: DevKey, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(
        claims, dev_key.private_pem.decode(), algorithm="RS256", headers={"kid": dev_key.kid, **headers}
    )


def hs256(secret: bytes, claims: dict[str, Any], kid: str) -> str:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


async def test_valid_token_is_accepted(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/me", headers=bearer(signed(dev_key, claims)))
    assert response.status_code == 200
    assert response.json()["sub"] == "anna"


async def test_no_token(case_client) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_alg_none(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": dev_key.kid}).encode())
    token = f"{header}.{b64(json.dumps(claims).encode())}."
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


@pytest.mark.parametrize("encoding", ["pem", "der"])
async def test_hs256_signed_with_public_key(case_client, dev_key, claims, encoding) -> None:  # type: ignore[no-untyped-def]
    secret = dev_key.public_pem if encoding == "pem" else dev_key.public_der
    token = hs256(secret, claims, dev_key.kid)
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


@pytest.mark.parametrize(
    "change",
    [
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
        {"iss": "https://evil.example/"},
        {"aud": "another-service"},
    ],
    ids=["expired", "nbf-future", "wrong-iss", "wrong-aud"],
)
async def test_bad_claims(case_client, dev_key, claims, change) -> None:  # type: ignore[no-untyped-def]
    token = signed(dev_key, claims | change)
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "nbf", "sub"])
async def test_missing_required_claim(case_client, dev_key, claims, claim) -> None:  # type: ignore[no-untyped-def]
    token = signed(dev_key, {k: v for k, v in claims.items() if k != claim})
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


async def test_unknown_kid(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    token = jwt.encode(
        claims, dev_key.private_pem.decode(), algorithm="RS256", headers={"kid": "not-a-known-key"}
    )
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


async def test_missing_kid(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    token = jwt.encode(claims, dev_key.private_pem.decode(), algorithm="RS256")
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


async def test_other_key_same_kid(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": dev_key.kid})
    assert_problem(await case_client.get("/v1/me", headers=bearer(token)), 401)


async def test_tampered_signature(case_client, dev_key, claims) -> None:  # type: ignore[no-untyped-def]
    head, payload, sig = signed(dev_key, claims).split(".")
    tampered_payload = b64(json.dumps(claims | {"roles": ["enhetschef"]}).encode())
    assert_problem(await case_client.get("/v1/me", headers=bearer(f"{head}.{tampered_payload}.{sig}")), 401)
    flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    assert_problem(await case_client.get("/v1/me", headers=bearer(f"{head}.{payload}.{flipped}")), 401)


async def test_garbage_and_wrong_scheme(case_client) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await case_client.get("/v1/me", headers=bearer("not.a.jwt")), 401)
    assert_problem(await case_client.get("/v1/me", headers={"Authorization": "Basic YTpi"}), 401)


def test_token_command_refuses_with_production_keys(monkeypatch, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from case_api.cli import main
    from case_api.settings import get_settings

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert main(["token", "--sub", "anna", "--role", "handlaggare", "--enhet", "bou-1"]) == 0
    assert capsys.readouterr().out.count(".") == 2
    monkeypatch.setenv("JWKS_URL", "https://idp.invalid/jwks")
    get_settings.cache_clear()
    assert main(["token", "--sub", "anna", "--role", "handlaggare"]) == 2
    get_settings.cache_clear()
