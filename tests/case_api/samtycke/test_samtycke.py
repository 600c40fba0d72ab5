"""Samtycke: register, list, withdraw over the API; krav before data crosses a boundary."""

import uuid
from datetime import date

import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api import access_matrix
from case_api.kontext import Ctx
from case_api.samtycke import service as samtycke_service
from case_api.samtycke.exceptions import SamtyckeSaknas
from common.auth import Role
from tests.case_api.audit.conftest import audit_rows
from tests.case_api.flow import ANMALAN
from tests.helpers import assert_problem, bearer

SAMTYCKE = {
    "givet_av": "vardnadshavare",
    "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
    "omfattning": ["utforare:familjeteamet", "sip"],
    "giltigt_fran": "2026-03-01",
    "giltigt_till": "2026-12-31",
}


def hl(token, enhet: str = "bou-1"):  # type: ignore[no-untyped-def]
    return bearer(token("handlaggare", sub=f"hl-{enhet}", enhet=enhet))


async def _person(client, token, enhet: str = "bou-1") -> str:  # type: ignore[no-untyped-def]
    created = await client.post(
        "/v1/aktualiseringar", json=ANMALAN | {"enhet": enhet}, headers=hl(token, enhet)
    )
    assert created.status_code == 201, created.text
    arende = await client.get(f"/v1/arenden/{created.json()['arende_id']}", headers=hl(token, enhet))
    return str(arende.json()["barn"]["id"])


async def test_register_list_withdraw(case_client, case_conn, token) -> None:
    person = await _person(case_client, token)
    created = await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=hl(token))
    assert created.status_code == 201, created.text
    samtycke = created.json()
    assert (samtycke["givet_av"], samtycke["omfattning"], samtycke["aterkallat"]) == (
        "vardnadshavare",
        ["utforare:familjeteamet", "sip"],
        False,
    )
    listed = await case_client.get(f"/v1/personer/{person}/samtycken", headers=hl(token))
    assert [s["id"] for s in listed.json()] == [samtycke["id"]]

    path = f"/v1/samtycken/{samtycke['id']}/aterkallelse"
    assert_problem(await case_client.post(path, headers=hl(token)), 428)
    assert_problem(await case_client.post(path, headers=hl(token) | {"If-Match": '"7"'}), 412)
    withdrawn = await case_client.post(path, headers=hl(token) | {"If-Match": created.headers["ETag"]})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["aterkallat"] is True
    again = await case_client.post(path, headers=hl(token) | {"If-Match": withdrawn.headers["ETag"]})
    assert_problem(again, 409, "samtycke-aterkallat")

    handlingar = [
        (r.handling, r.objekt_typ)
        for r in await audit_rows(case_conn, person_id=uuid.UUID(person))
        if r.objekt_typ == "samtycke"
    ]
    assert handlingar == [("skapa", "samtycke"), ("las", "samtycke"), ("andra", "samtycke")]


async def test_idempotent_create(case_client, token) -> None:
    person = await _person(case_client, token)
    headers = hl(token) | {"Idempotency-Key": "samtycke-1"}
    first = await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=headers)
    second = await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=headers)
    assert first.json() == second.json() and second.headers["Idempotent-Replayed"] == "true"
    assert len((await case_client.get(f"/v1/personer/{person}/samtycken", headers=hl(token))).json()) == 1


@pytest.mark.parametrize(("fran", "status"), [("2030-03-13", 422), ("2030-03-14", 201)])
async def test_the_child_gives_samtycke_from_15(case_client, token, fran: str, status: int) -> None:
    person = await _person(case_client, token)  # born 2015-03-14
    body = SAMTYCKE | {"givet_av": "barnet", "vardnadshavare": [], "giltigt_fran": fran, "giltigt_till": None}
    response = await case_client.post(f"/v1/personer/{person}/samtycken", json=body, headers=hl(token))
    assert response.status_code == status, response.text
    if status == 422:
        assert_problem(response, 422, "barnet-under-15")


async def test_other_enhet_sees_neither_person_nor_samtycke(case_client, token) -> None:
    person = await _person(case_client, token, "bou-1")
    created = (
        await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=hl(token))
    ).json()
    other = hl(token, "bou-7")
    assert_problem(await case_client.get(f"/v1/personer/{person}/samtycken", headers=other), 404)
    assert_problem(
        await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=other), 404
    )
    assert_problem(
        await case_client.post(
            f"/v1/samtycken/{created['id']}/aterkallelse", headers=other | {"If-Match": '"1"'}
        ),
        404,
    )


@pytest.mark.parametrize(
    ("operation", "method", "path"),
    [
        ("register_samtycke", "POST", "/v1/personer/{id}/samtycken"),
        ("list_samtycken", "GET", "/v1/personer/{id}/samtycken"),
        ("withdraw_samtycke", "POST", "/v1/samtycken/{id}/aterkallelse"),
    ],
)
async def test_roles_outside_the_matrix_are_refused(
    case_client, token, operation: str, method: str, path: str
) -> None:
    allowed = access_matrix.MATRIX[operation]
    for role in Role:
        if role in allowed:
            continue
        response = await case_client.request(
            method,
            path.format(id=uuid.uuid4()),
            json=SAMTYCKE if method == "POST" else None,
            headers=bearer(token(role.value)),
        )
        assert_problem(response, 403, "forbidden")


async def _scoped_session(case_conn, enhet: str) -> AsyncSession:  # type: ignore[no-untyped-def]
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint")
    await session.execute(text("SELECT set_config('app.enhet', :e, true)"), {"e": enhet})
    return session


async def test_krav(case_client, case_conn, token) -> None:
    person = await _person(case_client, token)
    created = (
        await case_client.post(f"/v1/personer/{person}/samtycken", json=SAMTYCKE, headers=hl(token))
    ).json()
    pid = uuid.UUID(person)
    session = await _scoped_session(case_conn, "bou-1")
    found = await samtycke_service.krav(session, pid, "sip", date(2026, 3, 1))
    assert str(found.id) == created["id"]
    assert (
        await samtycke_service.krav(session, pid, "utforare:familjeteamet", date(2026, 12, 31))
    ).id == found.id
    for omfattning, dag in [
        ("sip", date(2026, 2, 28)),
        ("sip", date(2027, 1, 1)),
        ("utforare:annan", date(2026, 6, 1)),
    ]:
        with pytest.raises(SamtyckeSaknas) as refused:
            await samtycke_service.krav(session, pid, omfattning, dag)
        assert refused.value.status == 409 and refused.value.audit_person_id == pid
    await session.close()
    # Given to bou-1, it does not let bou-2 share.
    other = await _scoped_session(case_conn, "bou-2")
    with pytest.raises(SamtyckeSaknas):
        await samtycke_service.krav(other, pid, "sip", date(2026, 6, 1))
    await other.close()
    # Withdrawn: no longer in force.
    etag = (
        await case_client.post(
            f"/v1/personer/{person}/samtycken", json=SAMTYCKE | {"omfattning": ["x"]}, headers=hl(token)
        )
    ).headers["ETag"]
    assert etag
    await case_client.post(
        f"/v1/samtycken/{created['id']}/aterkallelse", headers=hl(token) | {"If-Match": '"1"'}
    )
    session = await _scoped_session(case_conn, "bou-1")
    with pytest.raises(SamtyckeSaknas):
        await samtycke_service.krav(session, pid, "sip", date(2026, 6, 1))
    await session.close()


async def test_krav_refusal_is_audited(case_app, case_client, case_conn, token, monkeypatch) -> None:
    """What the lead's send_uppdrag does: krav before sending; the 409 leaves a nekad row."""
    router = APIRouter()

    @router.post("/v1/probe/personer/{pid}/dela")
    async def probe_dela(pid: uuid.UUID, k: Ctx) -> None:
        await samtycke_service.krav(k.session, pid, "utforare:extern", k.idag())

    case_app.include_router(router)
    monkeypatch.setitem(access_matrix.MATRIX, "probe_dela", frozenset({Role.handlaggare}))
    person = await _person(case_client, token)
    response = await case_client.post(f"/v1/probe/personer/{person}/dela", headers=hl(token))
    assert_problem(response, 409, "samtycke-saknas")
    [row] = await audit_rows(case_conn, utfall="nekad")
    assert (row.person_id, row.objekt_typ, row.skal, row.sub) == (
        uuid.UUID(person),
        "probe_dela",
        "409 samtycke-saknas",
        "hl-bou-1",
    )
