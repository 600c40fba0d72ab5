"""One child through every step, and one through the serviceinsats path, checking each
bevakning's date and status on the way (issue 3's end-to-end walk)."""

from datetime import UTC, datetime
from typing import Any

import pytest

from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, TEST_PNR, Walk, at
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    clock = FrozenClock(datetime(2026, 2, 3, 9, 0, tzinfo=UTC))
    case_app.state.clock = clock
    return clock


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> Walk:
    return Walk(
        case_client,
        {
            "handlaggare": token("handlaggare", sub="anna", enhet="bou-1"),
            "arbetsledare": token("arbetsledare", sub="berit", enhet="bou-1"),
            "utforare": token("utforare", sub="olle", enhet=None, utforare="ov-1"),
        },
    )


def one(by_type: dict[str, list[dict[str, Any]]], typ: str) -> dict[str, Any]:
    assert len(by_type.get(typ, [])) == 1, by_type.get(typ)
    return by_type[typ][0]


async def test_a_child_from_anmalan_to_avslut(walk: Walk, clock: FrozenClock) -> None:
    at(clock, "2026-02-03 10:00")
    created = await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN, expect=201)
    akt = created.json()
    arende_id, akt_id = akt["arende_id"], akt["id"]
    assert akt["inkom_dag"] == "2026-02-03" and akt["status"] == "inkommen"
    assert created.headers["Location"] == f"/v1/aktualiseringar/{akt_id}"
    b = await walk.bevakningar(arende_id)
    assert one(b, "skyddsbedomning")["forfallodatum"] == "2026-02-03"
    assert one(b, "forhandsbedomning")["forfallodatum"] == "2026-02-17"
    assert one(b, "forhandsbedomning")["regel"]["id"] == "forhandsbedomning"
    # The mottagning finds it in its inbox, and the child by personnummer (a search with its skäl).
    inbox = (await walk.get("handlaggare", "/v1/aktualiseringar")).json()["items"]
    assert [(a["id"], a["status"]) for a in inbox] == [(akt_id, "inkommen")]
    found = (await walk.get("handlaggare", "/v1/personer", personnummer=TEST_PNR, skal="Ny anmälan")).json()
    assert [p["personnummer"] for p in found["items"]] == [TEST_PNR]

    akt_path = f"/v1/aktualiseringar/{akt_id}"
    await walk.command(
        "handlaggare",
        f"{akt_path}/skyddsbedomning",
        akt_path,
        {
            "bedomd_at": "2026-02-03T10:00:00+01:00",
            "omedelbart_skydd": False,
            "motivering": "Inga uppgifter om akut fara.",
        },
    )
    skydd = one(await walk.bevakningar(arende_id), "skyddsbedomning")
    assert skydd["status"] == "uppfylld" and skydd["uppfylld_datum"] == "2026-02-03"

    at(clock, "2026-02-10 09:00")
    decided = await walk.command(
        "handlaggare",
        f"{akt_path}/forhandsbedomning",
        akt_path,
        {"beslut": "inled_utredning", "beslutsdatum": "2026-02-10", "motivering": "Behov av utredning."},
    )
    assert decided["status"] == "utredning_inledd"
    b = await walk.bevakningar(arende_id)
    assert one(b, "forhandsbedomning")["status"] == "uppfylld"
    utredning_bev = one(b, "utredning")
    assert (utredning_bev["startdatum"], utredning_bev["forfallodatum"]) == ("2026-02-10", "2026-06-10")
    utredning_id = utredning_bev["objekt_id"]

    # A second anmälan while the utredning is open joins it: no förhandsbedömning clock.
    at(clock, "2026-03-02 11:00")
    second = (
        await walk.post(
            "handlaggare",
            "/v1/aktualiseringar",
            ANMALAN | {"inkom": "2026-03-02T10:00:00+01:00", "kalla": {"typ": "polis"}},
            expect=201,
        )
    ).json()
    assert second["arende_id"] == arende_id and second["status"] == "ansluten"
    assert second["ansluten_utredning_id"] == utredning_id
    b = await walk.bevakningar(arende_id)
    assert len(b["skyddsbedomning"]) == 2 and len(b["forhandsbedomning"]) == 1

    at(clock, "2026-06-01 09:00")
    u_path = f"/v1/utredningar/{utredning_id}"
    extended = await walk.command(
        "arbetsledare",
        f"{u_path}/forlangning",
        u_path,
        {
            "beslutsdatum": "2026-06-01",
            "skal": "Särskilda skäl: väntar på BUP.",
            "ny_slutdatum": "2026-08-10",
        },
    )
    assert extended["slutdatum"] == "2026-08-10" and extended["forlangningar"][0]["sen"] is False
    assert one(await walk.bevakningar(arende_id), "utredning")["forfallodatum"] == "2026-08-10"

    at(clock, "2026-07-01 09:00")
    await walk.command(
        "handlaggare",
        f"{u_path}/avslut",
        u_path,
        {
            "avslutad_datum": "2026-07-01",
            "resultat": "beslut_om_insats",
            "motivering": "Klar.",
            "barnperspektiv": BARNPERSPEKTIV,
        },
    )
    assert one(await walk.bevakningar(arende_id), "utredning")["status"] == "uppfylld"

    at(clock, "2026-07-02 09:00")
    beslut = (
        await walk.post(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": arende_id,
                "utredning_id": utredning_id,
                "utfall": "bifall",
                "insatstyp": "oppenvard",
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": "2026-07-02",
                "period_fran": "2026-07-02",
                "period_till": "2027-07-01",
                "beslutsfattare": "anna",
                "motivering": "Behov av stöd.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    insats_id = beslut["insats"]["id"]
    verk = one(await walk.bevakningar(arende_id), "verkstallighet")
    assert (verk["startdatum"], verk["forfallodatum"]) == ("2026-07-02", "2026-10-02")

    uppdrag = (
        await walk.post(
            "handlaggare",
            "/v1/uppdrag",
            {
                "insats_id": insats_id,
                "utforare": "ov-1",
                "behovsbedomning": "Stöd i vardagen.",
                "omfattning": "Samtal varannan vecka.",
                "mal": ["Trygg skolgång"],
                "uppfoljningsform": "Var sjätte månad",
                "kontaktuppgifter": {"telefon": "070-0000000"},
            },
            expect=201,
        )
    ).json()
    up_path = f"/v1/uppdrag/{uppdrag['id']}"
    seen = (await walk.get("utforare", up_path)).json()
    assert seen["barn"]["personnummer"] == TEST_PNR and seen["mal"] == ["Trygg skolgång"]
    await walk.command("utforare", f"{up_path}/mottagande", up_path, {"accepterat": True})
    at(clock, "2026-07-15 09:00")
    await walk.command(
        "utforare", f"{up_path}/verkstallighet", up_path, {"verkstallighetsdatum": "2026-07-15"}
    )
    b = await walk.bevakningar(arende_id)
    assert one(b, "verkstallighet")["status"] == "uppfylld"
    plan_bev = one(b, "genomforandeplan")
    assert (plan_bev["startdatum"], plan_bev["forfallodatum"]) == ("2026-07-15", "2026-08-05")

    plan = (
        await walk.post(
            "utforare",
            f"{up_path}/genomforandeplaner",
            {
                "mal": ["Trygg skolgång"],
                "aktiviteter": "Samtal",
                "deltagare": [{"roll": "barn"}, {"roll": "vardnadshavare"}],
                "barnets_delaktighet": "Barnet var med på mötet.",
                "barnets_synpunkter": "Vill ha hjälp med läxor.",
            },
            expect=201,
        )
    ).json()
    assert plan["versionsnummer"] == 1 and plan["barnet_eget_talan"] is False
    revised = (
        await walk.post(
            "utforare",
            f"{up_path}/genomforandeplaner",
            {
                "mal": ["Trygg skolgång", "Fritidsaktivitet"],
                "aktiviteter": "Samtal och fritid",
                "deltagare": [{"roll": "barn"}, {"roll": "vardnadshavare"}],
                "barnets_delaktighet": "Barnet var med.",
                "barnets_synpunkter": "Vill spela fotboll.",
            },
            expect=201,
        )
    ).json()
    assert revised["versionsnummer"] == 2 and revised["foregaende_id"] == plan["id"]
    assert (await walk.get("utforare", f"/v1/genomforandeplaner/{plan['id']}")).json()["status"] == "ersatt"
    versions = (await walk.get("handlaggare", f"{up_path}/genomforandeplaner")).json()["items"]
    assert [(v["id"], v["status"]) for v in versions] == [(plan["id"], "ersatt"), (revised["id"], "utkast")]
    at(clock, "2026-07-30 09:00")
    p_path = f"/v1/genomforandeplaner/{revised['id']}"
    await walk.command(
        "utforare",
        f"{p_path}/faststallande",
        p_path,
        {
            "faststalld_datum": "2026-07-30",
            "undertecknad_av": ["vardnadshavare", "utforare"],
            "kopia_lamnad_datum": "2026-07-30",
        },
    )
    b = await walk.bevakningar(arende_id)
    assert one(b, "genomforandeplan")["status"] == "uppfylld"
    uppf = one(b, "uppfoljning")
    # 30 Jan 2027 is a Saturday: this rule is the nämnd's, not statute, so lag (1930:173) does not move it.
    assert (uppf["startdatum"], uppf["forfallodatum"]) == ("2026-07-30", "2027-01-30")

    at(clock, "2026-12-01 09:00")
    await walk.post(
        "utforare",
        f"{up_path}/uppfoljningar",
        {
            "avser": "plan",
            "datum": "2026-12-01",
            "barnets_synpunkter": "Bättre i skolan.",
            "vardnadshavares_synpunkter": "Nöjda.",
            "sammanfattning": "Går framåt.",
            "maluppfyllelse": [{"mal": "Trygg skolgång", "bedomning": "delvis_uppnatt"}],
        },
        expect=201,
    )
    b = await walk.bevakningar(arende_id)
    assert [x["status"] for x in b["uppfoljning"]] == ["uppfylld", "oppen"]
    assert b["uppfoljning"][1]["forfallodatum"] == "2027-06-01"

    # Förändrade behov open an omprövning: a dated task in the handläggare's bevakningar.
    behov = await walk.command(
        "utforare", f"{up_path}/forandrade-behov", up_path, {"beskrivning": "Behöver mer stöd hemma."}
    )
    omprovning_id = behov["omprovning_id"]
    arende = (await walk.get("handlaggare", f"/v1/arenden/{arende_id}")).json()
    assert [o["id"] for o in arende["omprovningar"]] == [omprovning_id]
    ompr_bev = one(await walk.bevakningar(arende_id), "omprovning")
    assert (ompr_bev["objekt_id"], ompr_bev["startdatum"], ompr_bev["forfallodatum"]) == (
        omprovning_id,
        "2026-12-01",
        "2026-12-15",
    )
    assert ompr_bev["handlaggare"] == "anna" and ompr_bev["utforare"] is None
    # The task is the beställare's: the utförare that reported it does not see it.
    assert "omprovning" not in await walk.bevakningar(arende_id, who="utforare")
    oppna = (await walk.get("handlaggare", "/v1/omprovningar", status="oppen")).json()["items"]
    assert [(o["id"], o["anledning"], o["forfallodatum"]) for o in oppna] == [
        (omprovning_id, "forandrade_behov", "2026-12-15")
    ]

    at(clock, "2026-12-10 09:00")
    a_path = f"/v1/arenden/{arende_id}"
    refused = await walk.command(
        "handlaggare", f"{a_path}/avslut", a_path, {"orsak": "För tidigt."}, expect=409
    )
    assert {"objekt": "omprovning", "id": omprovning_id} in refused["pagaende"]
    nytt = (
        await walk.post(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": arende_id,
                "utfall": "bifall",
                "insatstyp": "familjebehandling",
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": "2026-12-10",
                "beslutsfattare": "anna",
                "motivering": "Omprövning: behov av stöd i hemmet.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    o_path = f"/v1/omprovningar/{omprovning_id}"
    closed_o = await walk.command(
        "handlaggare", f"{o_path}/avslut", o_path, {"avslutad_datum": "2026-12-10", "beslut_id": nytt["id"]}
    )
    assert (closed_o["status"], closed_o["beslut_id"], closed_o["avslutad_av"]) == (
        "avslutad",
        nytt["id"],
        "anna",
    )
    assert closed_o["tillatna_kommandon"] == []
    ompr_bev = one(await walk.bevakningar(arende_id), "omprovning")
    assert (ompr_bev["status"], ompr_bev["uppfylld_datum"]) == ("uppfylld", "2026-12-10")
    assert (await walk.get("handlaggare", "/v1/omprovningar", status="oppen")).json()["items"] == []

    at(clock, "2027-01-10 09:00")
    i_path = f"/v1/insatser/{insats_id}"
    ended = await walk.command(
        "handlaggare", f"{i_path}/avslut", i_path, {"avslutad_datum": "2027-01-10", "orsak": "omprovning"}
    )
    assert ended["status"] == "avslutad"
    b = await walk.bevakningar(arende_id)
    assert b["uppfoljning"][1]["status"] == "avbruten"
    assert b["uppfoljning"][1]["avbruten_orsak"] == "insatsen avslutad"
    # The first uppdrag ended with its insats: the utförare no longer reads the child through it.
    first = (await walk.get("utforare", up_path)).json()
    assert (first["barn"], first["atkomst_upphord_orsak"]) == (None, "avslutat")

    # The new beslut's uppdrag is sent, accepted, and withdrawn by the beställare with its skäl.
    n_up = (
        await walk.post(
            "handlaggare",
            "/v1/uppdrag",
            {
                "insats_id": nytt["insats"]["id"],
                "utforare": "ov-1",
                "behovsbedomning": "Stöd i hemmet.",
                "omfattning": "Familjebehandling en gång i veckan.",
                "mal": ["Trygg hemmiljö"],
                "uppfoljningsform": "Var tredje månad",
                "kontaktuppgifter": {"telefon": "070-1112223"},
            },
            expect=201,
        )
    ).json()
    n_up_path = f"/v1/uppdrag/{n_up['id']}"
    await walk.command("utforare", f"{n_up_path}/mottagande", n_up_path, {"accepterat": True})
    seen = (await walk.get("utforare", n_up_path)).json()
    assert seen["barn"]["personnummer"] == TEST_PNR and "aterkallelse" in seen["tillatna_kommandon"]
    withdrawn = await walk.command(
        "handlaggare",
        f"{n_up_path}/aterkallelse",
        n_up_path,
        {"skal": "Familjen flyttar, annan kommun tar över."},
    )
    assert (withdrawn["status"], withdrawn["tillatna_kommandon"]) == ("aterkallat", [])
    # The utförare, its token still valid, is refused: no command, and nothing of the child.
    after = await walk.get("utforare", n_up_path)
    assert after.json()["barn"] is None and after.json()["kontaktuppgifter"] is None
    assert after.json()["aterkallelse_skal"] is None
    assert TEST_PNR not in after.text and "070-1112223" not in after.text
    assert_problem(
        await walk.client.post(
            f"{n_up_path}/verkstallighet",
            json={"verkstallighetsdatum": "2027-01-10"},
            headers=bearer(walk.tokens["utforare"]) | {"If-Match": after.headers["ETag"]},
        ),
        409,
        "invalid-transition",
    )
    assert_problem(
        await walk.client.post(
            f"{n_up_path}/aterkallelse",
            json={"skal": "Igen."},
            headers=bearer(walk.tokens["utforare"]) | {"If-Match": after.headers["ETag"]},
        ),
        403,
    )
    n_path = f"/v1/insatser/{nytt['insats']['id']}"
    await walk.command(
        "handlaggare", f"{n_path}/avslut", n_path, {"avslutad_datum": "2027-01-10", "orsak": "mal_uppnatt"}
    )
    closed = await walk.command("handlaggare", f"{a_path}/avslut", a_path, {"orsak": "Målen uppnådda."})
    assert closed["status"] == "avslutat"
    open_left = [
        x for items in (await walk.bevakningar(arende_id)).values() for x in items if x["status"] == "oppen"
    ]
    assert open_left == []
    # The ärende's timeline: every event about it, from its opening to its closing, in order.
    timeline = [h["typ"] for h in (await walk.get("arbetsledare", f"{a_path}/handelser")).json()["items"]]
    assert timeline[0] == "arende.oppnat" and timeline[-1] == "arende.avslutat", timeline
    assert (
        timeline.index("beslut.fattat")
        < timeline.index("uppdrag.skickat")
        < timeline.index("insats.avslutad")
        < timeline.index("uppdrag.aterkallat")
    )

    # Every bevakning links to the explanation of its own date, computed by the same function.
    explained = 0
    for items in (await walk.bevakningar(arende_id)).values():
        for x in items:
            assert x["berakning"].startswith(f"/v1/regler/{x['typ']}/berakning?start={x['startdatum']}")
            # The link as given, query and all (Walk.get would replace its query with params).
            svar = (await walk.client.get(x["berakning"], headers=bearer(walk.tokens["handlaggare"]))).json()
            if x["typ"] == "utredning":
                # A beslut moved this one to 10 August; the link explains the rule's own date.
                assert (svar["forfallodatum"], x["forfallodatum"]) == ("2026-06-10", "2026-08-10")
            else:
                assert svar["forfallodatum"] == x["forfallodatum"], x["typ"]
            explained += 1
    # skyddsbedömning twice, förhandsbedömning, utredning, verkställighet twice (the new beslut's
    # too), plan, uppföljning twice, omprövning
    assert explained == 10


async def test_serviceinsats_needs_samtycke_and_the_family_ends_it(
    walk: Walk, clock: FrozenClock, case_client: Any
) -> None:
    at(clock, "2026-03-01 10:00")
    body = {
        "enhet": "bou-1",
        "barn": {"personnummer": "201203152002", "fornamn": "Service", "efternamn": "Barnsson"},
        "startdatum": "2026-03-01",
        "beskrivning": "Föräldrastöd i grupp.",
    }
    missing = await case_client.post(
        "/v1/serviceinsatser", json=body, headers=bearer(walk.tokens["handlaggare"])
    )
    problem = assert_problem(missing, 422)
    assert any(e["field"].endswith("samtycke") for e in problem["errors"]), problem
    samtycke = {
        "givet_av": "vardnadshavare",
        "vardnadshavare": [{"namn": "Vera Barnsson"}],
        "omfattning": ["behandling av personuppgifter"],
        "giltigt_fran": "2026-03-01",
    }
    insats = (
        await walk.post("handlaggare", "/v1/serviceinsatser", body | {"samtycke": samtycke}, expect=201)
    ).json()
    assert insats["status"] == "pagaende_service" and insats["beslut_id"] is None
    assert insats["samtycke_id"] is not None
    at(clock, "2026-05-01 10:00")
    i_path = f"/v1/insatser/{insats['id']}"
    ended = await walk.command(
        "handlaggare",
        f"{i_path}/avslut",
        i_path,
        {"avslutad_datum": "2026-05-01", "orsak": "familjen_avslutar"},
    )
    assert ended["status"] == "avslutad"
    arende = (await walk.get("handlaggare", f"/v1/arenden/{insats['arende_id']}")).json()
    assert arende["status"] == "avslutat" and arende["typ"] == "service"
