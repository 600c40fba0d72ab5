"""Kontaktfamiljer over the API, and krav_godkand, the check an uppdrag to a family goes through."""

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.kontaktfamiljer import service as kontaktfamilj_service
from case_api.kontaktfamiljer.exceptions import KontaktfamiljEjUtredd, KontaktfamiljSaknas
from common.app import build_app
from common.db import SessionDep
from tests.conftest import asgi_client, bind_to_test_transaction
from tests.helpers import assert_problem

STEPS = [
    "intervju",
    "hembesok",
    "registerutdrag_belastningsregistret",
    "registerutdrag_misstankeregistret",
    "referens",
]


class Family:
    """A family being recruited, driven through the API with its ETag kept up to date."""

    def __init__(self, client: Any, headers: dict[str, str], body: dict[str, Any]) -> None:
        self.client, self.headers, self.body = client, headers, body

    @property
    def url(self) -> str:
        return f"/v1/kontaktfamiljer/{self.body['id']}"

    async def command(
        self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        response = await self.client.request(
            method,
            f"{self.url}/{path}",
            json=json,
            headers={**(headers or self.headers), "If-Match": f'"{self.body["version"]}"'},
        )
        if response.status_code == 200:
            self.body = response.json()
        return response

    async def step(self, steg: str, resultat: str = "positivt", datum: str = "2026-02-10") -> Any:
        response = await self.command(
            "POST", "utredningssteg", {"steg": steg, "datum": datum, "resultat": resultat}
        )
        assert response.status_code == 200, response.text
        return response


@pytest.fixture
def staff(as_role):  # type: ignore[no-untyped-def]
    return as_role("handlaggare", enhet="kf-1", sub="hanna")


@pytest.fixture
def chef(as_role):  # type: ignore[no-untyped-def]
    return as_role("enhetschef", enhet="kf-1", sub="cecilia")


async def new_family(client, headers, namn: str = "Familjen Berg") -> Family:  # type: ignore[no-untyped-def]
    response = await client.post("/v1/kontaktfamiljer", json={"namn": namn}, headers=headers)
    assert response.status_code == 201, response.text
    return Family(client, headers, response.json())


async def test_register_and_investigate(case_client, case_conn, clock, staff) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    assert family.body["enhet"] == "kf-1"
    assert family.body["status"] == "under_utredning"
    assert family.body["saknas_for_godkannande"] == STEPS
    await family.step("intervju")
    await family.step("hembesok")
    assert family.body["saknas_for_godkannande"] == STEPS[2:]
    assert [s["steg"] for s in family.body["utredningssteg"]] == ["intervju", "hembesok"]
    assert family.body["version"] == 3
    events = (
        await case_conn.execute(
            text("SELECT type, subject FROM outbox_event WHERE data->>'id' = :id ORDER BY seq"),
            {"id": family.body["id"]},
        )
    ).all()
    assert [e.type for e in events] == [
        "se.socialtjanst.kontaktfamilj.registrerad",
        "se.socialtjanst.kontaktfamilj.utredningssteg_registrerat",
        "se.socialtjanst.kontaktfamilj.utredningssteg_registrerat",
    ]
    assert {e.subject for e in events} == {f"kontaktfamilj/{family.body['id']}"}


async def test_approval_refused_naming_what_is_missing(case_client, clock, staff, chef) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    await family.step("intervju")
    await family.step("registerutdrag_belastningsregistret")
    await family.step("registerutdrag_misstankeregistret")
    await family.step("referens", "negativt")
    refused = await family.command("POST", "godkann", headers=chef)
    problem = assert_problem(refused, 409, "kontaktfamilj-ej-utredd")
    assert problem["saknas"] == ["hembesok", "referens"]
    assert problem["kontaktfamilj_status"] == "under_utredning"
    # A later positive reference counts: the latest result of each step is what matters.
    await family.step("referens", "positivt", datum="2026-02-20")
    await family.step("hembesok")
    approved = await family.command("POST", "godkann", headers=chef)
    assert approved.status_code == 200, approved.text
    assert family.body["status"] == "godkand"
    assert family.body["godkand_av"] == "cecilia"
    assert family.body["godkand_at"] == "2026-03-02T09:00:00Z"
    again = await family.command("POST", "godkann", headers=chef)
    assert assert_problem(again, 409, "kontaktfamilj-kommando-ej-tillatet")["allowed_commands"] == [
        "registrera_utredningssteg",
        "registrera_avtal",
        "avsluta",
    ]


async def test_only_arbetsledare_or_enhetschef_approve_or_end(case_client, clock, staff, as_role) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    for role in ("handlaggare", "utforare"):
        headers = as_role(role, enhet="kf-1")
        assert_problem(await family.command("POST", "godkann", headers=headers), 403, "forbidden")
        assert_problem(
            await family.command("POST", "avsluta", {"orsak": "x"}, headers=headers), 403, "forbidden"
        )
    ended = await family.command(
        "POST", "avsluta", {"orsak": "Familjen flyttar."}, headers=as_role("arbetsledare", enhet="kf-1")
    )
    assert ended.status_code == 200
    assert (family.body["status"], family.body["avslut_orsak"]) == ("avslutad", "Familjen flyttar.")


@pytest.mark.parametrize("role", ["kvalitetssamordnare", "system"])
async def test_roles_outside_the_recruiting_unit_are_refused(
    case_client, clock, staff, as_role, role
) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    headers = {**as_role(role, enhet="kf-1"), "If-Match": '"1"'}
    url = family.url
    calls = [
        case_client.post("/v1/kontaktfamiljer", json={"namn": "X"}, headers=headers),
        case_client.get("/v1/kontaktfamiljer", headers=headers),
        case_client.get(url, headers=headers),
        case_client.post(
            f"{url}/utredningssteg",
            json={"steg": "intervju", "datum": "2026-01-01", "resultat": "positivt"},
            headers=headers,
        ),
        case_client.put(f"{url}/avtal", json={"fran": "2026-01-01", "till": "2026-12-31"}, headers=headers),
        case_client.post(f"{url}/godkann", headers=headers),
        case_client.post(f"{url}/avsluta", json={"orsak": "x"}, headers=headers),
    ]
    for call in calls:
        assert_problem(await call, 403, "forbidden")


async def test_other_units_do_not_see_the_family(case_client, clock, staff, as_role) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    other = as_role("handlaggare", enhet="kf-2")
    assert_problem(await case_client.get(family.url, headers=other), 404, "kontaktfamilj-saknas")
    assert_problem(
        await family.command(
            "POST",
            "utredningssteg",
            {"steg": "intervju", "datum": "2026-01-01", "resultat": "positivt"},
            headers=other,
        ),
        404,
    )
    assert (await case_client.get("/v1/kontaktfamiljer", headers=other)).json()["items"] == []
    mine = (await case_client.get("/v1/kontaktfamiljer", headers=staff)).json()["items"]
    assert [f["id"] for f in mine] == [family.body["id"]]
    no_unit = as_role("handlaggare", enhet=None)
    assert_problem(await case_client.get("/v1/kontaktfamiljer", headers=no_unit), 403, "ingen-enhet")


async def test_agreement_and_dates_are_validated(case_client, clock, staff) -> None:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    backwards = await family.command("PUT", "avtal", {"fran": "2026-06-01", "till": "2026-05-31"})
    assert_problem(backwards, 422, "validation-error")
    future = await family.command(
        "POST", "utredningssteg", {"steg": "intervju", "datum": "2026-03-03", "resultat": "positivt"}
    )
    assert assert_problem(future, 422)["errors"][0]["field"] == "datum"
    agreed = await family.command("PUT", "avtal", {"fran": "2026-03-01", "till": "2027-02-28"})
    assert agreed.status_code == 200
    assert (family.body["avtal_fran"], family.body["avtal_till"]) == ("2026-03-01", "2027-02-28")
    stale = await case_client.put(
        f"{family.url}/avtal",
        json={"fran": "2026-03-01", "till": "2027-02-28"},
        headers={**staff, "If-Match": '"1"'},
    )
    assert_problem(stale, 412)


async def approved_family(case_client, staff, chef, *, avtal: tuple[str, str] | None) -> Family:  # type: ignore[no-untyped-def]
    family = await new_family(case_client, staff)
    for steg in STEPS:
        await family.step(steg)
    assert (await family.command("POST", "godkann", headers=chef)).status_code == 200
    if avtal:
        assert (await family.command("PUT", "avtal", {"fran": avtal[0], "till": avtal[1]})).status_code == 200
    return family


async def test_krav_godkand(case_client, case_conn, clock, staff, chef) -> None:  # type: ignore[no-untyped-def]
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint")
    ready = await approved_family(case_client, staff, chef, avtal=("2026-03-01", "2027-02-28"))
    kid = uuid.UUID(ready.body["id"])
    found = await kontaktfamilj_service.krav_godkand(
        session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2026, 4, 1)
    )
    assert found.id == kid
    with pytest.raises(KontaktfamiljEjUtredd) as expired:
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2027, 3, 1)
        )
    assert expired.value.extensions["saknas"] == ["avtal_utgatt"]
    with pytest.raises(KontaktfamiljSaknas):
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=kid, enhet="kf-2", dag=date(2026, 4, 1)
        )
    # A renewed register extract with a remark makes the family unfit for new uppdrag at once.
    await ready.step("registerutdrag_belastningsregistret", "negativt", datum="2026-03-02")
    with pytest.raises(KontaktfamiljEjUtredd) as remark:
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2026, 4, 1)
        )
    assert remark.value.extensions["saknas"] == ["registerutdrag_belastningsregistret"]


class UppdragProbe(BaseModel):
    kontaktfamilj_id: uuid.UUID
    dag: date


def uppdrag_app(case_settings, case_engine, case_conn) -> FastAPI:  # type: ignore[no-untyped-def]
    """Stands in for the uppdrag module until it lands: it calls krav_godkand as the lead will."""
    router = APIRouter()

    @router.post("/uppdrag")
    async def skicka_uppdrag(body: UppdragProbe, session: SessionDep) -> dict[str, str]:
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=body.kontaktfamilj_id, enhet="kf-1", dag=body.dag
        )
        return {"status": "skickat"}

    app = build_app(
        title="probe",
        description="",
        settings=case_settings,
        database_url=None,
        expected_head=None,
        routers=[router],
        engine=case_engine,
    )
    bind_to_test_transaction(app, case_conn)
    return app


async def test_uppdrag_to_an_incompletely_investigated_family_is_refused(  # type: ignore[no-untyped-def]
    case_client, case_settings, case_engine, case_conn, clock, staff
) -> None:
    family = await new_family(case_client, staff)
    await family.step("intervju")
    await family.step("registerutdrag_belastningsregistret")
    await family.step("registerutdrag_misstankeregistret")
    async with asgi_client(uppdrag_app(case_settings, case_engine, case_conn)) as probe:
        response = await probe.post(
            "/uppdrag", json={"kontaktfamilj_id": family.body["id"], "dag": "2026-04-01"}
        )
    problem = assert_problem(response, 409, "kontaktfamilj-ej-utredd")
    assert problem["saknas"] == ["hembesok", "referens", "godkannande", "avtal"]
    assert problem["kontaktfamilj_id"] == family.body["id"]
    assert "hembesok" in problem["detail"]


async def test_idempotent_registration(case_client, case_conn, clock, staff) -> None:  # type: ignore[no-untyped-def]
    headers = {**staff, "Idempotency-Key": "kf-1"}
    first = await case_client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=headers)
    second = await case_client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=headers)
    assert first.json() == second.json()
    assert (await case_conn.execute(text("SELECT count(*) FROM kontaktfamilj"))).scalar_one() == 1
