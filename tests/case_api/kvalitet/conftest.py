"""Fixtures for the quality modules: a frozen clock on the app, and role-token headers."""

from datetime import UTC, datetime
from typing import Any

import pytest

from common.clock import FrozenClock
from tests.helpers import bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    case_app.state.clock = frozen
    return frozen


@pytest.fixture
def as_role(token):  # type: ignore[no-untyped-def]
    """as_role("enhetschef", enhet="bou-1") -> Authorization headers."""

    def make(*roles: str, enhet: str | None = "bou-1", sub: str = "anna") -> dict[str, str]:
        return bearer(token(*roles, enhet=enhet, sub=sub))

    return make
