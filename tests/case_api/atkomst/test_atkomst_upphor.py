"""An utförare's access ends (issue 14 item 6): once the uppdrag is declined, ended or withdrawn,
or the samtycke it rested on is withdrawn, the utförare reads nothing of the child through it,
not the personnummer, the name, the address or the phone, not even with a valid token asking
for exactly that uppdrag. It keeps what it wrote itself: its journal entries, its
genomförandeplaner and uppföljningar. The beställare's enhet reads on as before.

Enforced twice: the uppdrag's answer leaves the child out (barn and kontaktuppgifter null,
atkomst_upphord_at and _orsak say why), and row-level security gives the utförare the person
and person_uppgifter rows only through an uppdrag whose access is open.
"""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.flow import TEST_PNR, Walk
from tests.case_api.steg import DAG, UPPFOLJNING, Steg, frozen, people
from tests.conftest import TokenFactory

ADRESS = "Storgatan 1, 123 45 Exempelstad"
TELEFON = "070-1234567"
BARN = {
    "personnummer": TEST_PNR,
    "fornamn": "Test",
    "efternamn": "Testsson",
    "kontakt": {"adress": ADRESS, "telefon": TELEFON},
    "tolkbehov": {"sprak": "arabiska"},
}
KONTAKT = {"adress": "Vårdnadshavarvägen 2", "telefon": "070-7654321"}
SKAL = {"skal": "Familjen har flyttat."}


@pytest.fixture
def walk(case_app: Any, case_client: Any, token: TokenFactory) -> Walk:
    frozen(case_app)
    return Walk(
        case_client, people(token) | {"privat": token("utforare", sub="pia", enhet=None, utforare="privat-1")}
    )


def _uppdrag(insats_id: str, utforare: str = "ov-1") -> dict[str, Any]:
    return {
        "insats_id": insats_id,
        "utforare": utforare,
        "behovsbedomning": "Stöd i vardagen.",
        "omfattning": "Samtal varannan vecka.",
        "mal": ["Trygg skolgång"],
        "uppfoljningsform": "Var sjätte månad",
        "kontaktuppgifter": KONTAKT,
    }


async def _sent(walk: Walk, utforare: str = "ov-1") -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    s = Steg(walk)
    akt = await s.aktualisering("ansokan", barn=BARN)
    insats = await s.beslut(akt["arende_id"])
    up = (await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(insats["id"], utforare), expect=201)).json()
    return akt, insats, up


def _assert_sees_the_child(answer: dict[str, Any]) -> None:
    assert answer["barn"]["personnummer"] == TEST_PNR
    assert answer["barn"]["kontakt"] == {"adress": ADRESS, "telefon": TELEFON, "epost": None}
    assert answer["kontaktuppgifter"]["telefon"] == KONTAKT["telefon"]
    assert answer["atkomst_upphord_at"] is None


def _assert_nothing_of_the_child(response: Any) -> None:
    for secret in (TEST_PNR, "Testsson", ADRESS, TELEFON, KONTAKT["adress"], KONTAKT["telefon"], "arabiska"):
        assert secret not in response.text, secret


async def _refused_one(walk: Walk, who: str, uppdrag_id: str, orsak: str) -> dict[str, Any]:
    one = await walk.get(who, f"/v1/uppdrag/{uppdrag_id}")
    answer = one.json()
    assert answer["barn"] is None and answer["kontaktuppgifter"] is None, answer
    assert answer["atkomst_upphord_orsak"] == orsak and answer["atkomst_upphord_at"] is not None
    _assert_nothing_of_the_child(one)
    listed = await walk.get(who, "/v1/uppdrag")
    [item] = [u for u in listed.json()["items"] if u["id"] == uppdrag_id]
    assert item["barn"] is None and item["kontaktuppgifter"] is None
    _assert_nothing_of_the_child(listed)
    return answer


async def _rows_as_utforare(conn: AsyncConnection, utforare: str, person_id: str) -> tuple[int, int]:
    """What row-level security gives an utförare's transaction: (person rows, record rows)."""
    await conn.execute(
        text("SELECT set_config('app.enhet', '', true), set_config('app.utforare', :u, true)"),
        {"u": utforare},
    )
    person = await conn.execute(text("SELECT count(*) FROM person WHERE id = :p"), {"p": person_id})
    record = await conn.execute(
        text("SELECT count(*) FROM person_uppgifter WHERE person_id = :p"), {"p": person_id}
    )
    counts = (int(person.scalar_one()), int(record.scalar_one()))
    await conn.execute(text("SELECT set_config('app.utforare', '', true)"))
    return counts


async def test_after_withdrawal_the_utforare_reads_nothing_of_the_child(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    s = Steg(walk)
    akt, _, up = await _sent(walk)
    path = f"/v1/uppdrag/{up['id']}"
    await s.motta(up["id"])
    await s.verkstall(up["id"])
    _assert_sees_the_child((await walk.get("utforare", path)).json())
    person_id = (await walk.get("handlaggare", path)).json()["barn"]["id"]
    assert await _rows_as_utforare(case_conn, "ov-1", person_id) == (1, 1)
    # What the utförare writes itself while the uppdrag runs.
    entry = {"datum": DAG, "slag": "samtal", "text": "Första samtalet med familjen."}
    await walk.post("utforare", f"{path}/journal", entry, expect=201)
    plan = await s.plan(up["id"])
    await walk.post("utforare", f"{path}/uppfoljningar", UPPFOLJNING, expect=201)

    await walk.command("handlaggare", f"{path}/aterkallelse", path, SKAL)

    # The attack: the same valid token, asking for that uppdrag and the list.
    await _refused_one(walk, "utforare", up["id"], "aterkallat")
    # And the database itself no longer gives the utförare the child.
    assert await _rows_as_utforare(case_conn, "ov-1", person_id) == (0, 0)
    # What it wrote stays its own.
    journal = (await walk.get("utforare", f"{path}/journal")).json()["items"]
    assert [j["text"] for j in journal] == [entry["text"]]
    plans = (await walk.get("utforare", f"{path}/genomforandeplaner")).json()["items"]
    assert [p["id"] for p in plans] == [plan["id"]]
    assert len((await walk.get("utforare", f"{path}/uppfoljningar")).json()) == 1
    # The beställare reads on: its own record of its own child.
    _assert_sees_the_child((await walk.get("handlaggare", path)).json() | {"atkomst_upphord_at": None})
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    assert arende["barn"]["personnummer"] == TEST_PNR


async def test_a_withdrawn_samtycke_ends_an_external_utforares_access(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    s = Steg(walk)
    akt = await s.aktualisering("ansokan", barn=BARN)
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    person_id = arende["barn"]["id"]
    given = await walk.post(
        "handlaggare",
        f"/v1/personer/{person_id}/samtycken",
        {
            "givet_av": "vardnadshavare",
            "vardnadshavare": [{"namn": "Vera Testsson"}, {"namn": "Viktor Testsson"}],
            "omfattning": ["utforare:privat-1"],
            "giltigt_fran": DAG,
        },
        expect=201,
    )
    insats = await s.beslut(akt["arende_id"])
    up = (
        await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(insats["id"], "privat-1"), expect=201)
    ).json()
    assert up["samtycke_id"] == given.json()["id"]
    path = f"/v1/uppdrag/{up['id']}"
    _assert_sees_the_child((await walk.get("privat", path)).json())

    await walk.post(
        "handlaggare", f"/v1/samtycken/{given.json()['id']}/aterkallelse", {}, etag=given.headers["ETag"]
    )
    answer = await _refused_one(walk, "privat", up["id"], "samtycke_aterkallat")
    # The uppdrag itself goes on: what happens to it is the beställare's to decide.
    assert answer["status"] == "skickat"
    assert await _rows_as_utforare(case_conn, "privat-1", person_id) == (0, 0)
    _assert_sees_the_child((await walk.get("handlaggare", path)).json() | {"atkomst_upphord_at": None})


async def test_an_ended_or_declined_uppdrag_and_a_closed_arende(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    s = Steg(walk)
    akt, insats, up = await _sent(walk)
    await s.motta(up["id"])
    await s.verkstall(up["id"])
    await s.avsluta_insats(insats["id"])
    await _refused_one(walk, "utforare", up["id"], "avslutat")
    await s.avsluta_utredning(await s.utredning_id(akt["arende_id"]))
    path = f"/v1/arenden/{akt['arende_id']}"
    await walk.command("handlaggare", f"{path}/avslut", path, {"orsak": "Insatsen avslutad."})
    await _refused_one(walk, "utforare", up["id"], "avslutat")

    # Another child's uppdrag, declined: ov-1 never takes it, and reads nothing of that child.
    other = await s.aktualisering("ansokan", barn=BARN | {"personnummer": "201212121212"})
    insats2 = await s.beslut(other["arende_id"])
    up2 = (await walk.post("handlaggare", "/v1/uppdrag", _uppdrag(insats2["id"]), expect=201)).json()
    await s.motta(up2["id"], accepterat=False)
    declined = await walk.get("utforare", f"/v1/uppdrag/{up2['id']}")
    assert declined.json()["barn"] is None and declined.json()["atkomst_upphord_orsak"] == "avbojt"
    assert "201212121212" not in declined.text


async def test_an_ended_uppdrag_always_records_that_access_ended(
    walk: Walk, case_conn: AsyncConnection
) -> None:
    # A path that ends an uppdrag and forgets the utförare's access fails, instead of leaking.
    _, _, up = await _sent(walk)
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    for status in ("avbojt", "avslutat", "aterkallat"):
        savepoint = await case_conn.begin_nested()
        with pytest.raises(IntegrityError, match="ck_uppdrag_atkomst_upphord"):
            await case_conn.execute(
                text(
                    "UPDATE uppdrag SET status = :s, aterkallat_at = CASE WHEN :s = 'aterkallat' THEN now() END,"
                    " aterkallat_av = CASE WHEN :s = 'aterkallat' THEN 'x' END,"
                    " aterkallelse_skal = CASE WHEN :s = 'aterkallat' THEN 'x' END WHERE id = :i"
                ),
                {"s": status, "i": up["id"]},
            )
        await savepoint.rollback()
    await case_conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
