"""All JWT handling lives here, so replacing python-jose (in maintenance mode) touches one file.

Production: RS256/ES256 keys from the identity provider's JWKS. A fetched key set is trusted
for JWKS_CACHE_SECONDS and refreshed on a schedule well inside that (every half lifetime, by
`refresh_periodically`, which the app runs), so a key the identity provider revokes stops being
trusted within one lifetime. An unknown kid triggers a fetch at most once a minute. When the key
set could not be renewed within its lifetime, every token is refused: fail closed, since a key
that may have been revoked is worse than an outage the identity provider caused anyway.
Embedded/dev: an RSA key pair generated into DATA_DIR.
"""

import asyncio
import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

from common.settings import CommonSettings

REQUIRED_CLAIMS = ("iss", "aud", "exp", "nbf", "sub")
ALLOWED_FAMILIES = ({"RS256", "RS384", "RS512"}, {"ES256", "ES384", "ES512"})
# An unknown kid refetches at most this often; an expired key set retries at most this often.
JWKS_REFRESH_SECONDS = 60.0
JWKS_RETRY_SECONDS = 1.0


class TokenError(Exception):
    """The token is not acceptable; the message says why (never echoed with the token)."""


@dataclass(frozen=True)
class Claims:
    sub: str
    name: str | None
    roles: tuple[str, ...]
    enhet: str | None
    utforare: str | None
    raw: dict[str, Any]
    scopes: tuple[str, ...] = ()


def _check_algorithm_family(algorithms: list[str]) -> None:
    if not algorithms or not any(set(algorithms) <= fam for fam in ALLOWED_FAMILIES):
        raise ValueError(f"JWT_ALGORITHMS must be one asymmetric family, got {algorithms}")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class DevKey:
    """The embedded mode's RSA key pair, created once in DATA_DIR/keys."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pem)
            tmp.chmod(0o600)
            tmp.replace(path)
        self.private_pem = path.read_bytes()
        private = serialization.load_pem_private_key(self.private_pem, password=None)
        assert isinstance(private, rsa.RSAPrivateKey)
        self.public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_der = private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = _b64url(hashlib.sha256(self.public_der).digest())[:16]

    def public_jwk(self) -> dict[str, Any]:
        data = jwk.construct(self.public_pem.decode(), "RS256").to_dict()
        return {**data, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass(frozen=True)
class Verified:
    """What verifying a token found: its claims, and the key and times they hold under."""

    kid: str
    jwk: dict[str, Any]
    claims: Claims
    not_before: int
    expires: int

    def current(self, now: int, leeway: int) -> bool:
        """Within nbf and exp, as the library checks them (whole seconds, the same leeway)."""
        return self.not_before <= now + leeway and self.expires >= now - leeway


# Tokens remembered per process: a front end's users at once, each sending one token all day.
VERIFIED_MAX = 4096


class KeyStore:
    """Resolves a kid to a verification key: the dev key, or the JWKS, trusted for a lifetime."""

    def __init__(
        self,
        settings: CommonSettings,
        http: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        _check_algorithm_family(settings.jwt_algorithms)
        self.settings = settings
        self._http = http
        self._monotonic = monotonic
        self.wall = wall
        # token -> Verified. A front end sends the same token with every request of a session,
        # and checking its RSA signature and claims again cost a read request more than its
        # query did (docs/bench.md). An entry answers only while the key that verified it is
        # still the trusted key of its kid (key_for: a revoked or expired key set refuses it,
        # as it refuses the token) and its nbf/exp still hold; a forged token is another string.
        self._verified: dict[str, Verified] = {}
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")  # the last attempt, successful or not
        self._valid_until = float("-inf")  # the keys of the last successful fetch, until then
        self._fetching = asyncio.Lock()
        # (kid, alg) -> (the JWK it was built from, the key object): building an RSA key from its
        # JWK cost about a tenth of a read request's CPU when the library did it per token.
        self._built: dict[tuple[str, str], tuple[dict[str, Any], Key]] = {}
        self.dev_key: DevKey | None = None
        if settings.jwks_url is None:
            self.dev_key = DevKey(settings.dev_key_path)
            self._keys = {self.dev_key.kid: self.dev_key.public_jwk()}

    @property
    def lifetime(self) -> float:
        return self.settings.jwks_cache_seconds

    def _expired(self) -> bool:
        return self._monotonic() >= self._valid_until

    async def key_for(self, kid: str) -> dict[str, Any]:
        if self.settings.jwks_url is not None:
            if self._expired():
                await self.refresh(min_interval=JWKS_RETRY_SECONDS)
            elif kid not in self._keys:
                # An unknown kid is cheap to send; the identity provider is not hammered for it.
                await self.refresh(min_interval=JWKS_REFRESH_SECONDS)
            if self._expired():
                raise TokenError("signing keys could not be renewed")
        try:
            return self._keys[kid]
        except KeyError:
            raise TokenError("unknown key id") from None

    def verified(self, token: str) -> Verified | None:
        return self._verified.get(token)

    def remember(self, token: str, verified: Verified) -> None:
        if len(self._verified) >= VERIFIED_MAX:
            # The oldest first (insertion order): a morning's tokens replace yesterday's.
            del self._verified[next(iter(self._verified))]
        self._verified[token] = verified

    def verifier(self, kid: str, alg: str, data: dict[str, Any]) -> Key:
        """key_for's JWK as the key object the library verifies with, built once per key set."""
        built = self._built.get((kid, alg))
        if built is None or built[0] is not data:
            try:
                built = (data, jwk.construct(data, alg))
            except JOSEError:
                raise TokenError("signature or format not valid") from None
            self._built[(kid, alg)] = built
        return built[1]

    async def refresh(self, *, min_interval: float = 0.0) -> bool:
        """Fetch the key set unless the last attempt is younger than `min_interval`; True when
        the keys were renewed. Requests arriving together wait for one fetch."""
        assert self.settings.jwks_url is not None
        async with self._fetching:
            if self._monotonic() - self._fetched_at < min_interval:
                return False
            started = self._fetched_at = self._monotonic()
            keys = await self._fetch(self.settings.jwks_url)
            if keys is None:
                return False  # keep the keys until their lifetime ends
            self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and "kid" in k}
            self._valid_until = started + self.lifetime
            return True

    async def _fetch(self, url: str) -> list[Any] | None:
        client = self._http or httpx.AsyncClient(timeout=5.0)
        try:
            response = await client.get(url)
            response.raise_for_status()
            keys = response.json().get("keys", [])
        except (httpx.HTTPError, ValueError, AttributeError):
            return None
        finally:
            if self._http is None:
                await client.aclose()
        return keys if isinstance(keys, list) else None

    async def refresh_periodically(self) -> None:
        """Run until cancelled: renew every half lifetime, retrying sooner after a failure, so
        that requests find fresh keys and never wait for the identity provider themselves."""
        while True:
            renewed = await self.refresh()
            half = self.lifetime / 2
            await asyncio.sleep(half if renewed else min(half, max(JWKS_RETRY_SECONDS, self.lifetime / 10)))


async def decode_token(token: str, keys: KeyStore) -> Claims:
    settings = keys.settings
    known = keys.verified(token)
    if known is not None:
        # key_for refuses (raises) as it would for the token itself: an expired key set, a kid
        # no longer served. A key set renewed since holds new JWK objects: verify once more.
        jwk_now = await keys.key_for(known.kid)
        if jwk_now is known.jwk and known.current(int(keys.wall()), settings.jwt_leeway_seconds):
            return known.claims
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError:
        raise TokenError("malformed token") from None
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in settings.jwt_algorithms:
        raise TokenError("algorithm not allowed")
    if not isinstance(kid, str) or not kid:
        raise TokenError("kid missing")
    data = await keys.key_for(kid)
    key = keys.verifier(kid, alg, data)
    options = {f"require_{c}": True for c in REQUIRED_CLAIMS} | {
        "leeway": settings.jwt_leeway_seconds,
        "verify_at_hash": False,
    }
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=settings.jwt_algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options=options,
        )
    except ExpiredSignatureError:
        raise TokenError("expired") from None
    except JWTClaimsError:
        raise TokenError("issuer, audience or another claim not accepted") from None
    except JOSEError:
        # The library's class names say which library checks the token: no need to tell.
        raise TokenError("signature or format not valid") from None
    found = _claims(claims)
    keys.remember(token, Verified(kid, data, found, int(claims["nbf"]), int(claims["exp"])))
    return found


def _claims(raw: dict[str, Any]) -> Claims:
    roles = raw.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenError("roles must be a list of strings")
    scope = raw.get("scope", "")
    if not isinstance(scope, str):
        raise TokenError("scope must be a space-separated string")
    sub = raw.get("sub")
    if not isinstance(sub, str) or not sub:
        raise TokenError("sub missing")
    return Claims(
        sub=sub,
        name=raw.get("name") if isinstance(raw.get("name"), str) else None,
        roles=tuple(roles),
        enhet=raw.get("enhet") if isinstance(raw.get("enhet"), str) else None,
        utforare=raw.get("utforare") if isinstance(raw.get("utforare"), str) else None,
        raw=raw,
        scopes=tuple(scope.split()),
    )


def mint_dev_token(
    settings: CommonSettings,
    *,
    sub: str,
    roles: list[str],
    enhet: str | None = None,
    utforare: str | None = None,
    name: str | None = None,
    ttl_seconds: int = 8 * 3600,
    extra: dict[str, Any] | None = None,
    scopes: Sequence[str] = (),
) -> str:
    """Sign a token with the embedded dev key. Refuses when production keys are configured.

    `scopes` become the space-separated `scope` claim (an integration's rights, role system).
    """
    if settings.production_keys:
        raise RuntimeError("JWKS_URL is set: dev tokens are refused with production keys")
    key = DevKey(settings.dev_key_path)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "roles": roles,
        "name": name or sub,
    }
    if enhet:
        claims["enhet"] = enhet
    if utforare:
        claims["utforare"] = utforare
    if scopes:
        claims["scope"] = " ".join(scopes)
    claims.update(extra or {})
    token: str = jwt.encode(claims, key.private_pem.decode(), algorithm="RS256", headers={"kid": key.kid})
    return token


def jwks_document(settings: CommonSettings) -> dict[str, Any]:
    """The dev key as a JWKS, for tools that want to verify dev tokens themselves."""
    if settings.production_keys:
        return {"keys": []}
    return {"keys": [DevKey(settings.dev_key_path).public_jwk()]}
