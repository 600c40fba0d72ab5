"""The relay's operator endpoints: role `system` only, problem+json errors, cursor pages."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.events import service as events_service
from common.auth import Role
from tests.helpers import assert_problem, bearer

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ENDPOINTS = [
    ("GET", "/v1/drift/utkorg"),
    ("GET", "/v1/drift/utkorg/dodsbrev"),
    ("POST", f"/v1/drift/utkorg/{uuid.UUID(int=1)}/omforsok"),
]


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.system])
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_other_roles_are_refused(case_client, token, role: str, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.request(method, path, headers=bearer(token(role)))
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_a_token_is_required(case_client, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await case_client.request(method, path), 401)


async def _dead_events(case_conn, count: int) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    ids = []
    for n in range(count):
        ids.append(
            await events_service.emit(
                session, type="test.handelse", arende_id=uuid.uuid4(), data={"n": n}, occurred_at=T0
            )
        )
    await session.execute(
        text(
            "UPDATE outbox_delivery SET status = 'dead', attempts = 12, last_error = 'HTTP 500' "
            "WHERE outbox_id = ANY(:ids)"
        ),
        {"ids": ids},
    )
    await session.commit()
    return ids


async def test_every_outbox_insert_gets_a_pending_delivery(case_conn) -> None:  # type: ignore[no-untyped-def]
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    event_id = await events_service.emit(
        session, type="test.handelse", arende_id=None, data={}, occurred_at=T0
    )
    row = (
        await session.execute(
            text(
                "SELECT d.status, d.attempts, d.seq, e.seq AS event_seq FROM outbox_delivery d "
                "JOIN outbox_event e ON e.id = d.outbox_id WHERE d.outbox_id = :i"
            ),
            {"i": event_id},
        )
    ).one()
    assert row.status == "pending" and row.attempts == 0 and row.seq == row.event_seq
    await session.commit()


async def test_dead_letters_page_by_cursor_and_replay(case_client, case_conn, token) -> None:  # type: ignore[no-untyped-def]
    ids = await _dead_events(case_conn, 3)
    system = bearer(token("system"))
    page = await case_client.get("/v1/drift/utkorg/dodsbrev", params={"limit": 2}, headers=system)
    assert page.status_code == 200, page.text
    body = page.json()
    assert [i["id"] for i in body["items"]] == [str(i) for i in ids[:2]]
    assert body["items"][0]["status"] == "dead" and body["items"][0]["last_error"] == "HTTP 500"
    assert "data" not in body["items"][0]
    rest = (
        await case_client.get(
            "/v1/drift/utkorg/dodsbrev", params={"limit": 2, "cursor": body["next_cursor"]}, headers=system
        )
    ).json()
    assert [i["id"] for i in rest["items"]] == [str(ids[2])] and rest["next_cursor"] is None

    status = (await case_client.get("/v1/drift/utkorg", headers=system)).json()
    assert status["dead"] == 3 and status["pending"] == 0

    replayed = await case_client.post(f"/v1/drift/utkorg/{ids[0]}/omforsok", headers=system)
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    status = (await case_client.get("/v1/drift/utkorg", headers=system)).json()
    assert status["dead"] == 2 and status["pending"] == 1


async def test_replay_of_unknown_or_pending_event(case_client, case_conn, token) -> None:  # type: ignore[no-untyped-def]
    system = bearer(token("system"))
    missing = await case_client.post(f"/v1/drift/utkorg/{uuid.uuid4()}/omforsok", headers=system)
    assert_problem(missing, 404, "utkorg-handelse-not-found")
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    event_id = await events_service.emit(
        session, type="test.handelse", arende_id=None, data={}, occurred_at=T0
    )
    await session.commit()
    pending = await case_client.post(f"/v1/drift/utkorg/{event_id}/omforsok", headers=system)
    assert assert_problem(pending, 409, "utkorg-not-dead-letter")["status_now"] == "pending"
    bad = await case_client.get("/v1/drift/utkorg/dodsbrev", params={"cursor": "x"}, headers=system)
    assert_problem(bad, 422)
