"""A samtycke records who gave it (issue 14 item 6): which vårdnadshavare, one or both, by name
(a guardian has no person row), or the child itself from 15 (barnet-under-15, one rule)."""

from typing import Any

import pytest

from tests.case_api.flow import ANMALAN
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

BODY = {"givet_av": "vardnadshavare", "omfattning": ["informationsutbyte"], "giltigt_fran": "2026-03-01"}
BADA = [{"namn": "Vera Testsson"}, {"namn": "Viktor Testsson"}]


async def _person(client: Any, token: TokenFactory) -> tuple[str, dict[str, str]]:
    hl = bearer(token("handlaggare", sub="anna", enhet="bou-1"))
    created = await client.post("/v1/aktualiseringar", json=ANMALAN, headers=hl)
    assert created.status_code == 201, created.text
    arende = await client.get(f"/v1/arenden/{created.json()['arende_id']}", headers=hl)
    return str(arende.json()["barn"]["id"]), hl


async def test_which_vardnadshavare_gave_it_is_recorded_and_shown(
    case_client: Any, token: TokenFactory
) -> None:
    person_id, hl = await _person(case_client, token)
    path = f"/v1/personer/{person_id}/samtycken"
    both = await case_client.post(path, json=BODY | {"vardnadshavare": BADA}, headers=hl)
    assert both.status_code == 201, both.text
    assert both.json()["vardnadshavare"] == BADA
    one = await case_client.post(path, json=BODY | {"vardnadshavare": BADA[:1]}, headers=hl)
    assert one.status_code == 201, one.text
    listed = (await case_client.get(path, headers=hl)).json()
    assert [s["vardnadshavare"] for s in listed] == [BADA, BADA[:1]]
    # The nämnd's extract of the person shows it too.
    utdrag = await case_client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        params={"skal": "Begäran"},
        headers=bearer(token("kvalitetssamordnare")),
    )
    assert utdrag.status_code == 200, utdrag.text
    rows = utdrag.json()["uppgifter"]["samtycke"]
    assert sorted(len(r["vardnadshavare"]) for r in rows) == [1, 2]
    assert {v["namn"] for r in rows for v in r["vardnadshavare"]} == {"Vera Testsson", "Viktor Testsson"}


@pytest.mark.parametrize(
    "over",
    [
        {},  # givet_av vardnadshavare, but not which
        {"vardnadshavare": []},
        {"vardnadshavare": [*BADA, {"namn": "Tredje Person"}]},  # one or both, not three
        {"vardnadshavare": [{"namn": "Vera Testsson"}, {"namn": "vera testsson"}]},  # each once
        {"vardnadshavare": [{"namn": "Vera\x00"}]},
        {"vardnadshavare": [{"namn": ""}]},
        {"vardnadshavare": [{"namn": "Vera", "personnummer": "198001011234"}]},
        {"givet_av": "barnet", "vardnadshavare": BADA[:1]},  # the child's own: no guardian named
    ],
)
async def test_who_gave_it_is_one_or_both_vardnadshavare_or_the_child(
    case_client: Any, token: TokenFactory, over: dict[str, Any]
) -> None:
    person_id, hl = await _person(case_client, token)
    response = await case_client.post(f"/v1/personer/{person_id}/samtycken", json=BODY | over, headers=hl)
    assert_problem(response, 422)
    assert "Vera\x00" not in response.text


async def test_the_child_under_15_still_cannot_give_it(case_client: Any, token: TokenFactory) -> None:
    person_id, hl = await _person(case_client, token)  # born 2015
    response = await case_client.post(
        f"/v1/personer/{person_id}/samtycken", json=BODY | {"givet_av": "barnet"}, headers=hl
    )
    assert_problem(response, 422, "barnet-under-15")
