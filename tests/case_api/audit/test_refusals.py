"""A 403 or 404 on /v1 leaves a `nekad` row, written in its own transaction."""

import uuid

import pytest
from fastapi import APIRouter
from sqlalchemy import text

from case_api import access_matrix
from case_api.audit import service as audit_service
from case_api.dependencies import Caller
from common.auth import Role
from common.db import SessionDep
from common.problems import NotFound
from tests.case_api.audit.conftest import T0, audit_rows
from tests.helpers import assert_problem, bearer

AUDIT_PATHS = {
    "verify_auditkedja": "/v1/audit/verifiering",
    "search_auditlogg": "/v1/audit/logg",
    "get_rapport_skyddade_personer": "/v1/audit/rapporter/skyddade-personer?fran_tid=2026-01-01T00:00:00Z&till_tid=2027-01-01T00:00:00Z",
    "get_rapport_manga_personer": "/v1/audit/rapporter/manga-personer?fran_tid=2026-01-01T00:00:00Z&till_tid=2027-01-01T00:00:00Z",
}
OTHER_ROLES = [r for r in Role if r is not Role.kvalitetssamordnare]


@pytest.mark.parametrize("operation", sorted(AUDIT_PATHS))
@pytest.mark.parametrize("role", OTHER_ROLES, ids=str)
async def test_other_roles_are_refused_and_the_refusal_is_logged(
    case_app, case_client, case_conn, clock, token, operation: str, role: Role
) -> None:
    case_app.state.clock = clock
    response = await case_client.get(AUDIT_PATHS[operation], headers=bearer(token(role.value, sub="eva")))
    assert_problem(response, 403, "forbidden")
    [row] = await audit_rows(case_conn)
    assert (row.sub, row.roller, row.enhet, row.utfall) == ("eva", [role.value], "bou-1", "nekad")
    assert (row.handling, row.objekt_typ, row.skal, row.at) == ("las", operation, "403 forbidden", T0)
    assert row.request_id == response.headers["x-request-id"]


async def test_kvalitetssamordnare_is_admitted(case_client, token) -> None:
    for path in AUDIT_PATHS.values():
        response = await case_client.get(path, headers=bearer(token("kvalitetssamordnare")))
        assert response.status_code == 200, response.text


async def test_no_caller_no_row(case_client, case_conn, token) -> None:
    assert_problem(await case_client.get("/v1/audit/logg"), 401)
    assert_problem(await case_client.get("/v1/audit/logg", headers=bearer("not-a-token")), 401)
    assert_problem(await case_client.get("/v1/finns-inte", headers=bearer(token("handlaggare"))), 404)
    assert await audit_rows(case_conn) == []


@pytest.fixture
def probe(committed_app, monkeypatch):  # type: ignore[no-untyped-def]
    """A lifecycle-like route: it reads (audited), then finds the ärende outside the caller's scope."""
    router = APIRouter()

    @router.get("/v1/arenden/{arende_id}/personer/{person_id}")
    async def probe_arende_person(
        arende_id: uuid.UUID, person_id: uuid.UUID, caller: Caller, session: SessionDep
    ) -> None:
        await audit_service.logga(
            session,
            vem=caller,
            handling="las",
            objekt_typ="person",
            objekt_id=person_id,
            person_id=person_id,
            arende_id=arende_id,
        )
        await session.execute(text("SELECT 1"))
        raise NotFound("No such ärende.")

    committed_app.include_router(router)
    monkeypatch.setitem(access_matrix.MATRIX, "probe_arende_person", frozenset({Role.handlaggare}))
    return committed_app


async def test_404_rolls_back_the_request_but_keeps_the_refusal(
    probe, committed_client, committed_engine, token
) -> None:
    arende, person = uuid.uuid4(), uuid.uuid4()
    response = await committed_client.get(
        f"/v1/arenden/{arende}/personer/{person}", headers=bearer(token("handlaggare", sub="olle"))
    )
    assert_problem(response, 404, "not-found")
    async with committed_engine.connect() as conn:
        [row] = await audit_rows(conn)  # the "las" row went with the rolled-back request
    assert (row.utfall, row.sub, row.handling, row.objekt_typ) == (
        "nekad",
        "olle",
        "las",
        "probe_arende_person",
    )
    assert (row.objekt_id, row.person_id, row.arende_id) == (person, person, arende)
    assert row.skal == "404 not-found"
    assert row.request_id == response.headers["x-request-id"]


async def test_refusal_that_cannot_be_logged_fails_the_request(probe, committed_client, token) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("audit database gone")

    probe.state.audit_refusal = broken
    response = await committed_client.get(
        f"/v1/arenden/{uuid.uuid4()}/personer/{uuid.uuid4()}", headers=bearer(token("handlaggare"))
    )
    body = assert_problem(response, 500)
    assert "audit" not in response.text and body["request_id"]


def test_refused_ids_follow_the_route_template() -> None:
    from case_api.audit.dependencies import refused_ids

    a, p, o = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert refused_ids("/v1/arenden/{id}", {"id": str(a)}) == (a, None, a)
    assert refused_ids("/v1/personer/{id}/registerutdrag", {"id": str(p)}) == (p, p, None)
    assert refused_ids("/v1/arenden/{arende_id}/beslut/{id}", {"arende_id": str(a), "id": str(o)}) == (
        o,
        None,
        a,
    )
    assert refused_ids("/v1/uppdrag/{id}", {"id": "not-a-uuid"}) == (None, None, None)
    assert refused_ids("/v1/audit/logg", {}) == (None, None, None)
