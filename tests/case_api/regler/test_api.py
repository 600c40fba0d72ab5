"""GET /v1/regler and /v1/regler/{id}: every role reads the configured table; nobody else."""

import pytest

from case_api.main import create_app
from case_api.regler.tabell import REGLER
from case_api.settings import Settings
from common.auth import Role
from tests.conftest import asgi_client
from tests.helpers import assert_problem, bearer

FALT = {
    "id",
    "namn",
    "startar",
    "uppfylls_av",
    "langd",
    "langd_per_insatstyp",
    "langd_darefter",
    "lag_1930_173",
    "flyttas_inte",
    "senare_start",
    "kan_forlangas",
    "forlangning",
    "paminnelser",
    "kallor",
    "anmarkning",
}


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_every_role_reads_the_table(case_client, token, role: str) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/regler", headers=bearer(token(role, utforare="utf-1")))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["id"] for i in items] == list(REGLER)
    assert all(set(i) == FALT for i in items)

    one = await case_client.get("/v1/regler/utredning", headers=bearer(token(role, utforare="utf-1")))
    assert one.status_code == 200, one.text


async def test_rule_body(case_client, token) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token("handlaggare"))
    body = (await case_client.get("/v1/regler/uppfoljning", headers=headers)).json()
    assert body["langd"] == {"antal": 6, "enhet": "manader"}
    assert body["langd_per_insatstyp"] == {"kontaktfamilj": {"antal": 12, "enhet": "manader"}}
    assert body["lag_1930_173"] is False
    assert body["kan_forlangas"] is False and body["forlangning"] is None
    assert body["paminnelser"] == [30, 7]

    utredning = (await case_client.get("/v1/regler/utredning", headers=headers)).json()
    assert utredning["lag_1930_173"] is True
    assert utredning["kan_forlangas"] is True and "särskilda skäl" in utredning["forlangning"]
    assert utredning["kallor"][0].startswith("20 kap. 3 § socialtjänstlagen (2025:400)")
    assert any("11 kap. 2 §" in k and "2001:453" in k for k in utredning["kallor"][1:])


async def test_served_table_cites_the_law_in_force_and_no_issue(case_client, token) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/regler", headers=bearer(token("handlaggare")))
    items = {i["id"]: i for i in response.json()["items"]}
    statutory = [r for r in items.values() if any("2001:453" in k for k in r["kallor"])]
    assert {r["id"] for r in statutory} >= {
        "skyddsbedomning",
        "forhandsbedomning",
        "utredning",
        "verkstallighet",
    }
    for r in statutory:
        assert any("socialtjänstlagen (2025:400)" in k for k in r["kallor"]), r["id"]
        first_new = next(i for i, k in enumerate(r["kallor"]) if "2025:400" in k)
        first_old = next(i for i, k in enumerate(r["kallor"]) if "2001:453" in k)
        assert first_new < first_old, r["id"]
    assert "issue" not in response.text.lower()


async def test_unknown_rule_is_404_problem(case_client, token) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/regler/finns_inte", headers=bearer(token("handlaggare")))
    body = assert_problem(response, 404, "regel-not-found")
    assert "finns_inte" in body["detail"]


async def test_without_token_401(case_client) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await case_client.get("/v1/regler"), 401)
    assert_problem(await case_client.get("/v1/regler/utredning"), 401)


async def test_a_token_without_a_known_role_is_refused(case_client, token) -> None:  # type: ignore[no-untyped-def]
    # All six roles may read; a token carrying none of them may not.
    headers = bearer(token("medborgare"))
    assert_problem(await case_client.get("/v1/regler", headers=headers), 403)
    assert_problem(await case_client.get("/v1/regler/utredning", headers=headers), 403)


async def test_served_table_follows_the_settings(case_settings, case_engine, token) -> None:  # type: ignore[no-untyped-def]
    settings = case_settings.model_copy(
        update={"bevakning_paminnelser": {"utredning": [20, 5]}, "lex_sarah_utredning_dagar": 30}
    )
    # model_copy skips validation: build the settings the way the service does.
    settings = Settings.model_validate(settings.model_dump(by_alias=True))
    app = create_app(settings, engine=case_engine)
    async with asgi_client(app) as client:
        headers = bearer(token("kvalitetssamordnare"))
        items = {i["id"]: i for i in (await client.get("/v1/regler", headers=headers)).json()["items"]}
        sarah = (await client.get("/v1/regler/lex_sarah_utredning", headers=headers)).json()
    assert items["utredning"]["paminnelser"] == [20, 5]
    assert items["forhandsbedomning"]["paminnelser"] == [7, 1]
    assert items["lex_sarah_utredning"]["langd"] == {"antal": 30, "enhet": "dagar"}
    assert sarah["langd"] == {"antal": 30, "enhet": "dagar"}
