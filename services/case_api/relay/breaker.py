"""The relay's circuit breaker: when the notifier answers nothing that concerns any event (it is
unreachable, times out, or answers 5xx/429 to every one), the relay stops sending for a while as
a whole, then tries one event (half-open) before sending batches again.

Those rounds cost no event an attempt (case_api.relay.service): an outage of the notifier is not
a fault of the events, and counting it dead-lettered events and blocked their ärenden (40 s of
downtime used 9 of 12 attempts on one event).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Breaker:
    base_seconds: float
    max_seconds: float
    rand: Callable[[], float] = field(default=random.random)
    failures: int = 0  # outage rounds in a row
    open_until: datetime | None = None

    def allows(self, now: datetime) -> bool:
        return self.open_until is None or now >= self.open_until

    @property
    def half_open(self) -> bool:
        """After an outage round: the next round sends one event, as a probe."""
        return self.failures > 0

    def seconds_left(self, now: datetime) -> float:
        return 0.0 if self.open_until is None else max((self.open_until - now).total_seconds(), 0.0)

    def trip(self, now: datetime) -> datetime:
        """Open (again), for an exponentially longer pause with equal jitter; returns its end."""
        self.failures += 1
        step = min(self.max_seconds, self.base_seconds * 2.0 ** (self.failures - 1))
        self.open_until = now + timedelta(seconds=step / 2 + self.rand() * step / 2)
        return self.open_until

    def reset(self) -> None:
        self.failures = 0
        self.open_until = None
