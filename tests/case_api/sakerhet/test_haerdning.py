"""Issue 11 item 9: hardening of what every answer says beyond its body."""

import uuid
from pathlib import Path
from typing import Any

import httpx

from case_api.main import create_app
from case_api.settings import Settings
from common.clock import FrozenClock
from common.tokens import mint_dev_token
from devstack.databases import ServiceDatabase
from tests.case_api.flow import ANMALAN, Walk
from tests.case_api.kvalitet.test_kontaktfamiljer import UPPDRAG, kontaktfamilj_insats
from tests.conftest import TokenFactory, asgi_client
from tests.helpers import assert_problem, bearer
from tests.servers import running_service

REPO = Path(__file__).resolve().parents[3]


async def test_no_store_and_nosniff(case_client: Any, token: TokenFactory) -> None:
    auth = bearer(token("handlaggare"))
    for response in (
        await case_client.get("/v1/arenden", headers=auth),
        await case_client.get("/v1/arenden"),  # 401
        await case_client.get(f"/v1/arenden/{uuid.uuid4()}", headers=auth),  # 404
        await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=auth),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
    assert (await case_client.get("/health/live")).headers["x-content-type-options"] == "nosniff"


async def test_a_weak_if_match_is_refused(case_client: Any, token: TokenFactory) -> None:
    auth = bearer(token("handlaggare"))
    akt = (await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=auth)).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    etag = (await case_client.get(path, headers=auth)).headers["ETag"]
    body = {"bedomd_at": "2026-02-03T10:00:00+01:00", "omedelbart_skydd": False, "motivering": "Ingen fara."}
    weak = await case_client.post(
        f"{path}/skyddsbedomning", json=body, headers=auth | {"If-Match": f"W/{etag}"}
    )
    assert_problem(weak, 412)
    strong = await case_client.post(f"{path}/skyddsbedomning", json=body, headers=auth | {"If-Match": etag})
    assert strong.status_code == 200, strong.text


async def test_docs_load_nothing_from_outside_and_can_be_switched_off(
    case_client: Any, case_settings: Settings, case_engine: Any
) -> None:
    page = await case_client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert (await case_client.get("/docs/assets/swagger-ui-bundle.js")).status_code == 200
    assert (await case_client.get("/redoc")).status_code == 404
    off = create_app(case_settings.model_copy(update={"api_docs": False}), engine=case_engine)
    async with asgi_client(off) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/docs/assets/swagger-ui-bundle.js")).status_code == 404


async def test_401_bodies_name_no_library_class(case_client: Any, case_settings: Settings) -> None:
    expired = mint_dev_token(
        case_settings, sub="anna", roles=["handlaggare"], enhet="bou-1", ttl_seconds=-3600
    )
    head, payload, signature = expired.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    wrong_audience = mint_dev_token(
        case_settings, sub="anna", roles=["handlaggare"], enhet="bou-1", extra={"aud": "another"}
    )
    for bad in (expired, forged, wrong_audience):
        response = await case_client.get("/v1/arenden", headers=bearer(bad))
        body = assert_problem(response, 401)
        assert "Error" not in response.text and "jose" not in response.text.lower(), body


async def test_another_enhets_kontaktfamilj_in_an_uppdrag_is_as_unknown(
    case_client: Any, case_app: Any, token: TokenFactory
) -> None:
    from datetime import UTC, datetime

    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    walk = Walk(case_client, {"handlaggare": token("handlaggare", sub="anna", enhet="bou-1")})
    insats_id = await kontaktfamilj_insats(walk, clock)
    bou2 = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    familj = await case_client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=bou2)
    assert familj.status_code == 201, familj.text
    answers = []
    for kontaktfamilj_id in (familj.json()["id"], str(uuid.uuid4())):
        body = {**UPPDRAG, "insats_id": insats_id, "kontaktfamilj_id": kontaktfamilj_id}
        response = await walk.post("handlaggare", "/v1/uppdrag", body, expect=404)
        problem = assert_problem(response, 404)
        answers.append({k: v for k, v in problem.items() if k not in ("instance", "request_id")})
    assert answers[0] == answers[1]
    assert "saknas" not in answers[0] and "kontaktfamilj_status" not in answers[0]


def test_no_server_header_over_real_http(committed_case_db: ServiceDatabase, test_data_dir: Path) -> None:
    env = {
        "DATABASE_URL": committed_case_db.app_url,
        "DATA_DIR": str(test_data_dir),
        "CASE_API_RUN_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    with running_service("case_api.main:create_app", env) as base:
        response = httpx.get(f"{base}/health/live")
    assert response.status_code == 200
    assert "server" not in response.headers
    # The notifier's deployments pass the flag to uvicorn; the case_api's run `case-api serve`
    # and `case-api worker`, which take it from common.serving (this server ran with it).
    for deployed in ("deploy/compose.yaml", "deploy/k8s/notifier.yaml"):
        assert "--no-server-header" in (REPO / deployed).read_text(), deployed
    for deployed in ("deploy/Dockerfile", "deploy/compose.yaml", "deploy/k8s/case-api.yaml"):
        assert '"case-api", "serve"' in (REPO / deployed).read_text(), deployed
