"""Kontaktfamiljer over the API, and krav_godkand, the check an uppdrag to a family goes through."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from case_api.kontaktfamiljer import service as kontaktfamilj_service
from case_api.kontaktfamiljer.exceptions import KontaktfamiljEjUtredd, KontaktfamiljSaknas
from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, Walk, at
from tests.helpers import BARNPERSPEKTIV, assert_problem

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
    assert assert_problem(again, 409, "kontaktfamilj-kommando-ej-tillatet")["tillatna_kommandon"] == [
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


DELADE = frozenset({"kf-1"})  # as conftest's KONTAKTFAMILJ_ENHETER


async def test_krav_godkand(case_client, case_conn, clock, staff, chef) -> None:  # type: ignore[no-untyped-def]
    session = AsyncSession(bind=case_conn, join_transaction_mode="create_savepoint")
    ready = await approved_family(case_client, staff, chef, avtal=("2026-03-01", "2027-02-28"))
    kid = uuid.UUID(ready.body["id"])
    found = await kontaktfamilj_service.krav_godkand(
        session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2026, 4, 1), delade_enheter=DELADE
    )
    assert found.id == kid
    with pytest.raises(KontaktfamiljEjUtredd) as expired:
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2027, 3, 1), delade_enheter=DELADE
        )
    assert expired.value.extensions["saknas"] == ["avtal_utgatt"]
    # The family serves every beställare: the ärende's enhet does not narrow the lookup.
    other = await kontaktfamilj_service.krav_godkand(
        session, kontaktfamilj_id=kid, enhet="bou-2", dag=date(2026, 4, 1), delade_enheter=DELADE
    )
    assert other.id == kid
    with pytest.raises(KontaktfamiljSaknas):
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=uuid.uuid4(), enhet="bou-1", dag=date(2026, 4, 1), delade_enheter=DELADE
        )
    # A renewed register extract with a remark makes the family unfit for new uppdrag at once.
    await ready.step("registerutdrag_belastningsregistret", "negativt", datum="2026-03-02")
    with pytest.raises(KontaktfamiljEjUtredd) as remark:
        await kontaktfamilj_service.krav_godkand(
            session, kontaktfamilj_id=kid, enhet="kf-1", dag=date(2026, 4, 1), delade_enheter=DELADE
        )
    assert remark.value.extensions["saknas"] == ["registerutdrag_belastningsregistret"]


async def kontaktfamilj_insats(walk: Walk, clock) -> str:  # type: ignore[no-untyped-def]
    """An ärende through utredning to a decided kontaktfamilj insats; returns the insats id."""
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN, expect=201)).json()
    akt_path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{akt_path}/skyddsbedomning",
        akt_path,
        {
            "bedomd_at": "2026-02-03T10:00:00+01:00",
            "omedelbart_skydd": False,
            "motivering": "Ingen akut fara.",
        },
    )
    await walk.command(
        "handlaggare",
        f"{akt_path}/forhandsbedomning",
        akt_path,
        {"beslut": "inled_utredning", "beslutsdatum": "2026-02-03", "motivering": "Behov av utredning."},
    )
    bevakningar = await walk.bevakningar(akt["arende_id"])
    utredning_id = bevakningar["utredning"][0]["objekt_id"]
    u_path = f"/v1/utredningar/{utredning_id}"
    await walk.command(
        "handlaggare",
        f"{u_path}/avslut",
        u_path,
        {
            "avslutad_datum": "2026-02-03",
            "resultat": "beslut_om_insats",
            "motivering": "Klar.",
            "barnperspektiv": BARNPERSPEKTIV,
        },
    )
    beslut = (
        await walk.post(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utredning_id": utredning_id,
                "utfall": "bifall",
                "insatstyp": "kontaktfamilj",
                "rattslig_grund": "3 kap. 6 b § SoL (2001:453)",
                "beslutsdatum": "2026-02-03",
                "period_fran": "2026-02-03",
                "period_till": "2027-02-02",
                "beslutsfattare": "anna",
                "motivering": "Behov av avlastning.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    return str(beslut["insats"]["id"])


UPPDRAG = {
    "utforare": "kf-1",
    "behovsbedomning": "Behov av avlastning.",
    "omfattning": "En helg i månaden.",
    "mal": ["Avlastning för familjen"],
    "uppfoljningsform": "En gång per år",
    "kontaktuppgifter": {"telefon": "070-0000000"},
}


async def test_uppdrag_to_an_incompletely_investigated_family_is_refused(  # type: ignore[no-untyped-def]
    case_client, case_app, token, staff, chef
) -> None:
    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    walk = Walk(case_client, {"handlaggare": token("handlaggare", sub="anna", enhet="bou-1")})
    insats_id = await kontaktfamilj_insats(walk, clock)

    family = await new_family(case_client, staff)
    await family.step("intervju", datum="2026-02-01")
    await family.step("registerutdrag_belastningsregistret", datum="2026-02-01")
    await family.step("registerutdrag_misstankeregistret", datum="2026-02-01")
    body = {**UPPDRAG, "insats_id": insats_id, "kontaktfamilj_id": family.body["id"]}
    refused = await walk.post("handlaggare", "/v1/uppdrag", body, expect=409)
    problem = assert_problem(refused, 409, "kontaktfamilj-ej-utredd")
    assert problem["saknas"] == ["hembesok", "referens", "godkannande", "avtal"]
    assert problem["kontaktfamilj_id"] == family.body["id"]

    # Investigated, approved and under agreement, the same family takes the uppdrag.
    await family.step("hembesok", datum="2026-02-02")
    await family.step("referens", datum="2026-02-02")
    assert (await family.command("POST", "godkann", headers=chef)).status_code == 200
    refused = await walk.post("handlaggare", "/v1/uppdrag", body, expect=409)
    assert assert_problem(refused, 409, "kontaktfamilj-ej-utredd")["saknas"] == ["avtal"]
    assert (
        await family.command("PUT", "avtal", {"fran": "2026-02-01", "till": "2027-01-31"})
    ).status_code == 200
    sent = await walk.post("handlaggare", "/v1/uppdrag", body, expect=201)
    assert sent.json()["kontaktfamilj_id"] == family.body["id"]


async def test_idempotent_registration(case_client, case_conn, clock, staff) -> None:  # type: ignore[no-untyped-def]
    headers = {**staff, "Idempotency-Key": "kf-1"}
    first = await case_client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=headers)
    second = await case_client.post("/v1/kontaktfamiljer", json={"namn": "Familjen Ek"}, headers=headers)
    assert first.json() == second.json()
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))  # past row-level security
    assert (await case_conn.execute(text("SELECT count(*) FROM kontaktfamilj"))).scalar_one() == 1
