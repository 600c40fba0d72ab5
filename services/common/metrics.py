"""Prometheus metrics: request durations recorded without locks, backlog figures read at scrape.

The request path does one `perf_counter` pair and a few list increments (RequestDurations,
called from the request id middleware): prometheus_client's own Histogram takes a lock per
`labels()` and per `observe()`, which this avoids. All of it runs on the event loop's thread,
between awaits, so plain Python lists are safe. Figures that need the database (backlogs,
dead letters, seal delay) are read by one query when /metrics is scraped, cached for
METRICS_CACHE_SECONDS so several scrapers (two Prometheus replicas) share it.

Who may scrape: with METRICS_TOKEN set, only a caller sending `Authorization: Bearer <token>`
(Prometheus `authorization.credentials_file`); without it, anybody in development (no
JWKS_URL) and nobody in production (403): an operator opts in with the token. docs/operations.md.
"""

import asyncio
import bisect
import hmac
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common.problems import Forbidden, Unauthorized
from common.settings import CommonSettings

# Seconds; from a cached read (~1 ms) to the pool timeout and past it.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Paths that match no route (scanners, typos) share one label: one series per raw path would
# let any caller grow the scrape without bound.
UNMATCHED = "unmatched"


class RequestDurations(Collector):
    """`http_server_request_duration_seconds{method,route,status}`, kept as plain lists."""

    name = "http_server_request_duration_seconds"

    def __init__(self, buckets: tuple[float, ...] = DURATION_BUCKETS) -> None:
        self._bounds = list(buckets)
        # (method, route, status) -> [count per bucket..., count over the last bound, sum]
        self._series: dict[tuple[str, str, str], list[float]] = {}

    def observe(self, method: str | None, route: str | None, status: int | None, seconds: float) -> None:
        key = (
            method if method in _METHODS else "other",
            route or UNMATCHED,
            str(status) if status is not None else "none",
        )
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = [0.0] * (len(self._bounds) + 2)
        series[bisect.bisect_left(self._bounds, seconds)] += 1
        series[-1] += seconds

    def collect(self) -> Iterable[Metric]:
        family = HistogramMetricFamily(
            self.name,
            "Time from the request's arrival to the end of its response, by route template and status.",
            labels=["method", "route", "status"],
            unit="seconds",
        )
        for (method, route, status), series in list(self._series.items()):
            cumulative, buckets = 0.0, []
            for bound, count in zip([*map(str, self._bounds), "+Inf"], series[:-1], strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            family.add_metric([method, route, status], buckets, sum_value=series[-1])
        yield family


ScrapeQuery = Callable[[AsyncSession, datetime], Awaitable[None]]


class ServiceMetrics:
    """One app's registry: request durations, pool usage, and the service's own figures."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = RequestDurations()
        self.registry.register(self.requests)
        self.pool_size = self.gauge("db_pool_size", "Connections the pool keeps (DATABASE_POOL_SIZE).")
        self.pool_checked_out = self.gauge("db_pool_checked_out", "Connections in use.")
        self.pool_overflow = self.gauge("db_pool_overflow", "Connections open beyond the pool size.")
        self.scrape_errors = self.counter("metrics_scrape_errors", "Scrapes whose database figures failed.")
        self._scrape_queries: list[ScrapeQuery] = []
        self._cached_at: float | None = None
        self._refreshing = asyncio.Lock()

    def gauge(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, documentation, labels, namespace=self.namespace, registry=self.registry)

    def counter(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Counter:
        return Counter(name, documentation, labels, namespace=self.namespace, registry=self.registry)

    def on_scrape(self, query: ScrapeQuery) -> None:
        """Register a function that reads figures from the database and sets gauges."""
        self._scrape_queries.append(query)

    def _read_pool(self, engine: AsyncEngine) -> None:
        pool: Any = engine.pool
        if hasattr(pool, "checkedout"):
            self.pool_size.set(pool.size())
            self.pool_checked_out.set(pool.checkedout())
            self.pool_overflow.set(max(pool.overflow(), 0))

    async def refresh(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        now: datetime,
        max_age_seconds: float,
    ) -> None:
        self._read_pool(engine)
        # Scrapers arriving together wait for one read instead of each running it.
        async with self._refreshing:
            fresh = self._cached_at is not None and time.monotonic() - self._cached_at < max_age_seconds
            if fresh or not self._scrape_queries:
                return
            try:
                async with session_factory() as session, session.begin():
                    for query in self._scrape_queries:
                        await query(session, now)
            except Exception:
                # The last figures stay; the counter (and /health/ready) tell the database is away.
                self.scrape_errors.inc()
            self._cached_at = time.monotonic()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def age_seconds(now: datetime, then: datetime | None) -> float:
    """For "oldest pending" gauges: 0 when nothing is pending, never negative (clock skew)."""
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


def _authorize_scrape(request: Request, settings: CommonSettings) -> None:
    expected = settings.metrics_token
    if expected is None:
        if settings.production_keys:
            raise Forbidden("/metrics needs METRICS_TOKEN in production")
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.get_secret_value().encode()
    ):
        raise Unauthorized("a valid metrics token is required")


def metrics_router() -> APIRouter:
    router = APIRouter()

    # Not in the OpenAPI spec: it is for Prometheus, not for integrators.
    @router.get("/metrics", include_in_schema=False)
    async def get_metrics(request: Request) -> Response:
        app = request.app
        settings: CommonSettings = app.state.settings
        _authorize_scrape(request, settings)
        metrics: ServiceMetrics = app.state.metrics
        await metrics.refresh(
            app.state.session_factory, app.state.engine, app.state.clock(), settings.metrics_cache_seconds
        )
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
