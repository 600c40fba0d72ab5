"""The journal (issue 14 item 1): the handläggare's anteckningar on the ärende, the utförare's on
the uppdrag, corrections as new entries, append-only in the database, audited, evented, in the
registerutdrag, and journalgranskning for the kvalitetssamordnare."""

import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from common.db import make_engine
from tests.case_api.flow import Walk
from tests.case_api.steg import DAG, Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

SAMTAL = {"datum": DAG, "slag": "samtal", "text": "Samtal med barnet om skolan."}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(case_client, people(token))


async def _case(walk: Walk) -> tuple[dict[str, Any], dict[str, Any]]:
    akt, _, uppdrag = await Steg(walk).verkstallt_uppdrag()
    return akt, uppdrag


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[Any]:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = list(await conn.execute(text(sql), params))
    await conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
    return rows


async def test_an_entry_and_its_correction_both_stay(walk: Walk, case_conn: AsyncConnection) -> None:
    akt, _ = await _case(walk)
    journal = f"/v1/arenden/{akt['arende_id']}/journal"
    first = (await walk.post("handlaggare", journal, SAMTAL, expect=201)).json()
    assert (first["slag"], first["forfattare"], first["forfattare_roll"]) == ("samtal", "anna", "handlaggare")
    assert first["uppdrag_id"] is None and first["rattar_id"] is None and first["rattad_av"] == []
    fix = SAMTAL | {"slag": "hembesok", "text": "Rättelse: det var ett hembesök.", "rattar_id": first["id"]}
    correction = (await walk.post("arbetsledare", journal, fix, expect=201)).json()
    assert correction["rattar_id"] == first["id"] and correction["forfattare_roll"] == "arbetsledare"

    items = (await walk.get("handlaggare", journal)).json()["items"]
    assert [i["id"] for i in items] == [first["id"], correction["id"]]
    assert items[0]["text"] == SAMTAL["text"] and items[0]["rattad_av"] == [correction["id"]]
    events = await _rows(
        case_conn,
        "SELECT type, data FROM outbox_event WHERE type LIKE '%journalanteckning%' ORDER BY seq",
    )
    assert [e.type for e in events] == ["se.socialtjanst.journalanteckning.registrerad"] * 2
    assert events[1].data["rattar_id"] == first["id"]
    # Subscribers learn that the file grew, never what it says.
    assert all("text" not in e.data for e in events)
    audit = await _rows(
        case_conn,
        "SELECT handling, objekt_typ, objekt_id FROM audit_logg WHERE objekt_typ LIKE 'journal%' ORDER BY id",
    )
    assert [(a.handling, a.objekt_typ) for a in audit] == [
        ("skapa", "journalanteckning"),
        ("skapa", "journalanteckning"),
        ("las", "journal"),
    ]
    assert str(audit[0].objekt_id) == first["id"]


async def test_a_correction_names_an_entry_of_the_same_journal(walk: Walk) -> None:
    akt, uppdrag = await _case(walk)
    arende_journal = f"/v1/arenden/{akt['arende_id']}/journal"
    uppdrag_journal = f"/v1/uppdrag/{uppdrag['id']}/journal"
    own = (await walk.post("handlaggare", arende_journal, SAMTAL, expect=201)).json()
    theirs = (await walk.post("utforare", uppdrag_journal, SAMTAL, expect=201)).json()
    for who, path, rattar in (
        ("utforare", uppdrag_journal, own["id"]),  # the ärende's entry from the uppdrag's journal
        ("handlaggare", arende_journal, theirs["id"]),
        ("handlaggare", arende_journal, str(uuid.uuid4())),
    ):
        response = await walk.client.post(
            path, json=SAMTAL | {"rattar_id": rattar}, headers=bearer(walk.tokens[who])
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["field"] == "rattar_id", problem


async def test_a_date_in_the_future_is_refused(walk: Walk) -> None:
    akt, _ = await _case(walk)
    response = await walk.client.post(
        f"/v1/arenden/{akt['arende_id']}/journal",
        json=SAMTAL | {"datum": "2026-03-11"},
        headers=bearer(walk.tokens["handlaggare"]),
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "datum"


async def test_the_utforare_writes_the_uppdrag_journal_and_the_bestallare_reads_it(
    walk: Walk, token: TokenFactory
) -> None:
    akt, uppdrag = await _case(walk)
    path = f"/v1/uppdrag/{uppdrag['id']}/journal"
    entry = (
        await walk.post(
            "utforare", path, SAMTAL | {"slag": "kontakt_med_skola", "text": "Skolan ringde."}, expect=201
        )
    ).json()
    assert (entry["utforare"], entry["forfattare_roll"], entry["uppdrag_id"]) == (
        "ov-1",
        "utforare",
        uppdrag["id"],
    )
    for who in ("handlaggare", "arbetsledare", "utforare"):
        items = (await walk.get(who, path)).json()["items"]
        assert [i["id"] for i in items] == [entry["id"]], who
    # The utförare's entries are the uppdrag's, not the ärende's journal.
    assert (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}/journal")).json()["items"] == []
    # The beställare documents in its own journal: writing the utförare's is the utförare's.
    refused = await walk.client.post(path, json=SAMTAL, headers=bearer(walk.tokens["handlaggare"]))
    assert_problem(refused, 403, "forbidden")


async def test_who_is_refused_which_journal(walk: Walk, token: TokenFactory) -> None:
    akt, uppdrag = await _case(walk)
    arende_journal = f"/v1/arenden/{akt['arende_id']}/journal"
    uppdrag_journal = f"/v1/uppdrag/{uppdrag['id']}/journal"
    await walk.post("handlaggare", arende_journal, SAMTAL, expect=201)
    await walk.post("utforare", uppdrag_journal, SAMTAL, expect=201)
    utforare = bearer(walk.tokens["utforare"])
    # The utförare reads only what its uppdrag carries: never the handläggare's journal.
    assert_problem(await walk.client.get(arende_journal, headers=utforare), 403, "forbidden")
    assert_problem(await walk.client.post(arende_journal, json=SAMTAL, headers=utforare), 403, "forbidden")
    # Another enhet, another utförare organisation: as if the journal did not exist.
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    ulla = bearer(token("utforare", sub="ulla", enhet=None, utforare="ov-9"))
    for headers, method, path in (
        (gun, "GET", arende_journal),
        (gun, "POST", arende_journal),
        (gun, "GET", uppdrag_journal),
        (ulla, "GET", uppdrag_journal),
        (ulla, "POST", uppdrag_journal),
    ):
        response = await walk.client.request(method, path, json=SAMTAL, headers=headers)
        assert_problem(response, 404)


async def test_an_ended_uppdrag_takes_no_new_entries(walk: Walk) -> None:
    _, uppdrag = await _case(walk)
    path = f"/v1/uppdrag/{uppdrag['id']}/journal"
    entry = (await walk.post("utforare", path, SAMTAL, expect=201)).json()
    await Steg(walk).avsluta_insats(uppdrag["insats_id"])
    response = await walk.client.post(path, json=SAMTAL, headers=bearer(walk.tokens["utforare"]))
    assert_problem(response, 409, "journal-stangd")
    # A correction of what it wrote itself is still possible.
    await walk.post("utforare", path, SAMTAL | {"text": "Rättelse.", "rattar_id": entry["id"]}, expect=201)


async def test_journalgranskning_by_enhet_and_period(
    walk: Walk, token: TokenFactory, case_conn: AsyncConnection
) -> None:
    akt, uppdrag = await _case(walk)
    await walk.post("handlaggare", f"/v1/arenden/{akt['arende_id']}/journal", SAMTAL, expect=201)
    await walk.post(
        "handlaggare",
        f"/v1/arenden/{akt['arende_id']}/journal",
        SAMTAL | {"datum": "2026-02-01", "slag": "information"},
        expect=201,
    )
    await walk.post("utforare", f"/v1/uppdrag/{uppdrag['id']}/journal", SAMTAL, expect=201)
    kim = bearer(token("kvalitetssamordnare", sub="kim", enhet=None))

    async def granska(**params: str) -> list[dict[str, Any]]:
        response = await walk.client.get("/v1/journalanteckningar", params=params, headers=kim)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    assert len(await granska(enhet="bou-1")) == 3
    in_march = await granska(enhet="bou-1", fran="2026-03-01", till="2026-03-31")
    assert {(i["datum"], i["uppdrag_id"] is None) for i in in_march} == {(DAG, True), (DAG, False)}
    assert [i["slag"] for i in await granska(enhet="bou-1", slag="information")] == ["information"]
    assert await granska(enhet="bou-2") == []
    rows = await _rows(
        case_conn,
        "SELECT skal, handling FROM audit_logg WHERE objekt_typ = 'journalanteckning' AND sub = 'kim'",
    )
    assert rows and {(r.skal, r.handling) for r in rows} == {("journalgranskning", "sok")}
    # The journal of every enhet is the kvalitetssamordnare's to review, no one else's.
    for role in ("handlaggare", "arbetsledare", "enhetschef", "utforare"):
        response = await walk.client.get(
            "/v1/journalanteckningar", headers=bearer(token(role, sub="x", enhet="bou-1", utforare="ov-1"))
        )
        assert_problem(response, 403, "forbidden")


async def test_the_journal_is_in_the_registerutdrag(walk: Walk, token: TokenFactory) -> None:
    akt, uppdrag = await _case(walk)
    own = (
        await walk.post("handlaggare", f"/v1/arenden/{akt['arende_id']}/journal", SAMTAL, expect=201)
    ).json()
    theirs = (await walk.post("utforare", f"/v1/uppdrag/{uppdrag['id']}/journal", SAMTAL, expect=201)).json()
    person_id = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()["barn"]["id"]
    utdrag = await walk.client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        headers=bearer(token("kvalitetssamordnare", sub="kim", enhet=None)),
    )
    assert utdrag.status_code == 200, utdrag.text
    rows = utdrag.json()["uppgifter"]["journalanteckning"]
    assert {r["id"] for r in rows} == {own["id"], theirs["id"]}
    assert {r["text"] for r in rows} == {SAMTAL["text"]}


CHANGES = [
    "UPDATE journalanteckning SET text = 'ändrad'",
    "DELETE FROM journalanteckning",
    "TRUNCATE journalanteckning",
    "UPDATE journalanteckning SET text = 'ändrad' WHERE false",
]


async def test_the_app_role_may_only_read_and_add(case_conn: AsyncConnection) -> None:
    privileges = {
        p: (
            await case_conn.execute(text("SELECT has_table_privilege('journalanteckning', :p)"), {"p": p})
        ).scalar_one()
        for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
    }
    assert privileges == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}


@pytest.mark.parametrize("statement", CHANGES)
async def test_the_trigger_refuses_the_owner_too(case_db: Any, statement: str) -> None:
    engine = make_engine(case_db.owner_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError, match="journalanteckning is append-only"):
                await conn.execute(text(statement))
            await conn.rollback()
    finally:
        await engine.dispose()
