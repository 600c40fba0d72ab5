"""Tolkbehov (issue 14 item 2): recorded on the person by the enhet, and shown to the utförare
through the uppdrag, as the rest of the enhet's record about the child."""

from typing import Any

import pytest

from tests.case_api.flow import Walk
from tests.case_api.steg import Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def test_the_utforare_sees_the_childs_tolkbehov_through_the_uppdrag(
    walk: Walk, token: TokenFactory
) -> None:
    steg = Steg(walk)
    barn = {"personnummer": "201503142380", "tolkbehov": {"sprak": "arabiska"}}
    akt = await steg.aktualisering(barn=barn)
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])
    await steg.avsluta_utredning(await steg.utredning_id(akt["arende_id"]))
    insats = await steg.beslut(akt["arende_id"])
    uppdrag = await steg.uppdrag(insats["id"])
    seen = (await walk.get("utforare", f"/v1/uppdrag/{uppdrag['id']}")).json()
    assert seen["barn"]["tolkbehov"] == {"sprak": "arabiska", "teckensprak": False}
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    assert arende["barn"]["tolkbehov"] == {"sprak": "arabiska", "teckensprak": False}
    # A later anmälan that says nothing about it keeps it; one that says sign language records that.
    await steg.aktualisering(barn={"personnummer": "201503142380"})
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    assert arende["barn"]["tolkbehov"]["sprak"] == "arabiska"
    # Another enhet's record of the child says nothing of what bou-1 recorded.
    gun = Walk(
        walk.client,
        people(token, enhet="bou-2") | {"handlaggare": token("handlaggare", sub="gun", enhet="bou-2")},
    )
    other = await Steg(gun).aktualisering(enhet="bou-2", barn={"personnummer": "201503142380"})
    theirs = (await gun.get("handlaggare", f"/v1/arenden/{other['arende_id']}")).json()
    assert theirs["barn"]["tolkbehov"] is None


async def test_a_tolkbehov_names_a_language_or_sign_language(walk: Walk) -> None:
    body = {"personnummer": "201503142380", "tolkbehov": {}}
    response = await walk.client.post(
        "/v1/aktualiseringar",
        json={**(await _anmalan()), "barn": body},
        headers=bearer(walk.tokens["handlaggare"]),
    )
    assert_problem(response, 422, "validation-error")
    ok = await Steg(walk).aktualisering(
        barn={"personnummer": "201503142380", "tolkbehov": {"teckensprak": True}}
    )
    arende = (await walk.get("handlaggare", f"/v1/arenden/{ok['arende_id']}")).json()
    assert arende["barn"]["tolkbehov"] == {"sprak": None, "teckensprak": True}


async def _anmalan() -> dict[str, Any]:
    from tests.case_api.flow import ANMALAN

    return ANMALAN | {"inkom": "2026-03-10T09:00:00+01:00"}
