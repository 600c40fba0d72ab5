"""Every error status comes back as problem+json with the documented shape."""

import pytest
from fastapi import APIRouter, Body, FastAPI

from common.app import build_app
from common.concurrency import check_if_match
from common.problems import Conflict
from tests.conftest import asgi_client
from tests.helpers import assert_problem, bearer


async def test_404_unknown_route(case_client, token) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await case_client.get("/v1/nothing-here", headers=bearer(token("handlaggare"))), 404)


async def test_405_wrong_method(case_client, token) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await case_client.delete("/v1/me", headers=bearer(token("handlaggare"))), 405)


@pytest.fixture
async def probe_client(case_settings, case_engine):  # type: ignore[no-untyped-def]
    """An app with routes that raise each problem, built like the services are."""
    from common.auth import Role, authorizer

    matrix = {name: frozenset(Role) for name in ("boom", "conflict", "guarded", "typed", "forbidden")}
    matrix["forbidden"] = frozenset({Role.system})
    authorize = authorizer(matrix)
    from fastapi import Depends, Header

    router = APIRouter(dependencies=[Depends(authorize)])

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM table; stack details")

    @router.post("/conflict")
    async def conflict() -> None:
        raise Conflict("Aktualiseringen är avslutad.", tillstand="avslutad", tillatna_kommandon=[])

    @router.post("/guarded")
    async def guarded(if_match: str | None = Header(default=None, alias="If-Match")) -> dict[str, str]:
        check_if_match(if_match, current_version=3)
        return {"ok": "yes"}

    @router.post("/typed")
    async def typed(count: int = Body(embed=True)) -> dict[str, int]:
        return {"count": count}

    @router.get("/forbidden")
    async def forbidden() -> None:
        return None

    app: FastAPI = build_app(
        title="probe",
        description="",
        settings=case_settings,
        database_url=None,
        expected_head=None,
        routers=[router],
        engine=case_engine,
    )
    async with asgi_client(app) as client:
        yield client


async def test_500_hides_details(probe_client, token) -> None:  # type: ignore[no-untyped-def]
    response = await probe_client.get("/boom", headers=bearer(token("handlaggare")))
    body = assert_problem(response, 500)
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]


async def test_409_names_state(probe_client, token) -> None:  # type: ignore[no-untyped-def]
    body = assert_problem(await probe_client.post("/conflict", headers=bearer(token("handlaggare"))), 409)
    assert body["tillstand"] == "avslutad"


async def test_412_and_428(probe_client, token) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token("handlaggare"))
    assert_problem(await probe_client.post("/guarded", headers=headers), 428)
    assert_problem(await probe_client.post("/guarded", headers=headers | {"If-Match": '"2"'}), 412)
    ok = await probe_client.post("/guarded", headers=headers | {"If-Match": '"3"'})
    assert ok.status_code == 200


async def test_422_names_field_and_400_for_bad_json(probe_client, token) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(token("handlaggare")) | {"Content-Type": "application/json"}
    body = assert_problem(await probe_client.post("/typed", headers=headers, content=b'{"count": "x"}'), 422)
    assert body["errors"][0]["field"] == "count"
    assert_problem(await probe_client.post("/typed", headers=headers, content=b'{"count": '), 400)


async def test_403_for_role_without_rule(probe_client, token) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await probe_client.get("/forbidden", headers=bearer(token("handlaggare"))), 403)


def test_extensions_may_not_reuse_the_standard_members() -> None:
    import pytest as _pytest

    from common.problems import Conflict

    with _pytest.raises(TypeError, match="status"):
        Conflict("x", status="oppen")
    assert Conflict("x", tillstand="oppen").extensions == {"tillstand": "oppen"}
