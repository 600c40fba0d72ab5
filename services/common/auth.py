"""Who is calling, and may they call this operation: the bearer token and the role matrix.

Each service keeps its role x operation matrix as data (`access_matrix.py`); the route's
operation id is the key, and an operation missing from the matrix is refused (default deny).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from common.problems import Forbidden, Unauthorized
from common.tokens import Claims, KeyStore, TokenError, decode_token


class Role(StrEnum):
    handlaggare = "handlaggare"
    arbetsledare = "arbetsledare"
    enhetschef = "enhetschef"
    utforare = "utforare"
    kvalitetssamordnare = "kvalitetssamordnare"
    system = "system"


@dataclass(frozen=True)
class Principal:
    sub: str
    name: str | None
    roles: frozenset[Role]
    enhet: str | None
    utforare: str | None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @classmethod
    def from_claims(cls, claims: Claims) -> "Principal":
        known = {r.value for r in Role}
        return cls(
            sub=claims.sub,
            name=claims.name,
            roles=frozenset(Role(r) for r in claims.roles if r in known),
            enhet=claims.enhet,
            utforare=claims.utforare,
        )


bearer = HTTPBearer(auto_error=False, description="JWT from the identity provider")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("A bearer token is required.")
    keys: KeyStore = request.app.state.key_store
    try:
        claims = await decode_token(credentials.credentials, keys)
    except TokenError as exc:
        raise Unauthorized(f"The token was refused: {exc}.") from None
    principal = Principal.from_claims(claims)
    request.state.principal = principal
    return principal


def operation_id(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "operation_id", None) or getattr(route, "name", None)
    return str(name)


def authorizer(matrix: Mapping[str, frozenset[Role]]):  # type: ignore[no-untyped-def]
    """A dependency that admits the caller only if one of its roles may run this operation."""

    async def authorize(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        allowed = matrix.get(operation_id(request), frozenset())
        if not principal.roles.intersection(allowed):
            raise Forbidden("Your role may not perform this operation.")
        return principal

    return authorize
