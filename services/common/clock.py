"""The one source of "now", so tests travel in time instead of sleeping."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FrozenClock:
    """A settable clock for tests and simulations."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


def request_clock(request: Request) -> Clock:
    """The app's clock (app.state.clock): the system clock unless a test set another."""
    clock: Clock = getattr(request.app.state, "clock", system_clock)
    return clock


async def _request_clock(request: Request) -> Clock:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
    return request_clock(request)


ClockDep = Annotated[Clock, Depends(_request_clock)]
