"""Dates that contradict each other are refused (issue 14 item 7), each a 422 naming the field
and the date it conflicts with, and changing nothing."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import Walk
from tests.case_api.steg import DAG, Steg, fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer

BESLUT: dict[str, Any] = {
    "utfall": "bifall",
    "insatstyp": "oppenvard",
    "rattslig_grund": "11 kap. 1 § SoL (2025:400)",
    "beslutsdatum": DAG,
    "beslutsfattare": "anna",
    "motivering": "Behov av stöd.",
    "barnperspektiv": BARNPERSPEKTIV,
}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


def conflict(response: Any, field: str, other: str, datum: str) -> None:
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["field"] == field, problem
    assert problem["konflikt"] == {"field": other, "datum": datum}, problem
    assert datum in problem["errors"][0]["message"], problem


async def test_a_beslut_before_its_utredning_began(walk: Walk, case_conn: AsyncConnection) -> None:
    steg = Steg(walk)
    akt = await steg.aktualisering()
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])  # the utredning starts on DAG
    utredning_id = await steg.utredning_id(akt["arende_id"])
    before = await fingerprint(case_conn)
    headers = bearer(walk.tokens["handlaggare"])
    for body in (
        BESLUT | {"arende_id": akt["arende_id"], "beslutsdatum": "2026-03-09"},
        BESLUT | {"arende_id": akt["arende_id"], "utredning_id": utredning_id, "beslutsdatum": "2026-03-09"},
    ):
        response = await walk.client.post("/v1/beslut", json=body, headers=headers)
        conflict(response, "beslutsdatum", "utredning.startdatum", DAG)
    assert await fingerprint(case_conn) == before
    # On the day it began, and without naming it: it rests on the ärende's utredning.
    made = await walk.post("handlaggare", "/v1/beslut", BESLUT | {"arende_id": akt["arende_id"]}, expect=201)
    assert made.json()["utredning_id"] == utredning_id


async def test_a_bifall_with_no_utredning_at_all(walk: Walk, case_conn: AsyncConnection) -> None:
    akt = await Steg(walk).aktualisering(typ="ovrig_information")
    before = await fingerprint(case_conn)
    response = await walk.client.post(
        "/v1/beslut",
        json=BESLUT | {"arende_id": akt["arende_id"]},
        headers=bearer(walk.tokens["handlaggare"]),
    )
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["field"] == "utredning_id", problem
    assert await fingerprint(case_conn) == before
    # An avslag needs no utredning: it opens nothing.
    avslag = BESLUT | {"arende_id": akt["arende_id"], "utfall": "avslag"}
    assert (await walk.post("handlaggare", "/v1/beslut", avslag, expect=201)).json()["insats"] is None


async def test_an_utredning_closed_in_the_future(walk: Walk, case_conn: AsyncConnection) -> None:
    steg = Steg(walk)
    akt = await steg.aktualisering()
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])
    path = f"/v1/utredningar/{await steg.utredning_id(akt['arende_id'])}"
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    before = await fingerprint(case_conn)
    for datum, other, other_datum in (("2026-03-11", "today", DAG), ("2026-03-09", "startdatum", DAG)):
        response = await walk.client.post(
            f"{path}/avslut",
            json={
                "avslutad_datum": datum,
                "resultat": "beslut_om_insats",
                "motivering": "Klar.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": etag},
        )
        conflict(response, "avslutad_datum", other, other_datum)
    assert await fingerprint(case_conn) == before


async def test_an_insats_ended_before_it_was_carried_out(walk: Walk, case_conn: AsyncConnection) -> None:
    _, insats, _ = await Steg(walk).verkstallt_uppdrag()
    path = f"/v1/insatser/{insats['id']}"
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    before = await fingerprint(case_conn)
    response = await walk.client.post(
        f"{path}/avslut",
        json={"avslutad_datum": "2026-03-09", "orsak": "mal_uppnatt"},
        headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": etag},
    )
    conflict(response, "avslutad_datum", "verkstallighetsdatum", DAG)
    assert await fingerprint(case_conn) == before
