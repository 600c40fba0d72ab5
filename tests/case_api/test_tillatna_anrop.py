"""tillatna_kommandon lists only what a client can call, and tillatna_anrop names the endpoint
of each (issue 14 item 11): no `anslut` on an aktualisering, no `avslut` on an uppdrag."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from case_api.tillstand import ENDPOINTS, MASKINER
from tests.case_api.flow import Walk
from tests.case_api.steg import Steg, frozen, people
from tests.conftest import TokenFactory

SPEC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "case_api.json").read_text())


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


def _template(path: str) -> str:
    """The path with every parameter named alike, so /v1/uppdrag/{id}/x matches {uppdrag_id}."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_named_endpoint_is_a_post_of_the_api() -> None:
    posts = {_template(p) for p, item in SPEC["paths"].items() if "post" in item}
    for objekt, endpoints in ENDPOINTS.items():
        for kommando, path in endpoints.items():
            assert any(kommando in cmds for cmds in MASKINER[objekt].values()), (objekt, kommando)
            assert _template(path) in posts, (objekt, kommando, path)


async def test_answers_offer_only_callable_commands_with_their_endpoint(walk: Walk) -> None:
    steg = Steg(walk)
    akt = await steg.aktualisering()
    assert akt["tillatna_kommandon"] == ["forlangning", "skyddsbedomning"]  # not anslut
    assert akt["tillatna_anrop"] == [
        {"kommando": "forlangning", "metod": "POST", "href": f"/v1/aktualiseringar/{akt['id']}/forlangning"},
        {
            "kommando": "skyddsbedomning",
            "metod": "POST",
            "href": f"/v1/aktualiseringar/{akt['id']}/skyddsbedomning",
        },
    ]
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])
    await steg.avsluta_utredning(await steg.utredning_id(akt["arende_id"]))
    insats = await steg.beslut(akt["arende_id"])
    assert insats["tillatna_kommandon"] == ["avslut", "uppdrag"]  # the utförare reports verkställighet
    uppdrag = await steg.uppdrag(insats["id"])
    # Not avslut (it ends with its insats); the beställare's aterkallelse, the utförare's mottagande.
    assert uppdrag["tillatna_kommandon"] == ["aterkallelse", "mottagande"]
    assert uppdrag["tillatna_anrop"] == [
        {"kommando": "aterkallelse", "metod": "POST", "href": f"/v1/uppdrag/{uppdrag['id']}/aterkallelse"},
        {"kommando": "mottagande", "metod": "POST", "href": f"/v1/uppdrag/{uppdrag['id']}/mottagande"},
    ]
    # Each offered endpoint answers: the first one offered is called, and works.
    mottaget = await steg.motta(uppdrag["id"])
    assert set(mottaget["tillatna_kommandon"]) == {"verkstallighet", "ej_verkstallt", "aterkallelse"}
