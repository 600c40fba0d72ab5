"""Who is calling, and may they call this operation: the bearer token and the role matrix.

Each service keeps its role x operation matrix as data (`access_matrix.py`); the route's
operation id is the key, and an operation missing from the matrix is refused (default deny).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    # OAuth scopes (the `scope` claim): what an integration (role system) may read.
    scopes: frozenset[str] = frozenset()

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
            scopes=frozenset(claims.scopes),
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
    # Per caller, right after the token is verified: before any database work of the request.
    limiter = getattr(request.app.state, "rate_limiter", None)
    if limiter is not None:
        limiter.check(principal.sub)
    return principal


def operation_id(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "operation_id", None) or getattr(route, "name", None)
    return str(name)


class ScopeSaknas(Forbidden):
    slug, title = "scope-missing", "The token lacks the scope this operation needs"


def authorizer(  # type: ignore[no-untyped-def]
    matrix: Mapping[str, frozenset[Role]],
    system_scopes: Mapping[str, frozenset[str]] | None = None,
    *,
    scopes_required: bool = False,
):
    """A dependency that admits the caller only if one of its roles may run this operation.

    An integration (role `system`) admitted to an operation listed in `system_scopes` also needs
    one of that operation's scopes in its token: the role says it is an integration, the scopes
    what it may read.

    `scopes_required` (the notifier) makes the scopes the whole of an integration's rights: an
    operation missing from `system_scopes` is closed to `system` (default deny, as the matrix
    is; an empty set opens it to every integration), and a token lacking the scope does not
    count as `system` at all, also when it holds another role the matrix admits. Without that,
    a token with `system` and `enhetschef` but no scope would pass as the enhetschef and then be
    served with the every-enhet powers the service grants `system`.
    """
    scopes_for = system_scopes or {}

    async def authorize(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        operation = operation_id(request)
        admitted = matrix.get(operation, frozenset())
        allowed = principal.roles.intersection(admitted)
        if not allowed:
            raise Forbidden("Your role may not perform this operation.")
        needed = scopes_for.get(operation)
        if scopes_required and Role.system in allowed:
            if needed is None or (needed and not principal.scopes & needed):
                if allowed == {Role.system}:
                    raise ScopeSaknas(_scope_detail(needed))
                principal = replace(principal, roles=principal.roles - {Role.system})
                request.state.principal = principal
            return principal
        if allowed == {Role.system} and needed and not principal.scopes & needed:
            raise ScopeSaknas(_scope_detail(needed))
        return principal

    return authorize


def _scope_detail(needed: frozenset[str] | None) -> str:
    if not needed:
        return "This operation is not open to integrations."
    return f"This operation needs one of the scopes: {' '.join(sorted(needed))}."
