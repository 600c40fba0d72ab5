"""The child's perspective on the beslut and on the utredning's avslut (issue 14 item 2, seed 000:
"Barnkonsekvensanalys ska genomföras i ärenden som gäller barn"): the analysis, the child's view
or why it could not be obtained, and who spoke for the child (the child itself only from 15,
3 kap. 4 § SoL (2025:400)). Required on both: a body without it is a 422 naming the field, and
the database refuses a new row without it."""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import Walk
from tests.case_api.steg import DAG, Steg, fingerprint, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

BP: dict[str, Any] = {
    "barnkonsekvensanalys": "Stödet ger barnet en tryggare skolgång.",
    "barnets_synpunkter": "Vill ha hjälp med läxor.",
    "talan_av": "vardnadshavare",
}
BESLUT: dict[str, Any] = {
    "utfall": "bifall",
    "insatstyp": "oppenvard",
    "rattslig_grund": "11 kap. 1 § SoL (2025:400)",
    "beslutsdatum": DAG,
    "beslutsfattare": "anna",
    "motivering": "Behov av stöd.",
}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def _utredning(walk: Walk) -> tuple[str, str]:
    steg = Steg(walk)
    akt = await steg.aktualisering()  # born 2015-03-14: 11 on DAG
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])
    return akt["arende_id"], f"/v1/utredningar/{await steg.utredning_id(akt['arende_id'])}"


async def test_recorded_on_the_utredning_and_the_beslut(walk: Walk) -> None:
    arende_id, path = await _utredning(walk)
    saknas = {
        "barnkonsekvensanalys": "Ingen insats påverkar barnet.",
        "synpunkter_saknas_skal": "Barnet ville inte.",
    }
    closed = await walk.command(
        "handlaggare",
        f"{path}/avslut",
        path,
        {
            "avslutad_datum": DAG,
            "resultat": "beslut_om_insats",
            "motivering": "Klar.",
            "barnperspektiv": saknas,
        },
    )
    assert closed["barnperspektiv"] == saknas | {"barnets_synpunkter": None, "talan_av": None}
    made = (
        await walk.post(
            "handlaggare", "/v1/beslut", BESLUT | {"arende_id": arende_id, "barnperspektiv": BP}, expect=201
        )
    ).json()
    assert made["barnperspektiv"] == BP | {"synpunkter_saknas_skal": None}
    assert (await walk.get("handlaggare", f"/v1/beslut/{made['id']}")).json()["barnperspektiv"] == made[
        "barnperspektiv"
    ]


async def test_the_childs_view_or_why_not_and_own_talan_from_15(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    arende_id, _ = await _utredning(walk)
    before = await fingerprint(case_conn)
    headers = bearer(walk.tokens["handlaggare"])
    for bp, field in (
        ({"barnkonsekvensanalys": "x"}, "barnperspektiv"),
        (BP | {"synpunkter_saknas_skal": "Ville inte."}, "barnperspektiv"),
        (BP | {"talan_av": "barnet"}, "barnperspektiv.talan_av"),  # 11 years old
    ):
        response = await walk.client.post(
            "/v1/beslut", json=BESLUT | {"arende_id": arende_id, "barnperspektiv": bp}, headers=headers
        )
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["field"] == field, problem
    assert await fingerprint(case_conn) == before


async def test_required_on_the_beslut_and_the_utredning_avslut(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    arende_id, path = await _utredning(walk)
    before = await fingerprint(case_conn)
    headers = bearer(walk.tokens["handlaggare"])
    avslut = {"avslutad_datum": DAG, "resultat": "beslut_om_insats", "motivering": "Klar."}
    etag = {"If-Match": (await walk.get("handlaggare", path)).headers["ETag"]}
    for url, body, extra in (
        (f"{path}/avslut", avslut, etag),
        ("/v1/beslut", BESLUT | {"arende_id": arende_id}, {}),
    ):
        response = await walk.client.post(url, json=body, headers=headers | extra)
        problem = assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in problem["errors"]] == ["barnperspektiv"], problem
    assert await fingerprint(case_conn) == before


async def test_the_database_refuses_a_beslut_or_a_closed_utredning_without_it(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    arende_id, path = await _utredning(walk)
    await walk.command(
        "handlaggare",
        f"{path}/avslut",
        path,
        {"avslutad_datum": DAG, "resultat": "beslut_om_insats", "motivering": "Klar.", "barnperspektiv": BP},
    )
    await walk.post(
        "handlaggare", "/v1/beslut", BESLUT | {"arende_id": arende_id, "barnperspektiv": BP}, expect=201
    )
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    for table in ("beslut", "utredning"):
        savepoint = await case_conn.begin_nested()
        with pytest.raises(IntegrityError, match=f"ck_{table}_barnperspektiv"):
            await case_conn.execute(text(f"UPDATE {table} SET barnperspektiv = NULL"))
        await savepoint.rollback()
