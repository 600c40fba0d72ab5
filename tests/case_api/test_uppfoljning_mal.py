"""An uppföljning follows up what it is about (issue 14 item 10): each mal is one of the plan's
(of the uppdrag's, for the beslut), and the beslut's uppföljning is the beställare's."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import Walk
from tests.case_api.steg import UPPFOLJNING, Steg, fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def _uppdrag_med_plan(walk: Walk) -> str:
    steg = Steg(walk)
    _, _, uppdrag = await steg.verkstallt_uppdrag()
    plan = await steg.plan(uppdrag["id"])
    await steg.faststall(plan["id"])
    return f"/v1/uppdrag/{uppdrag['id']}/uppfoljningar"


async def test_a_mal_not_in_the_plan_is_refused(walk: Walk, case_conn: AsyncConnection) -> None:
    path = await _uppdrag_med_plan(walk)
    before = await fingerprint(case_conn)
    body = UPPFOLJNING | {
        "maluppfyllelse": [
            {"mal": "Trygg skolgång", "bedomning": "delvis_uppnatt"},
            {"mal": "Körkort", "bedomning": "uppnatt"},
        ]
    }
    for who in ("utforare", "handlaggare"):
        response = await walk.client.post(path, json=body, headers=bearer(walk.tokens[who]))
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["field"] == "maluppfyllelse.1.mal", problem
        assert "Trygg skolgång" in problem["errors"][0]["message"]
    assert await fingerprint(case_conn) == before
    await walk.post("utforare", path, UPPFOLJNING, expect=201)


async def test_the_beslut_is_followed_up_by_the_bestallare(walk: Walk, case_conn: AsyncConnection) -> None:
    path = await _uppdrag_med_plan(walk)
    before = await fingerprint(case_conn)
    beslut = UPPFOLJNING | {"avser": "beslut"}
    response = await walk.client.post(path, json=beslut, headers=bearer(walk.tokens["utforare"]))
    assert_problem(response, 403, "beslutets-uppfoljning")
    assert await fingerprint(case_conn) == before
    made = (await walk.post("handlaggare", path, beslut, expect=201)).json()
    assert (made["avser"], made["dokumenterad_av"]) == ("beslut", "anna")
