"""Loggkontroll: the log by person, user, period and outcome; the two reports; reading is logged."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from case_api.audit import service as audit_service
from common.auth import Role
from common.deferred_writes import write_now
from tests.case_api.audit.conftest import T0, audit_rows, caller
from tests.helpers import assert_problem, bearer

PERIOD = {"fran_tid": "2026-11-01T00:00:00+01:00", "till_tid": "2026-12-01T00:00:00+01:00"}


async def _seed(session, clock, rows):  # type: ignore[no-untyped-def]
    """rows: (minutes after T0, sub, handling, person_id, utfall)."""
    for minutes, sub, handling, person, utfall in rows:
        clock.set(T0 + timedelta(minutes=minutes))
        await audit_service.logga(
            session,
            vem=caller(Role.handlaggare, sub=sub),
            handling=handling,
            objekt_typ="arende",
            objekt_id=None,
            person_id=person,
            arende_id=None,
            utfall=utfall,
        )
    # This session never commits; the app's own session reads the rows (on the same connection).
    await write_now(session)
    clock.set(T0 + timedelta(days=1))


@pytest.fixture
def kvalitet(token):  # type: ignore[no-untyped-def]
    return bearer(token("kvalitetssamordnare", sub="kerstin", enhet=None))


async def test_filters(audit_session, case_app, case_client, clock, kvalitet) -> None:
    case_app.state.clock = clock
    p1, p2 = uuid.uuid4(), uuid.uuid4()
    await _seed(
        audit_session,
        clock,
        [
            (0, "anna", "las", p1, "tillaten"),
            (1, "bo", "las", p1, "tillaten"),
            (2, "anna", "andra", p2, "tillaten"),
            (3, "bo", "las", p2, "nekad"),
            (60 * 24 * 40, "anna", "las", p1, "tillaten"),  # in January
        ],
    )

    async def subs(**params) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        response = await case_client.get("/v1/audit/logg", params=params, headers=kvalitet)
        assert response.status_code == 200, response.text
        return [(p["sub"], p["handling"]) for p in response.json()["items"]]

    assert await subs(person_id=str(p1)) == [("anna", "las"), ("bo", "las"), ("anna", "las")]
    assert await subs(sub="bo") == [("bo", "las"), ("bo", "las")]
    assert await subs(utfall="nekad") == [("bo", "las")]
    assert await subs(handling="andra") == [("anna", "andra")]
    assert await subs(**PERIOD, sub="anna") == [("anna", "andra"), ("anna", "las")]
    assert await subs(fran_tid="2026-11-23T09:31:15.123456Z", till_tid="2026-11-23T09:33:15.123456Z") == [
        ("anna", "andra"),
        ("bo", "las"),
    ]  # fran inclusive, till exclusive
    assert await subs(person_id=str(p1), sub="bo") == [("bo", "las")]


async def test_cursor_pages_through_everything_once(audit_session, case_client, clock, kvalitet) -> None:
    persons = [uuid.uuid4() for _ in range(7)]
    await _seed(audit_session, clock, [(i, "anna", "las", p, "tillaten") for i, p in enumerate(persons)])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"sub": "anna", "limit": 3} | ({"cursor": cursor} if cursor else {})
        body = (await case_client.get("/v1/audit/logg", params=params, headers=kvalitet)).json()
        seen += [uuid.UUID(p["person_id"]) for p in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(persons))


async def test_reading_the_log_is_logged_per_person(
    audit_session, case_client, case_conn, clock, kvalitet
) -> None:
    p1, p2, asked = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await _seed(
        audit_session, clock, [(0, "anna", "las", p1, "tillaten"), (1, "anna", "las", p2, "tillaten")]
    )
    response = await case_client.get(
        "/v1/audit/logg", params={"sub": "anna", "skal": "Granskning 2026:4"}, headers=kvalitet
    )
    assert response.status_code == 200
    rows = await audit_rows(case_conn, handling="loggkontroll")
    assert sorted(r.person_id for r in rows) == sorted([p1, p2])
    assert {(r.sub, r.objekt_typ, r.skal, r.request_id) for r in rows} == {
        ("kerstin", "audit_logg", "Granskning 2026:4", response.headers["x-request-id"])
    }
    # Looking up a person with no accesses is itself an access to that person.
    await case_client.get("/v1/audit/logg", params={"person_id": str(asked)}, headers=kvalitet)
    assert [r.person_id for r in await audit_rows(case_conn, handling="loggkontroll", person_id=asked)] == [
        asked
    ]


@pytest.mark.parametrize("cursor", ["bm90LWEtY3Vyc29y", "-1", "", "1" * 19])
async def test_cursor_that_is_not_an_id_is_422(case_client, kvalitet, cursor: str) -> None:
    response = await case_client.get("/v1/audit/logg", params={"cursor": cursor}, headers=kvalitet)
    assert assert_problem(response, 422, "validation-error")["errors"][0]["field"] == "query.cursor"


async def test_naive_timestamps_are_422(case_client, kvalitet) -> None:
    response = await case_client.get(
        "/v1/audit/logg", params={"fran_tid": "2026-11-01T00:00:00"}, headers=kvalitet
    )
    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    ("path", "key", "extra"),
    [
        ("/v1/audit/logg", "items", {"sub": "anna"}),
        ("/v1/audit/rapporter/skyddade-personer", "atkomster", {}),
        ("/v1/audit/rapporter/manga-personer", "over_troskel", {"troskel": 0}),
    ],
)
async def test_period_backwards_is_empty(
    audit_session, case_client, clock, kvalitet, path: str, key: str, extra: dict[str, object]
) -> None:
    await _seed(audit_session, clock, [(0, "anna", "las", uuid.uuid4(), "tillaten")])
    response = await case_client.get(
        path,
        params={"fran_tid": PERIOD["till_tid"], "till_tid": PERIOD["fran_tid"], **extra},
        headers=kvalitet,
    )
    assert response.status_code == 200, response.text
    assert response.json()[key] == []
    forward = await case_client.get(path, params={**PERIOD, **extra}, headers=kvalitet)
    assert len(forward.json()[key]) == (0 if key == "atkomster" else 1)


async def test_manga_personer(audit_session, case_client, case_conn, clock, kvalitet) -> None:
    many = [uuid.uuid4() for _ in range(51)]
    rows = [(0, "flitig", "las", p, "tillaten") for p in many]
    rows += [(1, "gransen", "las", p, "tillaten") for p in many[:50]]
    rows += [(2, "vanlig", "las", many[0], "tillaten")] * 4  # one person, four times
    rows += [(3, "vanlig", "andra", many[1], "tillaten"), (4, "nekad", "las", many[2], "nekad")]
    rows += [(5, "utanfor", "las", None, "tillaten")]  # not about a person
    await _seed(audit_session, clock, rows)

    url = "/v1/audit/rapporter/manga-personer"
    body = (await case_client.get(url, params=PERIOD, headers=kvalitet)).json()
    assert body["troskel"] == 50  # AUDIT_MANGA_PERSONER_TROSKEL's default
    assert body["over_troskel"] == [{"sub": "flitig", "personer": 51, "atkomster": 51}]
    fordelning = body["fordelning"]
    assert (fordelning["anvandare"], fordelning["median"], fordelning["max"]) == (3, 50, 51)
    assert fordelning["p90"] == pytest.approx(50.8)
    counts = {(i["fran"], i["till"]): i["anvandare"] for i in fordelning["intervall"]}
    assert (
        counts[(2, 5)] == 1 and counts[(26, 50)] == 1 and counts[(51, 100)] == 1 and counts[(1001, None)] == 0
    )
    assert sum(counts.values()) == 3

    low = (await case_client.get(url, params=PERIOD | {"troskel": 1}, headers=kvalitet)).json()
    assert [u["sub"] for u in low["over_troskel"]] == ["flitig", "gransen", "vanlig"]
    only_andra = (
        await case_client.get(url, params=PERIOD | {"troskel": 0, "handling": "andra"}, headers=kvalitet)
    ).json()
    assert only_andra["over_troskel"] == [{"sub": "vanlig", "personer": 1, "atkomster": 1}]
    outside = (
        await case_client.get(
            url,
            params={"fran_tid": "2027-01-01T00:00:00Z", "till_tid": "2027-02-01T00:00:00Z"},
            headers=kvalitet,
        )
    ).json()
    assert outside["over_troskel"] == [] and outside["fordelning"]["median"] is None
    assert len(await audit_rows(case_conn, objekt_typ="rapport_manga_personer")) == 4


async def test_manga_personer_threshold_from_settings(case_app, case_client, kvalitet) -> None:
    case_app.state.settings = case_app.state.settings.model_copy(update={"audit_manga_personer_troskel": 7})
    body = (
        await case_client.get("/v1/audit/rapporter/manga-personer", params=PERIOD, headers=kvalitet)
    ).json()
    assert body["troskel"] == 7


async def test_skyddade_personer(committed_engine, owner_engine, committed_client, kvalitet, clock) -> None:
    """The kvalitetssamordnare sees which persons are protected without seeing them (no RLS scope)."""
    from sqlalchemy.ext.asyncio import AsyncSession

    skyddad, vanlig = uuid.uuid4(), uuid.uuid4()
    async with owner_engine.begin() as conn:  # the owner is not bound by row-level security
        await conn.execute(
            text(
                "INSERT INTO person (id, identitet_typ, skapad_av_enhet, created_at) "
                "VALUES (:s, 'okand', 'bou-9', now()), (:v, 'okand', 'bou-9', now())"
            ),
            {"s": skyddad, "v": vanlig},
        )
        # Protected as one enhet recorded it: enough to be reported, whoever else holds the person.
        await conn.execute(
            text(
                "INSERT INTO person_uppgifter (id, person_id, kalla, enhet, skyddad_identitet, kontakt, "
                "created_at, updated_at) VALUES "
                "(gen_random_uuid(), :s, 'enhet', 'bou-9', true, '{}', now(), now()), "
                "(gen_random_uuid(), :s, 'enhet', 'bou-8', false, '{}', now(), now()), "
                "(gen_random_uuid(), :v, 'enhet', 'bou-9', false, '{}', now(), now())"
            ),
            {"s": skyddad, "v": vanlig},
        )
    async with AsyncSession(committed_engine) as session, session.begin():
        session.info["clock"] = clock
        await _seed(
            session,
            clock,
            [
                (0, "anna", "las", skyddad, "tillaten"),
                (1, "anna", "andra", skyddad, "tillaten"),
                (2, "bo", "las", skyddad, "nekad"),
                (3, "anna", "las", vanlig, "tillaten"),
                (60 * 24 * 40, "cecilia", "las", skyddad, "tillaten"),  # outside the period
            ],
        )
    response = await committed_client.get(
        "/v1/audit/rapporter/skyddade-personer", params=PERIOD, headers=kvalitet
    )
    assert response.status_code == 200, response.text
    atkomster = response.json()["atkomster"]
    assert [
        (a["person_id"], a["sub"], a["tillatna"], a["nekade"], a["handlingar"], a["enheter"])
        for a in atkomster
    ] == [
        (str(skyddad), "anna", 2, 0, ["andra", "las"], ["bou-1"]),
        (str(skyddad), "bo", 0, 1, ["las"], ["bou-1"]),
    ]
    assert atkomster[0]["forsta"] == "2026-11-23T09:30:15.123456Z"
    assert atkomster[0]["senaste"] == "2026-11-23T09:31:15.123456Z"
    async with committed_engine.connect() as conn:
        logged = await audit_rows(conn, objekt_typ="rapport_skyddade_personer")
    assert [(r.handling, r.person_id, r.sub) for r in logged] == [("loggkontroll", skyddad, "kerstin")]
