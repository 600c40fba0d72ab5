"""Issue 11 item 1: one person row per identity, but what an enhet recorded about the person
(names, kontakt, skyddad identitet) is that enhet's alone. Another enhet that registers the same
personnummer sees only what it recorded itself; an utförare sees the beställande enhet's record."""

import json
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.atkomst.support import RecordingWalk, audit_rows
from tests.case_api.flow import ANMALAN, TEST_PNR
from tests.case_api.steg import Steg, frozen
from tests.conftest import TokenFactory
from tests.helpers import assert_problem

BOU1_BARN = {
    "personnummer": TEST_PNR,
    "fornamn": "Hemlig",
    "efternamn": "Skyddadsson",
    "skyddad_identitet": True,
    "kontakt": {"adress": "Hemliga vägen 7", "telefon": "070-1112233"},
}
BOU1_OPPEN = BOU1_BARN | {"skyddad_identitet": False}
BOU1_SPAR = ("Hemlig", "Skyddadsson", "Hemliga vägen 7", "070-1112233")
BOU2_BARN = {"personnummer": TEST_PNR, "fornamn": "Egen", "efternamn": "Uppgift"}


@pytest.fixture
def walk(case_client: Any, case_app: Any, token: TokenFactory) -> RecordingWalk:
    frozen(case_app)
    return RecordingWalk(
        case_client,
        {
            "handlaggare": token("handlaggare", sub="anna", enhet="bou-1"),
            "arbetsledare": token("arbetsledare", sub="berit", enhet="bou-1"),
            "utforare": token("utforare", sub="olle", enhet=None, utforare="ov-1"),
            "bou2": token("handlaggare", sub="bengt", enhet="bou-2"),
            "bou2_chef": token("enhetschef", sub="greta", enhet="bou-2"),
        },
    )


async def _registrera(walk: RecordingWalk, who: str, enhet: str, barn: dict[str, Any]) -> dict[str, Any]:
    body = ANMALAN | {"enhet": enhet, "barn": barn, "inkom": "2026-03-10T09:00:00+01:00"}
    return (await walk.post(who, "/v1/aktualiseringar", body, expect=201)).json()  # type: ignore[no-any-return]


def _inget_av(response_text: str, spar: tuple[str, ...]) -> None:
    for value in spar:
        assert value not in response_text, f"{value!r} leaked"


async def test_another_enhet_sees_only_what_it_recorded(
    walk: RecordingWalk, case_conn: AsyncConnection
) -> None:
    await _registrera(walk, "handlaggare", "bou-1", BOU1_BARN)
    akt2 = await _registrera(walk, "bou2", "bou-2", BOU2_BARN)

    arende = await walk.get("bou2", f"/v1/arenden/{akt2['arende_id']}")
    barn = arende.json()["barn"]
    assert (barn["fornamn"], barn["efternamn"], barn["kontakt"]) == ("Egen", "Uppgift", None)
    assert barn["skyddad_identitet"] is False and barn["maskerad"] is False
    assert barn["personnummer"] == TEST_PNR  # the identity bou-2 typed itself
    _inget_av(arende.text, BOU1_SPAR)

    person = await walk.get("bou2", f"/v1/personer/{barn['id']}")
    assert person.json() == barn
    _inget_av(person.text, BOU1_SPAR)
    found = await walk.get("bou2", "/v1/personer", personnummer=TEST_PNR, skal="Ny anmälan")
    assert found.json()["items"] == [barn]
    _inget_av(found.text, BOU1_SPAR)

    # Audited as before: one las row per read, on the person and bou-2's own ärende.
    for response, objekt_typ in ((arende, "arende"), (person, "person")):
        rows = await audit_rows(case_conn, response.headers["X-Request-ID"])
        assert [(r.handling, r.objekt_typ, str(r.person_id), str(r.arende_id), r.enhet) for r in rows] == [
            ("las", objekt_typ, barn["id"], akt2["arende_id"], "bou-2")
        ]


async def test_a_second_enhet_does_not_change_the_first_enhets_record(walk: RecordingWalk) -> None:
    akt1 = await _registrera(walk, "handlaggare", "bou-1", BOU1_OPPEN)
    await _registrera(walk, "bou2", "bou-2", BOU2_BARN | {"kontakt": {"adress": "Annan gata 1"}})
    barn = (await walk.get("handlaggare", f"/v1/arenden/{akt1['arende_id']}")).json()["barn"]
    assert (barn["fornamn"], barn["efternamn"]) == ("Hemlig", "Skyddadsson")
    assert barn["kontakt"] == {"adress": "Hemliga vägen 7", "telefon": "070-1112233", "epost": None}


async def test_an_enhet_that_gave_no_details_sees_none_of_the_others(walk: RecordingWalk) -> None:
    await _registrera(walk, "handlaggare", "bou-1", BOU1_OPPEN)
    akt2 = await _registrera(walk, "bou2", "bou-2", {"personnummer": TEST_PNR})
    response = await walk.get("bou2", f"/v1/arenden/{akt2['arende_id']}")
    barn = response.json()["barn"]
    assert (barn["fornamn"], barn["efternamn"], barn["kontakt"]) == (None, None, None)
    _inget_av(response.text, BOU1_SPAR)


async def test_skyddad_identitet_is_not_learnt_from_another_enhet(walk: RecordingWalk) -> None:
    await _registrera(walk, "handlaggare", "bou-1", BOU1_BARN)
    akt2 = await _registrera(walk, "bou2", "bou-2", BOU2_BARN)
    person_id = (await walk.get("bou2", f"/v1/arenden/{akt2['arende_id']}")).json()["barn"]["id"]
    # A grant is only for a person the granting enhet has recorded as protected: bou-2's chef gets
    # the same answer as for any unprotected child, not a hint that bou-1 protects them.
    response = await walk.post(
        "bou2_chef",
        f"/v1/personer/{person_id}/behorigheter",
        {"sub": "bengt", "skal": "Ärendet."},
        expect=409,
    )
    assert_problem(response, 409, "person-not-protected")


async def test_an_enhet_updates_its_own_record_with_a_later_aktualisering(walk: RecordingWalk) -> None:
    await _registrera(walk, "bou2", "bou-2", BOU2_BARN | {"kontakt": {"adress": "Annan gata 1"}})
    akt = await _registrera(
        walk, "bou2", "bou-2", {"personnummer": TEST_PNR, "kontakt": {"telefon": "08-123456"}}
    )
    barn = (await walk.get("bou2", f"/v1/arenden/{akt['arende_id']}")).json()["barn"]
    # Nothing given is kept, what is given is added; a later registration never unprotects.
    assert (barn["fornamn"], barn["efternamn"]) == ("Egen", "Uppgift")
    assert barn["kontakt"] == {"adress": "Annan gata 1", "telefon": "08-123456", "epost": None}
    await _registrera(walk, "bou2", "bou-2", {"personnummer": TEST_PNR, "skyddad_identitet": True})
    await _registrera(walk, "bou2", "bou-2", {"personnummer": TEST_PNR})
    barn = (await walk.get("bou2", f"/v1/arenden/{akt['arende_id']}")).json()["barn"]
    assert barn["maskerad"] is True and barn["skyddad_identitet"] is True


async def test_row_level_security_keeps_each_enhets_record(
    walk: RecordingWalk, case_conn: AsyncConnection
) -> None:
    """The second wall: even a query without the service's filter sees only the caller's record."""
    await _registrera(walk, "handlaggare", "bou-1", BOU1_BARN)
    await _registrera(walk, "bou2", "bou-2", BOU2_BARN)
    await case_conn.execute(
        text("SELECT set_config('app.enhet', 'bou-2', true), set_config('app.alla', 'off', true)")
    )
    rows = (await case_conn.execute(text("SELECT enhet, fornamn, kontakt FROM person_uppgifter"))).all()
    assert [(r.enhet, r.fornamn) for r in rows] == [("bou-2", "Egen")]
    # The person row itself carries identity only.
    columns = (
        await case_conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'person'")
        )
    ).scalars()
    assert not {"fornamn", "efternamn", "kontakt", "skyddad_identitet"} & set(columns)


async def test_the_utforare_sees_the_bestallande_enhets_record(
    walk: RecordingWalk, case_conn: AsyncConnection
) -> None:
    steg = Steg(walk)
    akt1 = await steg.aktualisering(barn=BOU1_OPPEN)
    await steg.skydd(akt1["id"])
    await steg.forhand(akt1["id"])
    await steg.avsluta_utredning(await steg.utredning_id(akt1["arende_id"]))
    insats = await steg.beslut(akt1["arende_id"])
    uppdrag = await steg.uppdrag(insats["id"])
    await _registrera(walk, "bou2", "bou-2", BOU2_BARN | {"kontakt": {"adress": "Annan gata 1"}})

    response = await walk.get("utforare", f"/v1/uppdrag/{uppdrag['id']}")
    barn = response.json()["barn"]
    assert (barn["fornamn"], barn["efternamn"]) == ("Hemlig", "Skyddadsson")
    for value in ("Egen", "Uppgift", "Annan gata 1"):
        assert value not in response.text
    listed = await walk.get("utforare", "/v1/uppdrag")
    assert [u["barn"]["fornamn"] for u in listed.json()["items"]] == ["Hemlig"]
    # At the row level the utförare reaches the beställande enhet's record and no other.
    await case_conn.execute(
        text(
            "SELECT set_config('app.enhet', '', true), set_config('app.utforare', 'ov-1', true), "
            "set_config('app.alla', 'off', true)"
        )
    )
    rows = (await case_conn.execute(text("SELECT enhet FROM person_uppgifter"))).scalars().all()
    assert rows == ["bou-1"]


async def test_the_registerutdrag_shows_each_enhets_record_as_its_own(
    walk: RecordingWalk, case_client: Any, token: TokenFactory
) -> None:
    from tests.helpers import bearer

    await _registrera(walk, "handlaggare", "bou-1", BOU1_BARN)
    akt2 = await _registrera(walk, "bou2", "bou-2", BOU2_BARN)
    person_id = (await walk.get("bou2", f"/v1/arenden/{akt2['arende_id']}")).json()["barn"]["id"]
    response = await case_client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        headers=bearer(token("kvalitetssamordnare", sub="kerstin", enhet=None)),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["person"]["personnummer"] == TEST_PNR and "fornamn" not in body["person"]
    records = {r["enhet"]: r for r in body["uppgifter"]["person_uppgifter"]}
    assert set(records) == {"bou-1", "bou-2"}
    assert (records["bou-1"]["fornamn"], records["bou-1"]["skyddad_identitet"]) == ("Hemlig", True)
    assert records["bou-1"]["kontakt"]["adress"] == "Hemliga vägen 7"
    assert (records["bou-2"]["fornamn"], records["bou-2"]["kontakt"]) == ("Egen", {})
    assert {r["kalla"] for r in records.values()} == {"enhet"}


async def test_no_event_carries_the_recorded_details(walk: RecordingWalk, case_conn: AsyncConnection) -> None:
    await _registrera(walk, "handlaggare", "bou-1", BOU1_BARN)
    await _registrera(walk, "bou2", "bou-2", BOU2_BARN | {"kontakt": {"adress": "Annan gata 1"}})
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    data = json.dumps([r.data for r in await case_conn.execute(text("SELECT data FROM outbox_event"))])
    _inget_av(data, (*BOU1_SPAR, "Egen", "Uppgift", "Annan gata 1", TEST_PNR))


async def test_look_ups_of_a_person_are_throttled_per_caller(
    walk: RecordingWalk, case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    """The issue's 60 look-ups in 7 s: the per-caller limit (item 5) covers these routes too."""
    from common.limits import RateLimiter
    from tests.helpers import bearer

    akt2 = await _registrera(walk, "bou2", "bou-2", BOU2_BARN)
    person_id = (await walk.get("bou2", f"/v1/arenden/{akt2['arende_id']}")).json()["barn"]["id"]
    case_app.state.rate_limiter = RateLimiter(per_minute=60, burst=5, replicas=1)
    bengt = bearer(token("handlaggare", sub="bengt", enhet="bou-2"))
    paths = [f"/v1/personer/{person_id}", f"/v1/arenden/{akt2['arende_id']}"] * 4
    statuses = [(await case_client.get(path, headers=bengt)).status_code for path in paths]
    assert statuses == [200] * 5 + [429] * 3
    limited = await case_client.post("/v1/aktualiseringar", json=ANMALAN, headers=bengt)
    assert_problem(limited, 429, "too-many-requests")
    assert int(limited.headers["Retry-After"]) >= 1


async def test_a_serviceinsats_records_the_enhets_own_details(walk: RecordingWalk) -> None:
    await _registrera(walk, "handlaggare", "bou-1", BOU1_OPPEN)
    body = {
        "enhet": "bou-2",
        "barn": BOU2_BARN,
        "startdatum": "2026-03-10",
        "beskrivning": "Grupp.",
        "samtycke": {
            "givet_av": "vardnadshavare",
            "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
            "omfattning": ["personuppgifter"],
            "giltigt_fran": "2026-03-10",
        },
    }
    insats = (await walk.post("bou2", "/v1/serviceinsatser", body, expect=201)).json()
    response = await walk.get("bou2", f"/v1/arenden/{insats['arende_id']}")
    barn = response.json()["barn"]
    assert (barn["fornamn"], barn["efternamn"], barn["kontakt"]) == ("Egen", "Uppgift", None)
    _inget_av(response.text, BOU1_SPAR)


async def test_lists_show_each_arende_with_its_own_enhets_record(
    walk: RecordingWalk, case_client: Any, token: TokenFactory
) -> None:
    from tests.helpers import bearer

    akt1 = await _registrera(walk, "handlaggare", "bou-1", BOU1_OPPEN)
    akt2 = await _registrera(walk, "bou2", "bou-2", BOU2_BARN)
    listed = await walk.get("bou2", "/v1/arenden")
    assert [(a["id"], a["barn"]["fornamn"]) for a in listed.json()["items"]] == [(akt2["arende_id"], "Egen")]
    _inget_av(listed.text, BOU1_SPAR)
    # An integration reading every enhet gets each ärende with the record of the ärende's enhet.
    system = bearer(token("system", sub="statistik", enhet=None, scope="arenden:las"))
    alla = (await case_client.get("/v1/arenden", headers=system)).json()["items"]
    assert {a["id"]: a["barn"]["fornamn"] for a in alla} == {
        akt1["arende_id"]: "Hemlig",
        akt2["arende_id"]: "Egen",
    }


async def test_a_wrong_birth_date_is_refused_whether_or_not_another_enhet_holds_the_child(
    walk: RecordingWalk,
) -> None:
    """No existence oracle: a birth date that contradicts the personnummer was refused only for
    a new identity, so bou-2 learnt from a 201 that some enhet already held the child."""
    await _registrera(walk, "handlaggare", "bou-1", BOU1_OPPEN)
    body = ANMALAN | {"enhet": "bou-2", "inkom": "2026-03-10T09:00:00+01:00"}
    for pnr in (TEST_PNR, "201203152002"):  # held by bou-1; held by nobody
        barn = {"personnummer": pnr, "fodelsedatum": "2014-01-01"}
        response = await walk.post("bou2", "/v1/aktualiseringar", body | {"barn": barn}, expect=422)
        assert [e["field"] for e in assert_problem(response, 422)["errors"]] == ["barn.fodelsedatum"]
