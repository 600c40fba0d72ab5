"""The child's own samtycke counts from 15, whichever way it is recorded (issue 14 item 8): a
serviceinsats's samtycke is refused by the same rule as POST /v1/personer/{id}/samtycken."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import TEST_PNR, Walk
from tests.case_api.steg import DAG, fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

SERVICE: dict[str, Any] = {
    "enhet": "bou-1",
    "startdatum": DAG,
    "beskrivning": "Föräldrastöd i grupp.",
    "samtycke": {"givet_av": "barnet", "omfattning": ["behandling av personuppgifter"], "giltigt_fran": DAG},
}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def test_an_11_year_old_cannot_consent_to_a_serviceinsats(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    before = await fingerprint(case_conn)
    body = SERVICE | {"barn": {"personnummer": TEST_PNR}}  # born 2015-03-14: 11 on DAG
    response = await walk.client.post(
        "/v1/serviceinsatser", json=body, headers=bearer(walk.tokens["handlaggare"])
    )
    problem = assert_problem(response, 422, "barnet-under-15")
    assert problem["errors"][0]["field"] == "samtycke.givet_av", problem
    assert await fingerprint(case_conn) == before


async def test_a_15_year_old_can(walk: Walk) -> None:
    body = SERVICE | {"barn": {"personnummer": "201012012389"}}  # born 2010-12-01: 15 on DAG
    insats = (await walk.post("handlaggare", "/v1/serviceinsatser", body, expect=201)).json()
    assert insats["samtycke_id"] is not None
