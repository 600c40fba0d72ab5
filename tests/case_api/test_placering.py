"""Placements (vård utanför det egna hemmet): the walk of an LVU 2 § familjehem placement from
beslut to its first two överväganden and its end, with the uppföljning after it, every date
asserted; then LVU 3 §, jourhem and a SoL placement's own rules. Dates worked out by hand."""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, Walk, at
from tests.case_api.steg import PLAN, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    return frozen(case_app)


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> Walk:
    return Walk(case_client, people(token))


def rows(bevakningar: list[dict[str, Any]]) -> list[tuple[str, str, str, str | None]]:
    return [(b["startdatum"], b["forfallodatum"], b["status"], b["uppfylld_datum"]) for b in bevakningar]


async def explained(walk: Walk, bevakning: dict[str, Any]) -> str:
    """The date the bevakning's own link explains: it must be the date it watches."""
    body = (await walk.client.get(bevakning["berakning"], headers=bearer(walk.tokens["handlaggare"]))).json()
    return body["forfallodatum"]  # type: ignore[no-any-return]


async def utredd(walk: Walk, clock: FrozenClock, *, slut: str | None = "2026-05-29") -> tuple[str, str]:
    """An anmälan on Tuesday 3 February 2026, an utredning from 10 February, ended on `slut`."""
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN, expect=201)).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{path}/skyddsbedomning",
        path,
        {
            "bedomd_at": "2026-02-03T10:00:00+01:00",
            "omedelbart_skydd": False,
            "motivering": "Ingen akut fara.",
        },
    )
    at(clock, "2026-02-10 10:00")
    body = {"beslut": "inled_utredning", "beslutsdatum": "2026-02-10", "motivering": "Allvarlig oro."}
    await walk.command("handlaggare", f"{path}/forhandsbedomning", path, body)
    arende = (await walk.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")).json()
    utredning_id = arende["utredningar"][-1]["id"]
    if slut is not None:
        await avsluta_utredning(walk, clock, utredning_id, slut)
    return akt["arende_id"], utredning_id


async def avsluta_utredning(walk: Walk, clock: FrozenClock, utredning_id: str, slut: str) -> None:
    at(clock, f"{slut} 10:00")
    u_path = f"/v1/utredningar/{utredning_id}"
    body = {
        "avslutad_datum": slut,
        "resultat": "beslut_om_insats",
        "motivering": "Klar.",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    await walk.command("handlaggare", f"{u_path}/avslut", u_path, body)


async def placera(
    walk: Walk,
    clock: FrozenClock,
    arende_id: str,
    utredning_id: str,
    *,
    insatstyp: str,
    grund: str,
    beslutad: str = "2026-06-01",
    placerad: str = "2026-06-05",
) -> tuple[str, str]:
    """A beslut on `beslutad`, an uppdrag to the family home, the child placed on `placerad`."""
    at(clock, f"{beslutad} 10:00")
    beslut = {
        "arende_id": arende_id,
        "utredning_id": utredning_id,
        "utfall": "bifall",
        "insatstyp": insatstyp,
        "placeringsgrund": grund,
        "rattslig_grund": "2 § LVU"
        if grund == "lvu_2"
        else "3 § LVU"
        if grund == "lvu_3"
        else "4 kap. 1 § SoL",
        "beslutsdatum": beslutad,
        "beslutsfattare": "anna",
        "motivering": "Barnet behöver vårdas utanför hemmet.",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    insats = (await walk.post("handlaggare", "/v1/beslut", beslut, expect=201)).json()["insats"]
    assert insats["placeringsgrund"] == grund
    uppdrag = {
        "insats_id": insats["id"],
        "utforare": "ov-1",
        "behovsbedomning": "Behov av ett tryggt hem.",
        "omfattning": "Vård i familjehem.",
        "mal": ["Trygg uppväxt"],
        "uppfoljningsform": "Besök och samtal",
        "kontaktuppgifter": {"telefon": "070-0000000"},
    }
    up = (await walk.post("handlaggare", "/v1/uppdrag", uppdrag, expect=201)).json()
    up_path = f"/v1/uppdrag/{up['id']}"
    await walk.command("utforare", f"{up_path}/mottagande", up_path, {"accepterat": True})
    at(clock, f"{placerad} 10:00")
    await walk.command("utforare", f"{up_path}/verkstallighet", up_path, {"verkstallighetsdatum": placerad})
    return insats["id"], f"/v1/insatser/{insats['id']}"


VARDPLAN: dict[str, Any] = {
    "mal": "En trygg uppväxt och återförening när hemmet kan ge det.",
    "insatser": "Stöd i skolan, samtal med BUP.",
    "umgange": "Varannan helg hos mamma.",
    "synpunkter": "Barnet vill bo kvar i skolan; mamma är emot placeringen.",
    "andra_huvudman": "Regionen: BUP-kontakt.",
}


async def overvag(walk: Walk, clock: FrozenClock, path: str, regel: str, dag: str, **over: Any) -> Any:
    at(clock, f"{dag} 10:00")
    body = {"regel": regel, "datum": dag, "utfall": "fortsatt", "motivering": "Vården behövs."} | over
    return await walk.command("handlaggare", f"{path}/overvaganden", path, body)


async def test_an_lvu_2_familjehem_placement_from_beslut_to_the_uppfoljning_after(
    walk: Walk, clock: FrozenClock
) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    insats_id, path = await placera(
        walk, clock, arende_id, utredning_id, insatstyp="familjehem", grund="lvu_2"
    )
    b = await walk.bevakningar(arende_id)
    # Vård enligt LVU is no gynnande beslut of 34 kap. 1 § SoL: no verkställighet bevakning.
    assert "verkstallighet" not in b and "omprovning_lvu" not in b and "jourhem" not in b
    # Friday 5 June 2026 + 6 months = Saturday 5 December -> Monday 7 December (1930:173 2 §).
    assert rows(b["overvagande"]) == [("2026-06-05", "2026-12-07", "oppen", None)]
    # Two years in the same familjehem: Monday 5 June 2028.
    assert rows(b["vardnadsoverflyttning"]) == [("2026-06-05", "2028-06-05", "oppen", None)]
    # The genomförandeplan beside the vårdplan: three weeks, Friday 26 June (not statute, not moved).
    assert rows(b["genomforandeplan"]) == [("2026-06-05", "2026-06-26", "oppen", None)]
    assert await explained(walk, b["overvagande"][0]) == "2026-12-07"
    # The vårdplan (9 kap. 12 § SoL): the law names no time, so it is due on the beslut's own day,
    # Monday 1 June (the nämnd's requirement, never moved). Its first revision is due at the
    # latest when the child has been placed two years: Monday 5 June 2028 (9 kap. 13 §).
    assert rows(b["vardplan"]) == [("2026-06-01", "2026-06-01", "oppen", None)]
    assert rows(b["vardplan_revidering"]) == [("2026-06-05", "2028-06-05", "oppen", None)]
    assert await explained(walk, b["vardplan_revidering"][0]) == "2028-06-05"
    lista = (await walk.get("handlaggare", f"{path}/vardplaner")).json()
    assert (lista["items"], lista["vardplan_saknas"]) == ([], True)
    plan = await walk.command(
        "handlaggare", f"{path}/vardplaner", path, VARDPLAN | {"upprattad": "2026-06-01"}
    )
    assert (plan["version"], plan["upprattad"], plan["faststalld"], plan["kommunicerad"]) == (
        1,
        "2026-06-01",
        None,
        None,
    )
    # Fastställd on Tuesday 2 June, communicated to the mother and the child on Thursday 4 June.
    fast = await walk.command(
        "handlaggare",
        f"{path}/vardplaner/1/faststallande",
        path,
        {"faststalld": "2026-06-02", "kommunicerad": "2026-06-04"},
    )
    assert (fast["faststalld"], fast["kommunicerad"], fast["faststalld_av"]) == (
        "2026-06-02",
        "2026-06-04",
        "anna",
    )
    b = await walk.bevakningar(arende_id)
    assert rows(b["vardplan"]) == [("2026-06-01", "2026-06-01", "uppfylld", "2026-06-01")]
    assert await explained(walk, b["vardplan"][0]) == "2026-06-01"

    # The first övervägande, Monday 30 November: met; the next six months run from it,
    # to Sunday 30 May 2027 -> Monday 31 May.
    first = await overvag(walk, clock, path, "overvagande", "2026-11-30")
    assert (first["regel"], first["datum"], first["utfall"]) == ("overvagande", "2026-11-30", "fortsatt")
    nasta = first["nasta_bevakning"]
    assert (nasta["startdatum"], nasta["forfallodatum"]) == ("2026-11-30", "2027-05-31")
    assert nasta["berakning"] == "/v1/regler/overvagande/berakning?start=2026-11-30&darefter=true"
    assert await explained(walk, nasta) == "2027-05-31"

    # The second, Thursday 27 May 2027: next Saturday 27 November -> Monday 29 November.
    second = await overvag(walk, clock, path, "overvagande", "2027-05-27")
    assert second["nasta_bevakning"]["forfallodatum"] == "2027-11-29"
    b = await walk.bevakningar(arende_id)
    assert rows(b["overvagande"]) == [
        ("2026-06-05", "2026-12-07", "uppfylld", "2026-11-30"),
        ("2026-11-30", "2027-05-31", "uppfylld", "2027-05-27"),
        ("2027-05-27", "2027-11-29", "oppen", None),
    ]

    # The vårdplan revised on Thursday 10 June 2027, within the two years: that first revision
    # takes up where the child will live in the long run, and meets its bevakning.
    at(clock, "2027-06-10 10:00")
    revision = VARDPLAN | {
        "upprattad": "2027-06-10",
        "orsak": "Övervägandet visar att vården behövs längre.",
        "langsiktigt_boende": "Barnet bor kvar i familjehemmet.",
    }
    rev = await walk.command("handlaggare", f"{path}/vardplaner", path, revision)
    assert (rev["version"], rev["upprattad"], rev["faststalld"]) == (2, "2027-06-10", None)
    b = await walk.bevakningar(arende_id)
    assert rows(b["vardplan_revidering"]) == [("2026-06-05", "2028-06-05", "uppfylld", "2027-06-10")]
    lista = (await walk.get("handlaggare", f"{path}/vardplaner")).json()
    assert [(v["version"], v["upprattad"], v["faststalld"]) for v in lista["items"]] == [
        (1, "2026-06-01", "2026-06-02"),
        (2, "2027-06-10", None),
    ]
    assert lista["vardplan_saknas"] is False

    # The care ends (LVU 21 §) on Monday 16 August 2027: what it watched is moot, and the
    # child (born 2015) is followed up, at the latest six months on: Wednesday 16 February 2028.
    at(clock, "2027-08-16 10:00")
    await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": "2027-08-16", "orsak": "behov_upphort"}
    )
    b = await walk.bevakningar(arende_id)
    assert [x["status"] for x in b["overvagande"]] == ["uppfylld", "uppfylld", "avbruten"]
    assert rows(b["vardnadsoverflyttning"]) == [("2026-06-05", "2028-06-05", "avbruten", None)]
    assert rows(b["uppfoljning_efter_vard"]) == [("2027-08-16", "2028-02-16", "oppen", None)]
    assert await explained(walk, b["uppfoljning_efter_vard"][0]) == "2028-02-16"

    # After LVU the uppföljning follows by law: there is no beslut to open a second one.
    at(clock, "2027-08-17 10:00")
    again = {"handelse": "inledd", "datum": "2027-08-17", "motivering": "Följa upp."}
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    refused = await walk.client.post(
        f"{path}/efteruppfoljning",
        json=again,
        headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": etag},
    )
    assert_problem(refused, 409, "not-a-placement")

    at(clock, "2028-01-20 10:00")
    done = await walk.command(
        "handlaggare",
        f"{path}/efteruppfoljning",
        path,
        {"handelse": "avslutad", "datum": "2028-01-20", "motivering": "Barnet har det bra hemma."},
    )
    assert (done["regel"], done["utfall"], done["nasta_bevakning"]) == (
        "uppfoljning_efter_vard",
        "avslutad",
        None,
    )
    b = await walk.bevakningar(arende_id)
    assert rows(b["uppfoljning_efter_vard"]) == [("2027-08-16", "2028-02-16", "uppfylld", "2028-01-20")]
    assert (await walk.get("handlaggare", f"/v1/insatser/{insats_id}")).json()["status"] == "avslutad"


async def test_what_a_placement_refuses(walk: Walk, clock: FrozenClock, token: TokenFactory) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    insats_id, path = await placera(
        walk, clock, arende_id, utredning_id, insatstyp="familjehem", grund="lvu_2"
    )
    at(clock, "2026-07-01 10:00")
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    body = {"regel": "overvagande", "datum": "2026-07-01", "utfall": "fortsatt", "motivering": "x"}
    # The utförare (the family home) does not decide about the care.
    utforare = await walk.client.post(
        f"{path}/overvaganden", json=body, headers=bearer(walk.tokens["utforare"]) | {"If-Match": etag}
    )
    assert_problem(utforare, 403)
    # Nor does another unit's handläggare: the insats is not there for it.
    other = await walk.client.post(
        f"{path}/overvaganden",
        json=body,
        headers=bearer(token("handlaggare", enhet="bou-2")) | {"If-Match": etag},
    )
    assert other.status_code == 404, other.text
    h = bearer(walk.tokens["handlaggare"]) | {"If-Match": etag}
    # LVU 2 § care is considered, not tried as LVU 3 § care is.
    lvu3 = await walk.client.post(f"{path}/overvaganden", json=body | {"regel": "omprovning_lvu"}, headers=h)
    assert_problem(lvu3, 409, "not-a-placement")
    wrong = await walk.client.post(f"{path}/overvaganden", json=body | {"utfall": "ansoka"}, headers=h)
    assert_problem(wrong, 422)
    early = await walk.client.post(f"{path}/overvaganden", json=body | {"datum": "2026-06-04"}, headers=h)
    assert_problem(early, 422)
    # A beslut about a placement names the law it rests on; one about anything else does not.
    beslut = {
        "arende_id": arende_id,
        "utfall": "bifall",
        "insatstyp": "hvb",
        "rattslig_grund": "4 kap. 1 § SoL",
        "beslutsdatum": "2026-07-01",
        "beslutsfattare": "anna",
        "motivering": "x",
        "barnperspektiv": BARNPERSPEKTIV,
    }
    assert_problem(
        await walk.client.post("/v1/beslut", json=beslut, headers=bearer(walk.tokens["handlaggare"])), 422
    )
    oppen = beslut | {"insatstyp": "oppenvard", "placeringsgrund": "sol"}
    assert_problem(
        await walk.client.post("/v1/beslut", json=oppen, headers=bearer(walk.tokens["handlaggare"])), 422
    )
    # Nothing was recorded by the refused attempts: the first bevakning is still open.
    assert rows((await walk.bevakningar(arende_id))["overvagande"]) == [
        ("2026-06-05", "2026-12-07", "oppen", None)
    ]
    assert insats_id


async def test_lvu_3_care_is_tried_within_six_months(walk: Walk, clock: FrozenClock) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    _, path = await placera(walk, clock, arende_id, utredning_id, insatstyp="hvb", grund="lvu_3")
    b = await walk.bevakningar(arende_id)
    assert "overvagande" not in b and "vardnadsoverflyttning" not in b
    # From the day the vårdbeslut was carried out: Saturday 5 December -> Monday 7 December.
    assert rows(b["omprovning_lvu"]) == [("2026-06-05", "2026-12-07", "oppen", None)]
    tried = await overvag(walk, clock, path, "omprovning_lvu", "2026-12-01")
    # "Fortlöpande inom sex månader från senaste prövning": Tuesday 1 June 2027.
    assert tried["nasta_bevakning"]["forfallodatum"] == "2027-06-01"


async def test_a_jourhem_two_months_after_the_utredning(walk: Walk, clock: FrozenClock) -> None:
    # Placed in a jourhem on Friday 5 June while the utredning runs: nothing counts yet.
    arende_id, utredning_id = await utredd(walk, clock, slut=None)
    _, path = await placera(
        walk, clock, arende_id, utredning_id, insatstyp="jourhem", grund="sol", beslutad="2026-06-01"
    )
    b = await walk.bevakningar(arende_id)
    assert "jourhem" not in b and rows(b["overvagande"]) == [("2026-06-05", "2026-12-07", "oppen", None)]
    # The utredning ends Friday 26 June: two months, Wednesday 26 August (a stay's limit, never moved).
    await avsluta_utredning(walk, clock, utredning_id, "2026-06-26")
    b = await walk.bevakningar(arende_id)
    assert rows(b["jourhem"]) == [("2026-06-26", "2026-08-26", "oppen", None)]
    # Särskilda skäl: a longer stay, to Tuesday 15 September.
    longer = await overvag(
        walk, clock, path, "jourhem", "2026-08-20", utfall="forlangd", ny_sista_dag="2026-09-15"
    )
    assert (longer["utfall"], longer["ny_sista_dag"]) == ("forlangd", "2026-09-15")
    # The child moves on from the jourhem on Monday 7 September: the bevakning is met, not cancelled.
    at(clock, "2026-09-07 10:00")
    await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": "2026-09-07", "orsak": "annat"}
    )
    b = await walk.bevakningar(arende_id)
    assert rows(b["jourhem"]) == [("2026-06-26", "2026-09-15", "uppfylld", "2026-09-07")]
    # A SoL jourhem is not among the placements 23 kap. 2 § follows up.
    assert "uppfoljning_efter_vard" not in b


async def test_a_sol_familjehem_is_followed_up_when_the_namnd_decides(walk: Walk, clock: FrozenClock) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    _, path = await placera(walk, clock, arende_id, utredning_id, insatstyp="familjehem", grund="sol")
    b = await walk.bevakningar(arende_id)
    assert rows(b["verkstallighet"]) == [("2026-06-01", "2026-09-01", "uppfylld", "2026-06-05")]
    at(clock, "2026-10-01 10:00")
    await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": "2026-10-01", "orsak": "flyttat"}
    )
    assert "uppfoljning_efter_vard" not in await walk.bevakningar(arende_id)
    # The beslut comes a week later; the six months still run from the end (23 kap. 5 §).
    at(clock, "2026-10-08 10:00")
    opened = await walk.command(
        "handlaggare",
        f"{path}/efteruppfoljning",
        path,
        {"handelse": "inledd", "datum": "2026-10-08", "motivering": "Barnet behöver stöd."},
    )
    nasta = opened["nasta_bevakning"]
    assert (nasta["startdatum"], nasta["forfallodatum"]) == ("2026-10-01", "2027-04-01")


async def test_after_a_prepared_aterforening_the_uppfoljning_starts_when_it_happened(
    walk: Walk, clock: FrozenClock
) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    _, path = await placera(walk, clock, arende_id, utredning_id, insatstyp="familjehem", grund="lvu_2")
    # The care ends on Monday 16 August 2027; the child is to go home to the vårdnadshavare and
    # the återförening needs preparing (LVU 21 § andra stycket): no uppföljning yet (21 b § andra st.).
    at(clock, "2027-08-16 10:00")
    slut = {"avslutad_datum": "2027-08-16", "orsak": "behov_upphort", "aterforening_forbereds": True}
    await walk.command("handlaggare", f"{path}/avslut", path, slut)
    assert "uppfoljning_efter_vard" not in await walk.bevakningar(arende_id)
    h = bearer(walk.tokens["handlaggare"])

    async def efter(body: dict[str, Any]) -> Any:
        etag = (await walk.get("handlaggare", path)).headers["ETag"]
        return await walk.client.post(f"{path}/efteruppfoljning", json=body, headers=h | {"If-Match": etag})

    # Nothing to close, and no beslut to open one as after SoL.
    at(clock, "2027-09-20 10:00")
    assert_problem(await efter({"handelse": "avslutad", "datum": "2027-09-20", "motivering": "x"}), 409)
    assert_problem(await efter({"handelse": "inledd", "datum": "2027-09-20", "motivering": "x"}), 409)
    assert_problem(await efter({"handelse": "aterforening", "datum": "2027-08-15", "motivering": "x"}), 422)
    assert_problem(await efter({"handelse": "aterforening", "datum": "2027-09-21", "motivering": "x"}), 422)
    # The child moved home on Saturday 18 September 2027: the uppföljning starts that day and ends
    # at the latest six months on (21 c § tredje stycket), Saturday 18 March 2028, never moved.
    body = {"handelse": "aterforening", "datum": "2027-09-18", "motivering": "Barnet har flyttat hem."}
    hemma = await walk.command("handlaggare", f"{path}/efteruppfoljning", path, body)
    assert (hemma["regel"], hemma["utfall"], hemma["datum"]) == (
        "uppfoljning_efter_vard",
        "aterforening",
        "2027-09-18",
    )
    nasta = hemma["nasta_bevakning"]
    assert (nasta["startdatum"], nasta["forfallodatum"]) == ("2027-09-18", "2028-03-18")
    assert nasta["berakning"] == "/v1/regler/uppfoljning_efter_vard/berakning?start=2027-09-18&darefter=true"
    forklaring = (await walk.client.get(nasta["berakning"], headers=h)).json()
    assert forklaring["forfallodatum"] == "2028-03-18"
    assert [(s["typ"], s["datum"]) for s in forklaring["steg"]] == [
        ("startdag", "2027-09-18"),
        ("langd", "2028-03-18"),
        ("ej_flyttad", "2028-03-18"),
    ]
    assert "21 b § andra stycket LVU" in forklaring["steg"][0]["text"]
    assert "21 c § tredje stycket LVU" in forklaring["steg"][0]["text"]
    # The ordinary start (the care's end) is explained without it.
    vanlig = await walk.client.get("/v1/regler/uppfoljning_efter_vard/berakning?start=2027-08-16", headers=h)
    assert "21 b §" not in vanlig.json()["steg"][0]["text"]
    # Once only.
    assert_problem(await efter(body), 409)
    b = await walk.bevakningar(arende_id)
    assert rows(b["uppfoljning_efter_vard"]) == [("2027-09-18", "2028-03-18", "oppen", None)]


async def test_a_prepared_aterforening_is_lvu_only(walk: Walk, clock: FrozenClock) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    _, path = await placera(walk, clock, arende_id, utredning_id, insatstyp="familjehem", grund="sol")
    at(clock, "2026-10-01 10:00")
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    slut = {"avslutad_datum": "2026-10-01", "orsak": "flyttat", "aterforening_forbereds": True}
    refused = await walk.client.post(
        f"{path}/avslut", json=slut, headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": etag}
    )
    assert_problem(refused, 422)
    # 23 kap. 5 § SoL counts from the end whatever happened after: nothing was ended by the attempt.
    assert (await walk.get("handlaggare", path)).json()["status"] == "verkstalld"


async def test_the_vardplan_who_may_and_what_is_refused(
    walk: Walk, clock: FrozenClock, token: TokenFactory, case_conn: AsyncConnection
) -> None:
    arende_id, utredning_id = await utredd(walk, clock)
    insats_id, path = await placera(walk, clock, arende_id, utredning_id, insatstyp="hvb", grund="sol")
    at(clock, "2026-06-10 10:00")
    plan = VARDPLAN | {"upprattad": "2026-06-08"}
    etag = (await walk.get("handlaggare", path)).headers["ETag"]

    async def post(who: str | None, url: str, body: dict[str, Any], *, tok: str | None = None) -> Any:
        tok = tok or walk.tokens[who or "handlaggare"]
        current = (await walk.get("handlaggare", path)).headers["ETag"]
        return await walk.client.post(url, json=body, headers=bearer(tok) | {"If-Match": current})

    vardplaner = f"{path}/vardplaner"
    # The family home (utförare) neither writes nor reads the nämnd's plan for the care.
    assert_problem(await post("utforare", vardplaner, plan), 403)
    utf = await walk.client.get(vardplaner, headers=bearer(walk.tokens["utforare"]))
    assert_problem(utf, 403)
    # Another unit's handläggare: the insats is not there for it.
    other = token("handlaggare", enhet="bou-2")
    assert (await post(None, vardplaner, plan, tok=other)).status_code == 404
    assert (await walk.client.get(vardplaner, headers=bearer(other))).status_code == 404
    # The enhetschef reads but does not write it.
    chef = token("enhetschef", sub="cecilia", enhet="bou-1")
    assert_problem(await post(None, vardplaner, plan, tok=chef), 403)
    assert (await walk.client.get(vardplaner, headers=bearer(chef))).json()["vardplan_saknas"] is True
    # Without the insats's ETag: 428; a stale one: 412.
    bare = await walk.client.post(vardplaner, json=plan, headers=bearer(walk.tokens["handlaggare"]))
    assert_problem(bare, 428)
    # The first version has no revision fields, and no day in the future.
    assert_problem(await post(None, vardplaner, plan | {"orsak": "x"}), 422)
    assert_problem(await post(None, vardplaner, plan | {"upprattad": "2026-06-11"}), 422)

    first = await walk.command("handlaggare", vardplaner, path, plan)
    assert first["version"] == 1
    stale = await walk.client.post(
        vardplaner, json=plan, headers=bearer(walk.tokens["handlaggare"]) | {"If-Match": etag}
    )
    assert_problem(stale, 412)
    # A revision says why; the first takes up the långsiktiga boende or the särskilda skäl, one.
    rev = plan | {"upprattad": "2026-06-10"}
    assert_problem(await post(None, vardplaner, rev | {"langsiktigt_boende": "x"}), 422)
    assert_problem(await post(None, vardplaner, rev | {"orsak": "Ny skola."}), 422)
    both = rev | {"orsak": "Ny skola.", "langsiktigt_boende": "x", "sarskilda_skal": "y"}
    assert_problem(await post(None, vardplaner, both), 422)
    early = rev | {"upprattad": "2026-06-07", "orsak": "Ny skola.", "sarskilda_skal": "Vården blir kort."}
    assert_problem(await post(None, vardplaner, early), 422)

    # The genomförandeplan beside it: drafted by the HVB on its uppdrag on Tuesday 9 June.
    at(clock, "2026-06-09 10:00")
    uppdrag = (await walk.get("utforare", "/v1/uppdrag")).json()["items"]
    uppdrag_id = next(u["id"] for u in uppdrag if u["insats_id"] == insats_id)
    gplan = (
        await walk.post("utforare", f"/v1/uppdrag/{uppdrag_id}/genomforandeplaner", PLAN, expect=201)
    ).json()
    lista = (await walk.get("handlaggare", vardplaner)).json()
    assert lista["genomforandeplan"]["id"] == gplan["id"]
    assert (lista["genomforandeplan"]["upprattad"], lista["genomforandeplan_ses_over"]) == (
        "2026-06-09",
        False,
    )

    at(clock, "2026-06-10 10:00")
    second = await walk.command(
        "handlaggare", vardplaner, path, rev | {"orsak": "Ny skola.", "sarskilda_skal": "Vården blir kort."}
    )
    assert (second["version"], second["sarskilda_skal"]) == (2, "Vården blir kort.")
    # Revised, so the genomförandeplan is to be reviewed (9 kap. 13 §) until the HVB drafts anew.
    assert (await walk.get("handlaggare", vardplaner)).json()["genomforandeplan_ses_over"] is True
    # Version 1 is superseded: a changed plan is a revision, not a late fastställande.
    fast = {"faststalld": "2026-06-10", "kommunicerad": "2026-06-10"}
    assert_problem(await post(None, f"{vardplaner}/1/faststallande", fast), 409)
    assert_problem(await post(None, f"{vardplaner}/3/faststallande", fast), 404)
    assert_problem(await post("utforare", f"{vardplaner}/2/faststallande", fast), 403)
    assert_problem(
        await post(None, f"{vardplaner}/2/faststallande", fast | {"faststalld": "2026-06-09"}), 422
    )
    assert_problem(
        await post(
            None, f"{vardplaner}/2/faststallande", {"faststalld": "2026-06-10", "kommunicerad": "2026-06-09"}
        ),
        422,
    )
    await walk.command("handlaggare", f"{vardplaner}/2/faststallande", path, fast)
    assert_problem(await post(None, f"{vardplaner}/2/faststallande", fast), 409)
    await walk.post("utforare", f"/v1/uppdrag/{uppdrag_id}/genomforandeplaner", PLAN, expect=201)
    lista = (await walk.get("handlaggare", vardplaner)).json()
    assert (lista["genomforandeplan"]["versionsnummer"], lista["genomforandeplan_ses_over"]) == (2, False)
    assert [(v["version"], v["faststalld"], v["kommunicerad"]) for v in lista["items"]] == [
        (1, None, None),
        (2, "2026-06-10", "2026-06-10"),
    ]

    # Events carry dates and ids, not the plan's text; every read and write is audited.
    await case_conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    events = (
        await case_conn.execute(
            text(
                "SELECT type, data FROM outbox_event WHERE type LIKE 'se.socialtjanst.vardplan.%' ORDER BY seq"
            )
        )
    ).all()
    assert [(e.type.removeprefix("se.socialtjanst."), e.data["version"]) for e in events] == [
        ("vardplan.upprattad", 1),
        ("vardplan.upprattad", 2),
        ("vardplan.faststalld", 2),
    ]
    assert all(e.data["arende_id"] == arende_id and "mal" not in e.data for e in events)
    audit = (
        await case_conn.execute(
            text("SELECT objekt_typ, handling FROM audit_logg WHERE objekt_typ LIKE 'vardplan%' ORDER BY id")
        )
    ).all()
    assert {(a.objekt_typ, a.handling) for a in audit} >= {("vardplan", "andra"), ("vardplaner", "las")}
    # The registerutdrag shows the person every version.
    person_id = (await walk.get("handlaggare", f"/v1/arenden/{arende_id}")).json()["barn"]["id"]
    utdrag = await walk.client.get(
        f"/v1/personer/{person_id}/registerutdrag",
        params={"skal": "Begäran 2026-06-10"},
        headers=bearer(token("kvalitetssamordnare", sub="kerstin", enhet=None)),
    )
    assert sorted(r["version"] for r in utdrag.json()["uppgifter"]["vardplan"]) == [1, 2]
