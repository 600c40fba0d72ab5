"""When to try again: exponential backoff with jitter, or the receiver's Retry-After."""

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

RETRY_AFTER_MAX = timedelta(days=1)


def delay(attempt: int, *, base: float, cap: float, rand: random.Random | None = None) -> timedelta:
    """After attempt n (1-based): "equal jitter", half fixed and half random, so retries spread
    out but never come sooner than half the exponential step."""
    step = min(cap, base * 2 ** (attempt - 1))
    jitter = (rand or random).uniform(0, step / 2)
    return timedelta(seconds=step / 2 + jitter)


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = timedelta(seconds=int(value))
    else:
        try:
            seconds = parsedate_to_datetime(value) - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(timedelta(0), min(seconds, RETRY_AFTER_MAX))
