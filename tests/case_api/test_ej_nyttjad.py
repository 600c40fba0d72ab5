"""Ej nyttjad (seed 001): an insats carried out but not used for three months, reported by the
utförare, opens the omprövning as one not carried out does; the insats stays verkställd and is
no IVO matter. Dates worked out by hand in the comments."""

from typing import Any

from tests.case_api.flow import Walk, at
from tests.case_api.steg import Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem, bearer


async def test_not_used_for_three_months_opens_the_omprovning(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    clock = frozen(case_app)
    walk = Walk(case_client, people(token))
    # Started on Tuesday 10 March 2026.
    akt, insats, up = await Steg(walk).verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}"
    report = {"senast_nyttjad": "2026-03-20", "orsak": "Familjen kommer inte till samtalen."}

    # Last used Friday 20 March: three months are reached on Saturday 20 June (not moved), so
    # on Friday 19 June it is too early, and the refusal says when.
    at(clock, "2026-06-19 10:00")
    etag = (await walk.get("utforare", path)).headers["ETag"]
    early = await walk.client.post(
        f"{path}/ej-nyttjad", json=report, headers=bearer(walk.tokens["utforare"]) | {"If-Match": etag}
    )
    body = assert_problem(early, 422)
    assert "2026-06-20" in early.text and body["errors"][0]["field"] == "senast_nyttjad"
    # The beställare does not report for the utförare.
    h = bearer(walk.tokens["handlaggare"]) | {"If-Match": etag}
    assert_problem(await walk.client.post(f"{path}/ej-nyttjad", json=report, headers=h), 403)
    # Nor does another utförare, which cannot see the uppdrag at all.
    other = bearer(token("utforare", utforare="ov-2")) | {"If-Match": etag}
    assert (await walk.client.post(f"{path}/ej-nyttjad", json=report, headers=other)).status_code == 404

    at(clock, "2026-06-22 10:00")
    answer = await walk.command("utforare", f"{path}/ej-nyttjad", path, report)
    assert answer["uppdrag"]["status"] == "verkstallt" and answer["omprovning_id"]
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    [omprovning] = [o for o in arende["omprovningar"] if o["id"] == answer["omprovning_id"]]
    assert (omprovning["anledning"], omprovning["beskrivning"]) == ("ej_nyttjad", report["orsak"])
    # Carried out, only not used: the insats is still verkställd, and nothing makes it ej verkställd.
    assert (await walk.get("handlaggare", f"/v1/insatser/{insats['id']}")).json()["status"] == "verkstalld"
    handelser = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}/handelser")).json()["items"]
    typer = [h["typ"] for h in handelser]
    assert "insats.ej_nyttjad" in typer and "insats.ej_verkstalld" not in typer
    [event] = [h for h in handelser if h["typ"] == "insats.ej_nyttjad"]
    assert event["data"]["omprovning_id"] == answer["omprovning_id"]
    assert (event["data"]["typ"], event["data"]["datum"]) == ("ej_nyttjad", "2026-03-20")


async def test_before_it_started_it_is_ej_verkstallt_not_ej_nyttjad(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    clock = frozen(case_app)
    walk = Walk(case_client, people(token))
    s = Steg(walk)
    akt = await s.aktualisering("ansokan")
    insats = await s.beslut(akt["arende_id"])
    up = await s.uppdrag(insats["id"])
    await s.motta(up["id"])
    at(clock, "2026-07-01 10:00")
    path = f"/v1/uppdrag/{up['id']}"
    etag = (await walk.get("utforare", path)).headers["ETag"]
    refused = await walk.client.post(
        f"{path}/ej-nyttjad",
        json={"senast_nyttjad": "2026-03-10", "orsak": "x"},
        headers=bearer(walk.tokens["utforare"]) | {"If-Match": etag},
    )
    assert_problem(refused, 409, "invalid-transition")
