"""Integrations (role system) read what their token's scopes say, across every enhet (issue 5)."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.atkomst.support import audit_rows
from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    return clock


async def _two_enheter(client: httpx.AsyncClient, token: TokenFactory) -> list[dict[str, Any]]:
    created = []
    for enhet, pnr in (("bou-1", "201503142380"), ("bou-2", "201212121212")):
        response = await client.post(
            "/v1/aktualiseringar",
            json=ANMALAN | {"enhet": enhet, "barn": {"personnummer": pnr}},
            headers=bearer(token("handlaggare", sub=f"hl-{enhet}", enhet=enhet)),
        )
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


def _system(token: TokenFactory, scope: str | None) -> dict[str, str]:
    extra = {"scope": scope} if scope is not None else {}
    return bearer(token("system", sub="statistik", enhet=None, **extra))


async def test_arenden_las_reads_every_enhet(
    case_client: httpx.AsyncClient, token: TokenFactory, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    created = await _two_enheter(case_client, token)
    system = _system(token, "arenden:las")
    listed = await case_client.get("/v1/arenden", headers=system)
    assert listed.status_code == 200, listed.text
    assert {a["enhet"] for a in listed.json()["items"]} == {"bou-1", "bou-2"}
    rows = await audit_rows(case_conn, listed.headers["X-Request-ID"])
    assert (
        len(rows) == 2
        and {r.sub for r in rows} == {"statistik"}
        and {r.roller[0] for r in rows} == {"system"}
    )
    for akt in created:
        arende = await case_client.get(f"/v1/arenden/{akt['arende_id']}", headers=system)
        assert arende.status_code == 200, arende.text
        assert (await case_client.get(f"/v1/aktualiseringar/{akt['id']}", headers=system)).status_code == 200
    bevakningar = (await case_client.get("/v1/bevakningar", headers=system)).json()["items"]
    assert {b["enhet"] for b in bevakningar} == {"bou-1", "bou-2"}


async def test_without_the_scope_the_system_role_is_refused(
    case_client: httpx.AsyncClient, token: TokenFactory, clock: FrozenClock
) -> None:
    akt = (await _two_enheter(case_client, token))[0]
    reads = [
        "/v1/arenden",
        f"/v1/arenden/{akt['arende_id']}",
        f"/v1/aktualiseringar/{akt['id']}",
        "/v1/bevakningar",
    ]
    for scope in (None, "", "relay:skriv arenden:skriv", "arenden:las:extra"):
        for path in reads:
            assert_problem(await case_client.get(path, headers=_system(token, scope)), 403, "scope-missing")
    # bevakningar:las reads the bevakningar, and nothing else.
    only_bevakningar = _system(token, "bevakningar:las")
    assert (await case_client.get("/v1/bevakningar", headers=only_bevakningar)).status_code == 200
    assert_problem(await case_client.get("/v1/arenden", headers=only_bevakningar), 403, "scope-missing")


async def test_the_scope_opens_reads_only(
    case_client: httpx.AsyncClient, token: TokenFactory, clock: FrozenClock
) -> None:
    akt = (await _two_enheter(case_client, token))[0]
    system = _system(token, "arenden:las bevakningar:las")
    assert_problem(
        await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=system), 403, "forbidden"
    )
    closing = await case_client.post(
        f"/v1/arenden/{akt['arende_id']}/avslut", json={"orsak": "x"}, headers=system | {"If-Match": '"1"'}
    )
    assert_problem(closing, 403, "forbidden")
    # Uppdrag, beslut and the rest are not in its rows.
    assert_problem(await case_client.get("/v1/uppdrag", headers=system), 403, "forbidden")


async def test_a_protected_child_stays_masked_for_an_integration(
    case_client: httpx.AsyncClient, token: TokenFactory, clock: FrozenClock
) -> None:
    body = ANMALAN | {
        "barn": {"personnummer": "201503142380", "fornamn": "Hemlig", "skyddad_identitet": True}
    }
    akt = await case_client.post("/v1/aktualiseringar", json=body, headers=bearer(token("handlaggare")))
    assert akt.status_code == 201, akt.text
    seen = await case_client.get(
        f"/v1/arenden/{akt.json()['arende_id']}", headers=_system(token, "arenden:las")
    )
    assert seen.json()["barn"]["maskerad"] is True
    assert "Hemlig" not in seen.text and "201503142380" not in seen.text
