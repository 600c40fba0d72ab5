"""Graceful stop for the background loops (relay, sweep, sealer, the notifier's workers).

A stop is a request, not a cancellation: SIGTERM (or the app's lifespan ending) sets it, each
loop stops taking new work, gives what it is doing SHUTDOWN_GRACE_SECONDS to finish, cancels
the rest and gives back what it holds (leases set free at once, advisory locks unlocked), then
returns. Cancelling outright left leases that stalled their ärenden for the whole lease: a
rolling restart of a relay held 27 s of leases on events nobody was sending.
"""

import asyncio
import contextlib
import signal
from collections.abc import Collection, Coroutine
from typing import Any


class Shutdown:
    def __init__(self, grace_seconds: float) -> None:
        self.grace_seconds = grace_seconds
        self._event = asyncio.Event()
        self._deadline: float | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self) -> None:
        if not self.requested:
            self._deadline = asyncio.get_running_loop().time() + self.grace_seconds
            self._event.set()

    def grace_left(self) -> float:
        if self._deadline is None:
            return self.grace_seconds
        return max(self._deadline - asyncio.get_running_loop().time(), 0.0)

    async def requested_event(self) -> None:
        """Returns when a stop is requested (to race against other work with asyncio.wait)."""
        await self._event.wait()

    async def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking at once on a stop; True when a stop was requested."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        return self.requested

    async def finish(self, tasks: Collection[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
        """Wait for `tasks`; once a stop is requested, for at most what is left of the grace.
        Cancels (and awaits) the ones still running then; returns those cancelled ones."""
        pending = {t for t in tasks if not t.done()}
        stop = asyncio.ensure_future(self._event.wait())
        try:
            while pending and not self.requested:
                _, still = await asyncio.wait({*pending, stop}, return_when=asyncio.FIRST_COMPLETED)
                pending = {t for t in still if t is not stop}
            if pending:
                _, pending = await asyncio.wait(pending, timeout=self.grace_left())
        finally:
            stop.cancel()
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        return pending


async def first_of(*waits: Coroutine[Any, Any, Any], seconds: float) -> None:
    """Until the first of `waits` returns, or `seconds` pass; the others are cancelled."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def never() -> Shutdown:
    """A stop that is never requested (tests and callers that run one round)."""
    return Shutdown(0.0)


def on_signals(shutdown: Shutdown) -> None:
    """SIGTERM/SIGINT request the stop; a second signal cancels the running task outright."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def handle() -> None:
        if shutdown.requested and task is not None:
            task.cancel()
        shutdown.request()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, handle)


def of_app(app: Any) -> Shutdown:
    """The app's stop (common.app.running sets it); never requested for a worker run bare."""
    found = getattr(app.state, "shutdown", None)
    return found if isinstance(found, Shutdown) else never()
