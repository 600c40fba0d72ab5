"""GET /v1/personer/{person_id}/registerutdrag: everything about one person, across enheter."""

import uuid

import pytest

from common.auth import Role
from tests.case_api.flow import ANMALAN, TEST_PNR
from tests.helpers import assert_problem, bearer


async def _anmalan(client, token, enhet: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Register an anmälan as a handläggare of `enhet`; return (person_id, arende_id)."""
    headers = bearer(token("handlaggare", sub=f"hl-{enhet}", enhet=enhet))
    created = await client.post("/v1/aktualiseringar", json=ANMALAN | {"enhet": enhet}, headers=headers)
    assert created.status_code == 201, created.text
    arende_id = created.json()["arende_id"]
    arende = await client.get(f"/v1/arenden/{arende_id}", headers=headers)
    assert arende.status_code == 200, arende.text
    return arende.json()["barn"]["id"], arende_id


async def test_everything_about_the_person_from_every_enhet(case_client, token) -> None:
    person_id, arende_1 = await _anmalan(case_client, token, "bou-1")
    same_person, arende_2 = await _anmalan(case_client, token, "bou-2")
    assert same_person == person_id
    other_person, other_arende = await _anmalan(case_client, token, "bou-3")  # same pnr: same person
    assert other_person == person_id

    kvalitet = bearer(token("kvalitetssamordnare", sub="kerstin", enhet=None))
    # An earlier loggkontroll about the person is an access the extract must show.
    assert (
        await case_client.get("/v1/audit/logg", params={"person_id": person_id}, headers=kvalitet)
    ).status_code == 200
    response = await case_client.get(
        f"/v1/personer/{person_id}/registerutdrag", params={"skal": "Begäran 2026-11-23"}, headers=kvalitet
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["person"]["personnummer"] == TEST_PNR
    assert body["upprattat_av"] == "kerstin"
    uppgifter = body["uppgifter"]
    assert {r["id"] for r in uppgifter["arende"]} == {arende_1, arende_2, other_arende}
    assert {r["enhet"] for r in uppgifter["aktualisering"]} == {"bou-1", "bou-2", "bou-3"}
    assert uppgifter["bevakning"], "the anmälan's time limits are part of what is stored"
    assert {r["arende_id"] for r in uppgifter["outbox_event"]} >= {arende_1, arende_2}
    assert "audit_logg" not in uppgifter and "person" not in uppgifter
    assert ("kerstin", "loggkontroll", person_id) in {
        (a["sub"], a["handling"], a["person_id"]) for a in body["atkomster"]
    }


async def test_the_extract_is_itself_audited(case_client, case_conn, token) -> None:
    from tests.case_api.audit.conftest import audit_rows

    person_id, _ = await _anmalan(case_client, token, "bou-1")
    response = await case_client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        headers=bearer(token("kvalitetssamordnare", sub="kerstin", enhet=None)),
    )
    assert response.status_code == 200
    [row] = await audit_rows(case_conn, handling="utdrag")
    assert (row.sub, row.person_id, row.objekt_typ, row.utfall) == (
        "kerstin",
        uuid.UUID(person_id),
        "registerutdrag",
        "tillaten",
    )


async def test_unknown_person_is_404_and_logged(case_client, case_conn, token) -> None:
    from tests.case_api.audit.conftest import audit_rows

    missing = uuid.uuid4()
    response = await case_client.get(
        f"/v1/personer/{missing}/registerutdrag", headers=bearer(token("kvalitetssamordnare"))
    )
    assert_problem(response, 404, "not-found")
    [row] = await audit_rows(case_conn, utfall="nekad")
    assert (row.person_id, row.objekt_typ, row.skal) == (missing, "get_registerutdrag", "404 not-found")


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.kvalitetssamordnare], ids=str)
async def test_other_roles_are_refused(case_client, token, role: Role) -> None:
    response = await case_client.get(
        f"/v1/personer/{uuid.uuid4()}/registerutdrag", headers=bearer(token(role.value))
    )
    assert_problem(response, 403, "forbidden")
