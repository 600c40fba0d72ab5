"""A token verified once is remembered (common.tokens.KeyStore._verified), and the memory never
accepts what verifying it again would refuse: expiry, a revoked or replaced key, a forged copy."""

import time
from pathlib import Path
from typing import Any

import pytest
from jose import jwt

from common import tokens
from common.settings import CommonSettings
from common.tokens import VERIFIED_MAX, DevKey, KeyStore, TokenError, decode_token
from tests.common.test_jwks import JwksServer, claims, idp  # noqa: F401 (the identity provider fixture)


def _sign(key: DevKey, signed: dict[str, Any]) -> str:
    return jwt.encode(signed, key.private_pem.decode(), algorithm="RS256", headers={"kid": key.kid})


def _clocked(tmp_path: Path, leeway: int) -> tuple[KeyStore, list[float], str]:
    """A dev-key store whose wall clock the test moves, and a token valid from that clock's now."""
    settings = CommonSettings(DATA_DIR=tmp_path, JWT_LEEWAY_SECONDS=leeway)
    wall = [float(int(time.time()))]
    store = KeyStore(settings, wall=lambda: wall[0])
    assert store.dev_key is not None
    return store, wall, _sign(store.dev_key, claims(settings, int(wall[0])))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token the library verifies (its signature and claims), in order."""
    seen: list[str] = []
    real = tokens.jwt.decode

    def decode(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", decode)
    return seen


async def test_a_token_is_verified_once(tmp_path: Path, counted: list[str]) -> None:
    store = KeyStore(CommonSettings(DATA_DIR=tmp_path))
    assert store.dev_key is not None
    token = _sign(store.dev_key, claims(store.settings))
    assert (await decode_token(token, store)).sub == "anna"
    assert (await decode_token(token, store)).sub == "anna"
    assert counted == [token], "the second request is answered from memory"


async def test_memory_answers_until_exp_and_leeway_and_then_verifies_again(
    tmp_path: Path, counted: list[str]
) -> None:
    store, wall, token = _clocked(tmp_path, leeway=30)
    await decode_token(token, store)
    wall[0] += 300 + 30  # exp plus the leeway: the library would still accept it
    await decode_token(token, store)
    assert counted == [token]
    wall[0] += 1
    # Past exp + leeway by the store's clock: back to the library (whose own clock, the real one,
    # still finds it valid here; with that clock past exp too it refuses, tests/common/test_tokens.py).
    await decode_token(token, store)
    assert counted == [token, token]


async def test_a_token_not_yet_valid_by_the_memory_s_clock_is_verified_again(
    tmp_path: Path, counted: list[str]
) -> None:
    store, wall, token = _clocked(tmp_path, leeway=0)
    await decode_token(token, store)
    wall[0] -= 10
    await decode_token(token, store)
    assert counted == [token, token]


async def test_a_forged_copy_of_a_remembered_token_is_refused(tmp_path: Path) -> None:
    settings = CommonSettings(DATA_DIR=tmp_path)
    store = KeyStore(settings)
    assert store.dev_key is not None
    token = _sign(store.dev_key, claims(settings))
    await decode_token(token, store)
    head, payload, signature = token.split(".")
    other = "A" if signature[5] != "A" else "B"
    for forged in (f"{head}.{payload}.{signature[:5]}{other}{signature[6:]}", f"{head}.{payload}."):
        with pytest.raises(TokenError):
            await decode_token(forged, store)
    # Another's claims under the remembered signature.
    elevated = jwt.encode(claims(settings, roles=["enhetschef"]), "x", algorithm="HS256")
    with pytest.raises(TokenError):
        await decode_token(f"{head}.{elevated.split('.')[1]}.{signature}", store)


async def test_a_key_replaced_under_the_same_kid_verifies_remembered_tokens_again(
    idp: JwksServer,  # noqa: F811
    tmp_path: Path,
    counted: list[str],
) -> None:
    settings = CommonSettings(JWKS_URL=idp.url, DATA_DIR=tmp_path)
    now = [1000.0]
    store = KeyStore(settings, monotonic=lambda: now[0])
    key = DevKey(tmp_path / "key.pem")
    idp.keys = [key.public_jwk()]
    token = _sign(key, claims(settings))
    await decode_token(token, store)
    await decode_token(token, store)
    assert counted == [token]

    impostor = DevKey(tmp_path / "impostor.pem")
    idp.keys = [{**impostor.public_jwk(), "kid": key.kid}]  # the same kid, another key
    assert await store.refresh()
    with pytest.raises(TokenError):
        await decode_token(token, store)
    assert counted == [token, token], "the renewed key set verified it again, and refused it"


async def test_the_memory_is_bounded(tmp_path: Path) -> None:
    settings = CommonSettings(DATA_DIR=tmp_path)
    store = KeyStore(settings)
    assert store.dev_key is not None
    first = _sign(store.dev_key, claims(settings, jti="first"))
    known = await decode_token(first, store)
    entry = store.verified(first)
    assert entry is not None and entry.claims == known
    for n in range(VERIFIED_MAX):
        store.remember(f"t{n}", entry)
    assert store.verified(first) is None, "the oldest was let go"
    assert len(store._verified) == VERIFIED_MAX
