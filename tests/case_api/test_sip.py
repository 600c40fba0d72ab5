"""SIP, samordnad individuell plan (issue 14 item 2; 10 kap. 8 § SoL (2025:400), seeds 000, 001,
004): recorded on an ärende with who initiated it, the parties and the child's samtycke it rests
on; each uppföljning date watched by a bevakning until the plan is finished; audited, evented
without names, in the registerutdrag; written by the enhet's case workers only."""

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.flow import STHLM, Walk
from tests.case_api.steg import DAG, SIP, Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    return frozen(case_app)


@pytest.fixture
def walk(clock: FrozenClock, case_client: Any, token: TokenFactory) -> Walk:
    return Walk(case_client, people(token) | {"enhetschef": token("enhetschef", sub="eva", enhet="bou-1")})


async def _case(walk: Walk) -> tuple[str, dict[str, Any]]:
    """An ärende in utredning and a samtycke for its child: (arende_id, samtycke)."""
    steg = Steg(walk)
    akt = await steg.aktualisering()
    await steg.skydd(akt["id"])
    await steg.forhand(akt["id"])
    return akt["arende_id"], await steg.samtycke(akt["arende_id"])


async def _rows(conn: AsyncConnection, sql: str, **params: Any) -> list[Any]:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    rows = list(await conn.execute(text(sql), params))
    await conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
    return rows


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=STHLM)


async def test_a_sip_is_watched_followed_up_and_finished(
    walk: Walk, clock: FrozenClock, case_conn: AsyncConnection
) -> None:
    arende_id, samtycke = await _case(walk)
    sip = await Steg(walk).sip(arende_id, samtycke["id"])
    assert (sip["status"], sip["datum"], sip["uppfoljningsdatum"], sip["senast_uppfoljd"]) == (
        "aktiv",
        DAG,
        "2026-05-12",
        None,
    )
    assert sip["initierad_av"] == SIP["initierad_av"] and sip["deltagare"] == SIP["deltagare"]
    assert sip["samtycke_id"] == samtycke["id"] and sip["registrerad_av"] == "anna"
    assert sip["tillatna_anrop"] == [
        {"kommando": "uppfoljning", "metod": "POST", "href": f"/v1/sip/{sip['id']}/uppfoljning"}
    ]
    # The follow-up day is the handläggare's task in the worklist, due on the plan's own day.
    watched = (await walk.bevakningar(arende_id))["sip_uppfoljning"]
    assert [(b["id"], b["forfallodatum"], b["objekt_id"]) for b in watched] == [
        (sip["bevakning_id"], "2026-05-12", sip["id"])
    ]
    listed = (await walk.get("enhetschef", f"/v1/arenden/{arende_id}/sip")).json()
    assert [s["id"] for s in listed] == [sip["id"]]

    clock.set(_at("2026-05-12"))
    path = f"/v1/sip/{sip['id']}"
    body = {"datum": "2026-05-12", "nasta_uppfoljningsdatum": "2026-09-01"}
    followed = await walk.command("arbetsledare", f"{path}/uppfoljning", path, body)
    assert (followed["status"], followed["senast_uppfoljd"], followed["uppfoljningsdatum"]) == (
        "aktiv",
        "2026-05-12",
        "2026-09-01",
    )
    assert followed["bevakning_id"] not in (None, sip["bevakning_id"])
    bevakningar = await _rows(
        case_conn,
        "SELECT status, forfallodatum::text AS due, uppfylld_datum::text AS met FROM bevakning "
        "WHERE objekt_id = :id ORDER BY created_at, forfallodatum",
        id=sip["id"],
    )
    assert [tuple(b) for b in bevakningar] == [
        ("uppfylld", "2026-05-12", "2026-05-12"),
        ("oppen", "2026-09-01", None),
    ]

    clock.set(_at("2026-09-01"))
    finished = await walk.command("handlaggare", f"{path}/uppfoljning", path, {"datum": "2026-09-01"})
    assert (finished["status"], finished["uppfoljningsdatum"], finished["bevakning_id"]) == (
        "avslutad",
        None,
        None,
    )
    assert finished["tillatna_kommandon"] == [] and finished["tillatna_anrop"] == []
    again = await walk.client.post(
        f"{path}/uppfoljning",
        json={"datum": "2026-09-01"},
        headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": f'"{finished["version"]}"'},
    )
    assert_problem(again, 409, "invalid-transition")

    events = await _rows(
        case_conn, "SELECT type, arende_id, data FROM outbox_event WHERE type LIKE '%.sip.%' ORDER BY seq"
    )
    assert [e.type.rsplit(".", 1)[-1] for e in events] == ["upprattad", "uppfoljd", "uppfoljd"]
    assert all(str(e.arende_id) == arende_id == e.data["arende_id"] for e in events)
    assert events[0].data["huvudman"] == ["region", "skola", "socialtjanst"]
    # Subscribers learn who took part by huvudman, never a name or what each is responsible for.
    assert all("Lena" not in str(e.data) and "BUP" not in str(e.data) for e in events)
    audit = await _rows(
        case_conn,
        "SELECT handling, objekt_typ FROM audit_logg WHERE objekt_typ IN ('sip', 'arende_sip') ORDER BY id",
    )
    assert [(a.handling, a.objekt_typ) for a in audit][:2] == [("skapa", "sip"), ("las", "arende_sip")]
    assert ("andra", "sip") in {(a.handling, a.objekt_typ) for a in audit}


async def test_the_samtycke_must_be_the_childs_in_force_and_not_withdrawn(walk: Walk) -> None:
    arende_id, samtycke = await _case(walk)
    steg = Steg(walk)
    other = await steg.aktualisering(barn={"personnummer": "201212121212"})
    others = await steg.samtycke(other["arende_id"])
    later = await steg.samtycke(arende_id, giltigt_fran="2026-04-01")
    withdrawn = await steg.samtycke(arende_id)
    sam = f"/v1/samtycken/{withdrawn['id']}"
    await walk.post("handlaggare", f"{sam}/aterkallelse", {}, etag=f'"{withdrawn["version"]}"')
    path = f"/v1/arenden/{arende_id}/sip"
    for samtycke_id, code in (
        (others["id"], "unknown"),  # another child's
        ("00000000-0000-4000-8000-000000000000", "unknown"),
        (withdrawn["id"], "withdrawn"),
        (later["id"], "not_in_force"),  # given after the day of the plan
    ):
        response = await walk.client.post(
            path, json=SIP | {"samtycke_id": samtycke_id}, headers=bearer(walk.tokens["handlaggare"])
        )
        error = assert_problem(response, 422)["errors"][0]
        assert (error["field"], error["code"]) == ("samtycke_id", code), error
    assert (await walk.get("handlaggare", path)).json() == []
    await steg.sip(arende_id, samtycke["id"])


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"datum": "2026-03-11"}, "datum"),  # in the future
        ({"uppfoljningsdatum": DAG}, "uppfoljningsdatum"),  # not after the plan
        ({"overgripande_ansvar": "annan"}, None),  # not among the deltagare
        ({"deltagare": SIP["deltagare"][:1]}, "deltagare"),  # a plan takes two huvudmän at least
    ],
)
async def test_contradicting_dates_and_parties_are_refused(
    walk: Walk, over: dict[str, Any], field: str | None
) -> None:
    arende_id, samtycke = await _case(walk)
    response = await walk.client.post(
        f"/v1/arenden/{arende_id}/sip",
        json=SIP | {"samtycke_id": samtycke["id"]} | over,
        headers=bearer(walk.tokens["handlaggare"]),
    )
    errors = assert_problem(response, 422)["errors"]
    if field is not None:
        assert errors[0]["field"].split(".")[-1] == field, errors


async def test_going_on_after_the_samtycke_was_withdrawn_is_refused(walk: Walk, clock: FrozenClock) -> None:
    arende_id, samtycke = await _case(walk)
    sip = await Steg(walk).sip(arende_id, samtycke["id"])
    sam = f"/v1/samtycken/{samtycke['id']}"
    await walk.post("handlaggare", f"{sam}/aterkallelse", {}, etag=f'"{samtycke["version"]}"')
    clock.set(_at("2026-05-12"))
    path = f"/v1/sip/{sip['id']}"
    body = {"datum": "2026-05-12", "nasta_uppfoljningsdatum": "2026-09-01"}
    refused = await walk.command("handlaggare", f"{path}/uppfoljning", path, body, expect=422)
    assert refused["errors"][0]["field"] == "nasta_uppfoljningsdatum"
    for early in ("2026-03-09", "2026-05-13"):  # before the plan; in the future
        response = await walk.client.post(
            f"{path}/uppfoljning",
            json={"datum": early},
            headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": f'"{sip["version"]}"'},
        )
        assert assert_problem(response, 422)["errors"][0]["field"] == "datum"
    # Finishing the plan is still possible.
    done = await walk.command("handlaggare", f"{path}/uppfoljning", path, {"datum": "2026-05-12"})
    assert done["status"] == "avslutad"


async def test_who_may_write_and_read_a_sip(walk: Walk, token: TokenFactory) -> None:
    arende_id, samtycke = await _case(walk)
    sip = await Steg(walk).sip(arende_id, samtycke["id"])
    create, one, follow = (
        f"/v1/arenden/{arende_id}/sip",
        f"/v1/sip/{sip['id']}",
        f"/v1/sip/{sip['id']}/uppfoljning",
    )
    body = SIP | {"samtycke_id": samtycke["id"]}
    etag = {"If-Match": f'"{sip["version"]}"'}
    # The arbetsledare writes as the handläggare does; the enhetschef reads.
    await walk.post("arbetsledare", create, body, expect=201)
    for path in (create, one):
        await walk.get("enhetschef", path)
    chef = bearer(walk.tokens["enhetschef"])
    assert_problem(await walk.client.post(create, json=body, headers=chef), 403, "forbidden")
    assert_problem(await walk.client.post(follow, json={"datum": DAG}, headers=chef | etag), 403, "forbidden")
    # The utförare and the kvalitetssamordnare have no part in it.
    for who in (
        walk.tokens["utforare"],
        token("kvalitetssamordnare", sub="kim", enhet=None),
    ):
        for method, path in (("POST", create), ("GET", create), ("GET", one), ("POST", follow)):
            response = await walk.client.request(method, path, json=body, headers=bearer(who) | etag)
            assert_problem(response, 403, "forbidden")
    # Another enhet: as if the ärende and the plan did not exist, also with its own samtycke.
    gun = bearer(token("handlaggare", sub="gun", enhet="bou-2"))
    for method, path, payload in (
        ("POST", create, body),
        ("GET", create, None),
        ("GET", one, None),
        ("POST", follow, {"datum": DAG}),
    ):
        response = await walk.client.request(method, path, json=payload, headers=gun | etag)
        assert_problem(response, 404)
    assert len((await walk.get("handlaggare", create)).json()) == 2


async def test_the_sip_is_in_the_registerutdrag(walk: Walk, token: TokenFactory) -> None:
    arende_id, samtycke = await _case(walk)
    sip = await Steg(walk).sip(arende_id, samtycke["id"])
    person_id = (await walk.get("handlaggare", f"/v1/arenden/{arende_id}")).json()["barn"]["id"]
    utdrag = await walk.client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        headers=bearer(token("kvalitetssamordnare", sub="kim", enhet=None)),
    )
    assert utdrag.status_code == 200, utdrag.text
    rows = utdrag.json()["uppgifter"]["sip"]
    assert [(r["id"], r["initierad_av_namn"]) for r in rows] == [(sip["id"], "Rektor Lena Ek")]
