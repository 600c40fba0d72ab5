"""The beställare withdraws an uppdrag (issue 14 item 5): POST /v1/uppdrag/{id}/aterkallelse.

Before the uppdrag ended only, by a case worker of the enhet that sent it, with a reason. The
utförare is told (event uppdrag.aterkallat naming it, without the reason), the uppdrag's own
bevakningar end with the reason, and an insats not yet started goes back to the beställare.
"""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.atkomst.support import audit_rows
from tests.case_api.flow import Walk
from tests.case_api.steg import Steg, fingerprint, frozen, outbox_count, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer

SKAL = {"skal": "Familjen har flyttat från kommunen."}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(
        case_client,
        people(token)
        | {
            "bou2": token("handlaggare", sub="gun", enhet="bou-2"),
            "chef": token("enhetschef", sub="cecilia", enhet="bou-1"),
        },
    )


async def _events(conn: AsyncConnection, typ: str) -> list[dict[str, Any]]:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = await conn.execute(
        text("SELECT data FROM outbox_event WHERE type = :t ORDER BY seq"), {"t": "se.socialtjanst." + typ}
    )
    await conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
    return [r[0] for r in rows]


async def test_a_started_uppdrag_withdrawn(walk: Walk, case_conn: AsyncConnection) -> None:
    s = Steg(walk)
    akt, insats, up = await s.verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}"
    before = (await walk.get("handlaggare", path)).json()
    assert "aterkallelse" in before["tillatna_kommandon"]
    assert {"kommando": "aterkallelse", "metod": "POST", "href": f"{path}/aterkallelse"} in before[
        "tillatna_anrop"
    ]
    assert [b["status"] for b in (await walk.bevakningar(akt["arende_id"]))["genomforandeplan"]] == ["oppen"]

    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    response = await walk.post("handlaggare", f"{path}/aterkallelse", SKAL, etag=etag)
    done = response.json()
    assert done["status"] == "aterkallat" and done["aterkallelse_skal"] == SKAL["skal"]
    assert done["aterkallat_at"] is not None
    assert done["tillatna_kommandon"] == [] and done["tillatna_anrop"] == []
    assert response.headers["ETag"] == f'"{done["version"]}"' != etag

    # The uppdrag's bevakning ends with the reason; the utförare no longer has it to meet.
    plan = (await walk.bevakningar(akt["arende_id"]))["genomforandeplan"]
    assert [(b["status"], b["avbruten_orsak"]) for b in plan] == [("avbruten", "uppdraget återkallat")]
    assert (await walk.get("utforare", "/v1/bevakningar", status="oppen")).json()["items"] == []
    # The insats stands: the beslut is not withdrawn with the uppdrag.
    assert (await walk.get("handlaggare", f"/v1/insatser/{insats['id']}")).json()["status"] == "verkstalld"

    # The utförare is told: an event naming it, with no reason (it may hold personal data).
    [event] = await _events(case_conn, "uppdrag.aterkallat")
    assert event["utforare"] == "ov-1" and event["uppdrag_id"] == up["id"]
    assert event["status"] == "aterkallat" and event["aterkallat_av"] == "anna"
    assert "skal" not in event and SKAL["skal"] not in str(event)
    # It sees the uppdrag withdrawn, but not the beställare's reason.
    seen = (await walk.get("utforare", path)).json()
    assert seen["status"] == "aterkallat" and seen["aterkallelse_skal"] is None
    # Audited: the change, by whom, about which child.
    rows = await audit_rows(case_conn, response.headers["X-Request-ID"])
    assert [(r.handling, r.objekt_typ, str(r.objekt_id), r.sub) for r in rows] == [
        ("andra", "uppdrag", up["id"], "anna")
    ]
    # Nothing more happens to it: a second withdrawal, or the utförare reporting, is a 409.
    again = await walk.client.post(
        f"{path}/aterkallelse",
        json=SKAL,
        headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": f'"{done["version"]}"'},
    )
    problem = assert_problem(again, 409, "invalid-transition")
    assert problem["tillstand"] == "aterkallat" and problem["tillatna_kommandon"] == []
    report = await walk.client.post(
        f"{path}/forandrade-behov",
        json={"beskrivning": "Nya behov."},
        headers=bearer(walk.tokens["utforare"]) | {"If-Match": f'"{done["version"]}"'},
    )
    assert_problem(report, 409, "invalid-transition")
    assert (await walk.get("handlaggare", "/v1/uppdrag", status="aterkallat")).json()["items"][0]["id"] == up[
        "id"
    ]


async def test_one_not_started_goes_back_to_the_bestallare(walk: Walk) -> None:
    s = Steg(walk)
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    up = await s.uppdrag(insats["id"])
    assert [b["typ"] for b in (await walk.get("utforare", "/v1/bevakningar")).json()["items"]] == [
        "verkstallighet"
    ]
    path = f"/v1/uppdrag/{up['id']}"
    await walk.command("handlaggare", f"{path}/aterkallelse", path, SKAL)
    # The verkställighet bevakning is the insats's: it stays open, the beställare's again.
    verk = (await walk.bevakningar(akt["arende_id"]))["verkstallighet"]
    assert [(b["status"], b["utforare"]) for b in verk] == [("oppen", None)]
    assert (await walk.get("utforare", "/v1/bevakningar")).json()["items"] == []
    # A withdrawn uppdrag is not active: the insats can be sent to another utförare.
    again = await s.uppdrag(insats["id"], utforare="ov-2")
    verk = (await walk.bevakningar(akt["arende_id"]))["verkstallighet"]
    assert again["status"] == "skickat" and [b["utforare"] for b in verk] == ["ov-2"]


@pytest.mark.parametrize(
    ("who", "status", "slug"),
    [
        ("utforare", 403, "forbidden"),  # the utförare answers an uppdrag; it does not withdraw one
        ("chef", 403, "forbidden"),  # the enhetschef reads; the case workers send and withdraw
        ("bou2", 404, "not-found"),  # another enhet's uppdrag is not there for it
    ],
)
async def test_only_the_bestallande_enhets_case_workers_withdraw(
    walk: Walk, case_conn: AsyncConnection, who: str, status: int, slug: str
) -> None:
    s = Steg(walk)
    akt = await s.aktualisering("ansokan")
    up = await s.uppdrag((await s.beslut(akt["arende_id"]))["id"])
    path = f"/v1/uppdrag/{up['id']}"
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    rows, outbox = await fingerprint(case_conn), await outbox_count(case_conn)
    response = await walk.client.post(
        f"{path}/aterkallelse", json=SKAL, headers=bearer(walk.tokens[who]) | {"If-Match": etag}
    )
    assert_problem(response, status, slug)
    assert (await fingerprint(case_conn), await outbox_count(case_conn)) == (rows, outbox)
    assert (await walk.get("handlaggare", path)).json()["status"] == "skickat"


@pytest.mark.parametrize(
    ("body", "etag", "status"),
    [
        ({}, True, 422),  # a reason is required
        ({"skal": "   "}, True, 422),  # blank is no reason
        ({"skal": "x" * 2001}, True, 422),
        ({"skal": "Flyttat\x00"}, True, 422),  # a NUL never reaches PostgreSQL
        ({"skal": "Flyttat.", "extra": 1}, True, 422),
        (SKAL, False, 428),  # If-Match is required
        (SKAL, '"99"', 412),  # and must be the current version
    ],
)
async def test_a_bad_withdrawal_changes_nothing(
    walk: Walk, case_conn: AsyncConnection, body: dict[str, Any], etag: Any, status: int
) -> None:
    s = Steg(walk)
    akt = await s.aktualisering("ansokan")
    up = await s.uppdrag((await s.beslut(akt["arende_id"]))["id"])
    path = f"/v1/uppdrag/{up['id']}"
    current = (await walk.get("handlaggare", path)).headers["ETag"]
    headers = bearer(walk.tokens["handlaggare"])
    if etag is not False:
        headers["If-Match"] = current if etag is True else etag
    rows, outbox = await fingerprint(case_conn), await outbox_count(case_conn)
    response = await walk.client.post(f"{path}/aterkallelse", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await fingerprint(case_conn), await outbox_count(case_conn)) == (rows, outbox)


async def test_an_ended_uppdrag_cannot_be_withdrawn(walk: Walk) -> None:
    s = Steg(walk)
    _, insats, up = await s.verkstallt_uppdrag()
    await s.avsluta_insats(insats["id"])
    path = f"/v1/uppdrag/{up['id']}"
    ended = await walk.get("handlaggare", path)
    assert ended.json()["status"] == "avslutat" and "aterkallelse" not in ended.json()["tillatna_kommandon"]
    response = await walk.client.post(
        f"{path}/aterkallelse",
        json=SKAL,
        headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": ended.headers["ETag"]},
    )
    problem = assert_problem(response, 409, "invalid-transition")
    assert problem["tillstand"] == "avslutat"
