"""The `scope` claim: space-separated OAuth scopes, read into Principal.scopes."""

import pytest

from common.auth import Principal
from common.tokens import TokenError, _claims

BASE = {"sub": "statistik", "roles": ["system"]}


def test_scope_is_split_on_spaces() -> None:
    principal = Principal.from_claims(_claims(BASE | {"scope": "arenden:las  bevakningar:las"}))
    assert principal.scopes == frozenset({"arenden:las", "bevakningar:las"})


def test_no_scope_is_no_scopes() -> None:
    assert Principal.from_claims(_claims(BASE)).scopes == frozenset()


@pytest.mark.parametrize("scope", [["arenden:las"], 7, {"a": 1}])
def test_a_scope_that_is_not_a_string_refuses_the_token(scope: object) -> None:
    with pytest.raises(TokenError):
        _claims(BASE | {"scope": scope})
