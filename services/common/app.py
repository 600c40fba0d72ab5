"""What every service app has: logs with request ids, problem+json, health, tokens, a database."""

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from common.clock import Clock, system_clock
from common.db import engine_from_settings, make_session_factory
from common.docs import install_docs
from common.health import health_router
from common.limits import RequestLimits
from common.logging import RequestIdMiddleware, configure_logging
from common.metrics import ServiceMetrics, metrics_router
from common.openapi import problem_openapi
from common.problems import install_problem_handlers
from common.request_checks import RefuseControlCharacters, refuse_unknown_query
from common.security_headers import SecurityHeaders
from common.settings import CommonSettings
from common.shutdown import Shutdown
from common.tokens import KeyStore

# A background worker: a long-running coroutine over the app (its engine, settings, clock).
Worker = Callable[[FastAPI], Coroutine[Any, Any, None]]


# What a worker may take beyond the grace to give back what it holds (one short UPDATE).
_RELEASE_SECONDS = 2.0


@asynccontextmanager
async def running(app: FastAPI, workers: Sequence[Worker]) -> AsyncIterator[None]:
    """Run the workers while the app serves. At the end (uvicorn got SIGTERM and has drained its
    requests) they are asked to stop (app.state.shutdown): each finishes or releases what it
    holds within SHUTDOWN_GRACE_SECONDS; one that does not is cancelled."""
    shutdown = Shutdown(app.state.settings.shutdown_grace_seconds)
    app.state.shutdown = shutdown
    tasks = [asyncio.create_task(worker(app), name=worker.__name__) for worker in workers]
    try:
        yield
    finally:
        shutdown.request()
        if tasks:
            await asyncio.wait(tasks, timeout=shutdown.grace_seconds + _RELEASE_SECONDS)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def freeze_startup_heap() -> None:
    """Move what startup built (modules, routes, models, the ORM's registries) out of the
    collector's reach. Python's full collections walk every tracked object: with that heap they
    took 60-180 ms each, several times a minute under load (measured with gc.callbacks in the
    API processes), and a request arriving then waits the whole pause. Frozen, a collection
    walks only what requests made since."""
    gc.collect()
    gc.freeze()


async def _refresh_keys(app: FastAPI) -> None:
    key_store: KeyStore = app.state.key_store
    await key_store.refresh_periodically()


def build_app(
    *,
    title: str,
    description: str,
    settings: CommonSettings,
    database_url: str | None,
    expected_head: str | None,
    routers: Sequence[APIRouter],
    engine: AsyncEngine | None = None,
    workers: Sequence[Worker] = (),
    version: str = "1.0.0",
    clock: Clock = system_clock,
    with_docs: bool = True,
    metrics: ServiceMetrics | None = None,
) -> FastAPI:
    """Build a service app. Pass `engine` to share one (tests); else one is made from the URL."""
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        if own_engine:
            if database_url is None:
                raise RuntimeError(f"{title}: no database URL configured")
            app.state.engine = engine_from_settings(database_url, settings)
            app.state.session_factory = make_session_factory(app.state.engine)
        # Production keys are renewed on a schedule, whether or not this process runs workers.
        refresher = [_refresh_keys] if settings.jwks_url is not None else []
        freeze_startup_heap()
        async with running(app, [*refresher, *workers]):
            yield
        if own_engine:
            await app.state.engine.dispose()
        provider = getattr(app.state, "tracer_provider", None)
        if provider is not None:
            await asyncio.to_thread(provider.shutdown)  # exports the spans still buffered

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        generate_unique_id_function=lambda route: route.name,
        docs_url=None,
        redoc_url=None,
        # Every route refuses query parameters it does not read (422 naming them).
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.key_store = KeyStore(settings)
    app.state.metrics = metrics = metrics or ServiceMetrics("app")
    if engine is not None:
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
    install_problem_handlers(app)
    # Added first, so it runs inside the request id middleware and its 422 carries the id.
    app.add_middleware(RefuseControlCharacters)
    # Inside the request id (a 413 carries it), outside everything that reads the body.
    app.add_middleware(RequestLimits, settings=settings)
    if settings.tracing_enabled:
        # Inside the request id middleware, which has read the caller's traceparent.
        from common.otel import install_tracing

        install_tracing(app, service_name=metrics.namespace.replace("_", "-"), settings=settings)
    app.add_middleware(RequestIdMiddleware, durations=metrics.requests)
    app.add_middleware(SecurityHeaders)
    if with_docs and settings.api_docs:
        install_docs(app, title=title)
    app.include_router(health_router(expected_head))
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)
    app.openapi = problem_openapi(app)  # type: ignore[method-assign]
    return app
