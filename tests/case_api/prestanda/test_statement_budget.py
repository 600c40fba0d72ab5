"""The statement budget of the hot paths, counted on the wire between the app and PostgreSQL.

Each statement is a round trip the request waits for and the database spends a snapshot on; a
municipality's morning multiplies them. The counter reads the protocol (tests/dbproxy.py), so
it sees ORM, Core and raw asyncpg alike; a failure lists the statements that ran.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from case_api.main import create_app
from case_api.settings import Settings
from common.db import make_engine
from devstack.databases import ServiceDatabase
from devstack.syntetiska import samordningsnummer
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory, asgi_client
from tests.dbproxy import WireCounter, db_proxy
from tests.helpers import bearer

# BEGIN with the scope (one simple query, common.db.begin_with), COMMIT and the writes
# themselves; the raw shape (bench/throughput.py) needs 9 (its BEGIN and scope are two).
POST_AKTUALISERING_BUDGET = 9
# The worklist: BEGIN with the scope, the page (with each ärende's child), its audit rows, COMMIT.
WORKLIST_BUDGET = 4
# The case file: BEGIN with the scope, the ärende with every row of its case file, its child and
# the enhet's record of the child (one statement however many aktualiseringar it has: three
# here), the audit row, COMMIT.
ARENDE_BUDGET = 4


@pytest.fixture
async def counted(
    committed_case_db: ServiceDatabase, case_settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, WireCounter]]:
    counter = WireCounter()
    async with db_proxy(committed_case_db.app_url, counter) as proxy:
        engine = make_engine(proxy.url_for(committed_case_db.app_url), pool_size=1, max_overflow=0)
        try:
            async with asgi_client(create_app(case_settings, engine=engine)) as client:
                yield client, counter
        finally:
            await engine.dispose()


def anmalan(pnr: str) -> dict[str, Any]:
    return ANMALAN | {"barn": {"personnummer": pnr, "fornamn": "Test", "efternamn": "Testsson"}}


def listing(counter: WireCounter) -> str:
    return "\n".join(f"{n + 1:2}. {' '.join(sql.split())[:160]}" for n, sql in enumerate(counter.statements))


async def post(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/v1/aktualiseringar", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def test_post_aktualisering_stays_within_budget(
    counted: tuple[httpx.AsyncClient, WireCounter], token: TokenFactory
) -> None:
    client, counter = counted
    headers = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    children = list(samordningsnummer(3))
    await post(client, headers, anmalan(children[0]))  # warms the statement cache
    for label, body in (
        ("a new child", anmalan(children[1])),
        ("a child with an open ärende", anmalan(children[1]) | {"beskrivning": "Ny oro"}),
        ("with an Idempotency-Key", anmalan(children[2])),
    ):
        extra = {"Idempotency-Key": f"k-{children[2]}"} if "Idempotency" in label else {}
        counter.reset()
        await post(client, headers | extra, body)
        assert len(counter.statements) <= POST_AKTUALISERING_BUDGET, f"{label}:\n{listing(counter)}"


async def test_reads_stay_within_budget(
    counted: tuple[httpx.AsyncClient, WireCounter], token: TokenFactory
) -> None:
    client, counter = counted
    headers = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    numbers = list(samordningsnummer(3))
    created = [await post(client, headers, anmalan(pnr)) for pnr in numbers]
    arende = created[-1]["arende_id"]
    for _ in range(2):  # more aktualiseringar about the same child join its ärende
        assert (await post(client, headers, anmalan(numbers[-1])))["arende_id"] == arende
    for path, budget in (
        ("/v1/bevakningar?status=oppen&forfaller_till=2026-12-31", WORKLIST_BUDGET),
        (f"/v1/arenden/{arende}", ARENDE_BUDGET),
    ):
        await client.get(path, headers=headers)  # warm
        counter.reset()
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        assert len(counter.statements) <= budget, f"{path}:\n{listing(counter)}"
        # Reads take no lock, and a page's audit rows go in one statement.
        assert not [sql for sql in counter.statements if "FOR UPDATE" in sql.upper()], listing(counter)
        assert sum("INSERT INTO audit_logg" in sql for sql in counter.statements) == 1, listing(counter)
