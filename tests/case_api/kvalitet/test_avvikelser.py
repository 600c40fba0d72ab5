"""Avvikelser over the API: register, investigate, IVO decision, close; access; events."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.case_api.flow import ANMALAN
from tests.helpers import assert_problem

LEX_SARAH = {
    "typ": "lex_sarah",
    "lex_sarah_typ": "missforhallande",
    "inkommen_fran": "personal",
    "form": "skriftlig",
    "enhet": "bou-1",
    "orsakskategori": "handlaggning",
    "beskrivning": "Skyddsbedömning gjordes inte samma dag som anmälan kom in.",
}
KLAGOMAL = {
    "typ": "klagomal",
    "inkommen_fran": "vardnadshavare",
    "form": "muntlig_antecknad",
    "enhet": "bou-1",
    "orsakskategori": "bemotande_integritet",
    "beskrivning": "Vårdnadshavaren upplevde att hen inte blev lyssnad på.",
}
UTREDNING = {
    "utredare": "Kvalitetssamordnare Kim",
    "iakttagelser": "Anmälan låg obevakad över en helg.",
    "atgarder": "Rutin för helgbevakning införd.",
    "befogad": True,
}
IVO = {
    "anmals_till_ivo": True,
    "beslutsfattare": "Socialchef Sara",
    "motivering": "Allvarligt missförhållande.",
}

KVAL = ("kvalitetssamordnare",)


async def register(client, headers, body=LEX_SARAH):  # type: ignore[no-untyped-def]
    response = await client.post("/v1/avvikelser", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


@pytest.mark.parametrize(
    "role", ["handlaggare", "arbetsledare", "utforare", "enhetschef", "kvalitetssamordnare"]
)
async def test_anyone_on_staff_may_report(case_client, clock, as_role, role) -> None:  # type: ignore[no-untyped-def]
    response = await register(case_client, as_role(role), KLAGOMAL)
    body = response.json()
    assert body["status"] == "registrerad"
    assert body["registrerad_at"] == "2026-03-02T09:00:00Z"
    assert body["tillatna_kommandon"] == ["utred"]
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/v1/avvikelser/{body['id']}"


async def test_system_role_may_not_report(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.post("/v1/avvikelser", json=KLAGOMAL, headers=as_role("system"))
    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ["handlaggare", "arbetsledare", "utforare", "system"])
async def test_reporters_may_not_read_or_act(case_client, clock, as_role, role) -> None:  # type: ignore[no-untyped-def]
    created = (await register(case_client, as_role(*KVAL), LEX_SARAH)).json()
    headers = {**as_role(role), "If-Match": '"1"'}
    url = f"/v1/avvikelser/{created['id']}"
    assert_problem(await case_client.get(url, headers=headers), 403, "forbidden")
    assert_problem(await case_client.get("/v1/avvikelser", headers=headers), 403, "forbidden")
    assert_problem(await case_client.post(f"{url}/utred", json=UTREDNING, headers=headers), 403, "forbidden")
    assert_problem(await case_client.post(f"{url}/ivo-beslut", json=IVO, headers=headers), 403, "forbidden")
    assert_problem(await case_client.post(f"{url}/avsluta", json={}, headers=headers), 403, "forbidden")
    report = await case_client.get("/v1/rapporter/avvikelser/sammanstallning", headers=headers)
    assert_problem(report, 403, "forbidden")


async def test_lex_sarah_full_lifecycle_is_time_stamped_and_evented(
    case_client, case_conn, clock, as_role
) -> None:  # type: ignore[no-untyped-def]
    reporter = as_role("handlaggare", sub="hanna")
    kval = as_role(*KVAL, sub="kim")
    created = (await register(case_client, reporter)).json()
    url = f"/v1/avvikelser/{created['id']}"
    assert created["lex_sarah_typ"] == "missforhallande"

    clock.set(datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    response = await case_client.post(f"{url}/utred", json=UTREDNING, headers={**kval, "If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert (body["status"], body["utredd_at"], body["utredd_av"]) == ("utredd", "2026-03-05T10:00:00Z", "kim")
    assert body["tillatna_kommandon"] == ["besluta_ivo"]

    # A lex Sarah report cannot be closed before the IVO decision.
    refused = await case_client.post(f"{url}/avsluta", json={}, headers={**kval, "If-Match": '"2"'})
    problem = assert_problem(refused, 409, "avvikelse-kommando-ej-tillatet")
    assert problem["tillstand"] == "utredd"
    assert problem["tillatna_kommandon"] == ["besluta_ivo"]

    clock.set(datetime(2026, 3, 9, 8, 30, tzinfo=UTC))
    response = await case_client.post(f"{url}/ivo-beslut", json=IVO, headers={**kval, "If-Match": '"2"'})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ivo_anmalan"] is True
    assert body["ivo_beslutsfattare"] == "Socialchef Sara"
    assert body["ivo_beslut_at"] == "2026-03-09T08:30:00Z"

    clock.set(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    response = await case_client.post(
        f"{url}/avsluta", json={"kommentar": "Åtgärder följda upp."}, headers={**kval, "If-Match": '"3"'}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["avslutad_at"], body["tillatna_kommandon"]) == (
        "avslutad",
        "2026-03-20T12:00:00Z",
        [],
    )

    events = (
        await case_conn.execute(
            text(
                "SELECT type, subject, data, occurred_at FROM outbox_event WHERE data->>'id' = :id ORDER BY seq"
            ),
            {"id": created["id"]},
        )
    ).all()
    assert [e.type for e in events] == [
        "se.socialtjanst.avvikelse.registrerad",
        "se.socialtjanst.avvikelse.utredd",
        "se.socialtjanst.avvikelse.ivo_beslut",
        "se.socialtjanst.avvikelse.avslutad",
    ]
    assert [e.occurred_at for e in events] == [
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
        datetime(2026, 3, 9, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 20, 12, 0, tzinfo=UTC),
    ]
    assert events[0].subject == f"avvikelse/{created['id']}"
    assert "beskrivning" not in events[0].data and "iakttagelser" not in events[1].data
    assert events[2].data["ivo_anmalan"] is True


async def test_event_subject_is_the_arende_when_linked(case_client, case_conn, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    arende_id = await new_arende(case_client, as_role)
    created = (
        await register(case_client, as_role("handlaggare"), {**KLAGOMAL, "arende_id": arende_id})
    ).json()
    row = (
        await case_conn.execute(
            text("SELECT subject, arende_id FROM outbox_event WHERE data->>'id' = :id"), {"id": created["id"]}
        )
    ).one()
    assert (row.subject, str(row.arende_id)) == (arende_id, arende_id)


async def test_other_kinds_close_after_investigation(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    kval = as_role(*KVAL)
    created = (await register(case_client, kval, KLAGOMAL)).json()
    url = f"/v1/avvikelser/{created['id']}"
    refused = await case_client.post(f"{url}/ivo-beslut", json=IVO, headers={**kval, "If-Match": '"1"'})
    assert assert_problem(refused, 409)["tillatna_kommandon"] == ["utred"]
    assert (
        await case_client.post(f"{url}/utred", json=UTREDNING, headers={**kval, "If-Match": '"1"'})
    ).status_code == 200
    refused = await case_client.post(f"{url}/ivo-beslut", json=IVO, headers={**kval, "If-Match": '"2"'})
    assert assert_problem(refused, 409)["tillatna_kommandon"] == ["avsluta"]
    closed = await case_client.post(f"{url}/avsluta", json={}, headers={**kval, "If-Match": '"2"'})
    assert closed.json()["status"] == "avslutad"
    again = await case_client.post(f"{url}/avsluta", json={}, headers={**kval, "If-Match": '"3"'})
    problem = assert_problem(again, 409)
    assert (problem["tillstand"], problem["tillatna_kommandon"]) == ("avslutad", [])


async def test_changes_need_the_current_etag(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    kval = as_role(*KVAL)
    created = (await register(case_client, kval)).json()
    url = f"/v1/avvikelser/{created['id']}/utred"
    assert_problem(await case_client.post(url, json=UTREDNING, headers=kval), 428)
    assert_problem(await case_client.post(url, json=UTREDNING, headers={**kval, "If-Match": '"7"'}), 412)
    read = await case_client.get(f"/v1/avvikelser/{created['id']}", headers=kval)
    assert read.headers["ETag"] == '"1"'


async def test_idempotent_create(case_client, case_conn, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    headers = {**as_role("utforare", sub="ulla"), "Idempotency-Key": "avv-1"}
    first = await case_client.post("/v1/avvikelser", json=KLAGOMAL, headers=headers)
    second = await case_client.post("/v1/avvikelser", json=KLAGOMAL, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))  # past row-level security
    count = (await case_conn.execute(text("SELECT count(*) FROM avvikelse"))).scalar_one()
    assert count == 1
    other = await case_client.post("/v1/avvikelser", json={**KLAGOMAL, "form": "skriftlig"}, headers=headers)
    assert_problem(other, 422, "idempotency-key-reused")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lex_sarah_typ": None}, "lex_sarah.lex_sarah_typ"),
        ({"typ": "klagomal"}, "klagomal.lex_sarah_typ"),
        ({"orsakskategori": "vader"}, "lex_sarah.orsakskategori"),
        ({"inkommen_fran": "granne"}, "lex_sarah.inkommen_fran"),
        ({"form": "telefon"}, "lex_sarah.form"),
        ({"beskrivning": "nul\x00byte"}, "lex_sarah.beskrivning"),
        ({"okand": 1}, "lex_sarah.okand"),
    ],
)
async def test_invalid_reports_are_refused_naming_the_field(
    case_client, clock, as_role, change, field
) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.post(
        "/v1/avvikelser", json={**LEX_SARAH, **change}, headers=as_role("handlaggare")
    )
    problem = assert_problem(response, 422, "validation-error")
    assert field in {e["field"] for e in problem["errors"]}


async def test_enhetschef_sees_and_acts_on_own_unit_only(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    own = (await register(case_client, as_role("handlaggare"), KLAGOMAL)).json()
    other = (await register(case_client, as_role("handlaggare"), {**KLAGOMAL, "enhet": "bou-2"})).json()
    chef = as_role("enhetschef", enhet="bou-1")
    assert (await case_client.get(f"/v1/avvikelser/{own['id']}", headers=chef)).status_code == 200
    assert_problem(
        await case_client.get(f"/v1/avvikelser/{other['id']}", headers=chef), 404, "avvikelse-saknas"
    )
    acted = await case_client.post(
        f"/v1/avvikelser/{other['id']}/utred", json=UTREDNING, headers={**chef, "If-Match": '"1"'}
    )
    assert_problem(acted, 404)
    listed = (await case_client.get("/v1/avvikelser", headers=chef)).json()
    assert [a["id"] for a in listed["items"]] == [own["id"]]
    assert_problem(
        await case_client.get("/v1/avvikelser?enhet=bou-2", headers=chef), 403, "enhet-ej-tillaten"
    )
    everything = (await case_client.get("/v1/avvikelser", headers=as_role(*KVAL))).json()
    assert {a["id"] for a in everything["items"]} == {own["id"], other["id"]}


async def test_list_pages_newest_first_with_filters(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    kval = as_role(*KVAL)
    ids = []
    for day in range(5):
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=day))
        ids.append((await register(case_client, kval, KLAGOMAL if day % 2 else LEX_SARAH)).json()["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await case_client.get("/v1/avvikelser", params=params, headers=kval)).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    lex = (await case_client.get("/v1/avvikelser", params={"typ": "lex_sarah"}, headers=kval)).json()
    assert [a["id"] for a in lex["items"]] == [ids[4], ids[2], ids[0]]
    assert_problem(await case_client.get("/v1/avvikelser?cursor=bm9wZQ", headers=kval), 422, "ogiltig-cursor")


async def test_orsakskategorier_are_served_with_their_source(case_client, as_role) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/avvikelser/orsakskategorier", headers=as_role("utforare"))
    kategorier = {k["kod"]: k for k in response.json()}
    assert kategorier["rutin_ej_foljd"]["kalla"] == "seed 002, 5.4.3"
    assert "ovrigt" in kategorier


async def test_405_names_every_method_of_the_path(case_client, as_role) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.request("DELETE", "/v1/avvikelser", headers=as_role("kvalitetssamordnare"))
    assert_problem(response, 405)
    assert response.headers["Allow"] == "GET, POST"


async def new_arende(case_client, as_role) -> str:  # type: ignore[no-untyped-def]
    response = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=as_role("handlaggare"))
    assert response.status_code == 201, response.text
    return str(response.json()["arende_id"])


async def bevakningar(case_client, as_role, arende_id: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    response = await case_client.get(
        "/v1/bevakningar",
        params={"arende_id": arende_id, "typ": "lex_sarah_utredning"},
        headers=as_role("handlaggare"),
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_lex_sarah_about_an_arende_is_watched_until_investigated(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    arende_id = await new_arende(case_client, as_role)
    kval = as_role(*KVAL, enhet=None)
    created = (await register(case_client, kval, {**LEX_SARAH, "arende_id": arende_id})).json()
    # 14 days (LEX_SARAH_UTREDNING_DAGAR), no move to a weekday: the nämnd's own limit.
    assert created["utredning_forfallodatum"] == "2026-03-16"
    [bevakning] = await bevakningar(case_client, as_role, arende_id)
    assert (bevakning["status"], bevakning["startdatum"], bevakning["forfallodatum"]) == (
        "oppen",
        "2026-03-02",
        "2026-03-16",
    )
    assert (bevakning["objekt_typ"], bevakning["objekt_id"]) == ("avvikelse", created["id"])
    assert bevakning["regel"]["id"] == "lex_sarah_utredning"

    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    url = f"/v1/avvikelser/{created['id']}/utred"
    assert (
        await case_client.post(url, json=UTREDNING, headers={**kval, "If-Match": '"1"'})
    ).status_code == 200
    [bevakning] = await bevakningar(case_client, as_role, arende_id)
    assert (bevakning["status"], bevakning["uppfylld_datum"]) == ("uppfylld", "2026-03-10")
    # The request left no scope behind on the transaction.
    assert (await case_client.get("/v1/avvikelser", headers=kval)).status_code == 200


async def test_lex_sarah_length_is_configurable_and_other_kinds_are_not_watched(  # type: ignore[no-untyped-def]
    case_client, case_app, clock, as_role
) -> None:
    case_app.state.settings = case_app.state.settings.model_copy(update={"lex_sarah_utredning_dagar": 10})
    arende_id = await new_arende(case_client, as_role)
    lex = (await register(case_client, as_role("handlaggare"), LEX_SARAH)).json()
    assert lex["utredning_forfallodatum"] == "2026-03-12"
    other = (await register(case_client, as_role("handlaggare"), {**KLAGOMAL, "arende_id": arende_id})).json()
    assert other["utredning_forfallodatum"] is None
    assert await bevakningar(case_client, as_role, arende_id) == []


async def test_arende_id_must_name_an_arende(case_client, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    body = {**KLAGOMAL, "arende_id": "6f1c2f43-3c0e-4b3e-9a53-7d6c1c0e9b11"}
    response = await case_client.post("/v1/avvikelser", json=body, headers=as_role("handlaggare"))
    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["field"] == "arende_id"
