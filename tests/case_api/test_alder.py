"""The barn of an aktualisering is a child (issue 14 item 9): a person of 21 or more is refused,
18-20 only with `unga_vuxna` (the insats may reach unga vuxna)."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import ANMALAN, Walk
from tests.case_api.steg import fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

FODD_1980 = "198001012387"
FODD_2007 = "200703102384"  # 19 on 2026-03-10
FODD_2005 = "200503092389"  # 21 on 2026-03-09


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def _post(walk: Walk, barn: dict[str, Any]) -> Any:
    body = ANMALAN | {"inkom": "2026-03-10T09:00:00+01:00", "barn": barn}
    return await walk.client.post(
        "/v1/aktualiseringar", json=body, headers=bearer(walk.tokens["handlaggare"])
    )


async def test_a_person_of_21_or_more_is_refused(walk: Walk, case_conn: AsyncConnection) -> None:
    before = await fingerprint(case_conn)
    for barn, field in (
        ({"personnummer": FODD_1980}, "barn.personnummer"),
        ({"personnummer": FODD_2005, "unga_vuxna": True}, "barn.personnummer"),
        ({"fornamn": "Okänd", "efternamn": "Vuxen", "fodelsedatum": "1980-01-01"}, "barn.fodelsedatum"),
    ):
        problem = assert_problem(await _post(walk, barn), 422, "validation-error")
        assert problem["errors"][0]["field"] == field, problem
        assert "21" in problem["errors"][0]["message"]
    assert await fingerprint(case_conn) == before


async def test_an_ung_vuxen_needs_the_flag(walk: Walk) -> None:
    problem = assert_problem(await _post(walk, {"personnummer": FODD_2007}), 422, "validation-error")
    assert problem["errors"][0]["field"] == "barn.unga_vuxna", problem
    assert (await _post(walk, {"personnummer": FODD_2007, "unga_vuxna": True})).status_code == 201
