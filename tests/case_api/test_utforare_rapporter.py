"""The utförare's answers that went through row-level security badly (found by this suite).

- Declining an uppdrag hands the verkställighet bevakning back (utforare NULL); the policy's
  WITH CHECK refused that update, so every decline answered 500.
- An interruption opened the new verkställighet bevakning without the utförare, a row the
  utförare may not write, so every ej-verkställt after a start answered 500.
"""

from typing import Any

from tests.case_api.flow import Walk
from tests.case_api.steg import DAG, Steg, frozen, people
from tests.conftest import TokenFactory


async def test_declining_an_uppdrag(case_app: Any, case_client: Any, token: TokenFactory) -> None:
    frozen(case_app)
    walk = Walk(case_client, people(token))
    s = Steg(walk)
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    up = await s.uppdrag(insats["id"])
    mine = (await walk.get("utforare", "/v1/bevakningar")).json()["items"]
    assert [b["typ"] for b in mine] == ["verkstallighet"]
    declined = await s.motta(up["id"], accepterat=False)
    assert declined["status"] == "avbojt" and declined["avbojt_orsak"] == "Ingen plats."
    assert (await walk.get("utforare", "/v1/bevakningar")).json()["items"] == []
    verk = (await walk.bevakningar(akt["arende_id"]))["verkstallighet"]
    assert [(b["status"], b["utforare"]) for b in verk] == [("oppen", None)]
    # The beställare sends it to someone else, who then owns the bevakning.
    again = await s.uppdrag(insats["id"], utforare="ov-2")
    assert again["status"] == "skickat"
    verk = (await walk.bevakningar(akt["arende_id"]))["verkstallighet"]
    assert [b["utforare"] for b in verk] == ["ov-2"]


async def test_interrupted_and_resumed(case_app: Any, case_client: Any, token: TokenFactory) -> None:
    frozen(case_app)
    walk = Walk(case_client, people(token))
    s = Steg(walk)
    _, insats, up = await s.verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}"
    rapport = await walk.command(
        "utforare", f"{path}/ej-verkstallt", path, {"datum": DAG, "orsak": "Familjen bortrest."}
    )
    assert rapport["typ"] == "avbrott" and rapport["kalla"] == "utforare"
    assert (await walk.get("utforare", path)).json()["status"] == "avbrutet"
    assert (await walk.get("handlaggare", f"/v1/insatser/{insats['id']}")).json()["status"] == "avbruten"
    verk = (await walk.bevakningar(insats["arende_id"]))["verkstallighet"]
    assert sorted((b["status"], b["startdatum"], b["forfallodatum"], b["utforare"]) for b in verk) == [
        ("oppen", DAG, "2026-06-10", "ov-1"),
        ("uppfylld", DAG, "2026-06-10", "ov-1"),
    ]
    await walk.command("utforare", f"{path}/verkstallighet", path, {"verkstallighetsdatum": DAG})
    verk = (await walk.bevakningar(insats["arende_id"]))["verkstallighet"]
    assert [b["status"] for b in verk] == ["uppfylld", "uppfylld"]
    assert (await walk.get("handlaggare", f"/v1/insatser/{insats['id']}")).json()["status"] == "verkstalld"
