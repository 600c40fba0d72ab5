"""Omprövning as a task that ends (issue 14 item 4): dated by its bevakning, closed with the new
beslut or why none was needed, refused to those it is not for; and the sweep's consequences
registered by the lifecycle, so bevakning depends on none of it (item 13)."""

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import case_api.bevakning
from case_api.bevakning import service as bevakning_service
from case_api.uppdrag import service as uppdrag_service
from tests.case_api.flow import Walk
from tests.case_api.steg import DAG, NU, Steg, frozen, people
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV, assert_problem, bearer


async def _omprovning(walk: Walk) -> tuple[str, str, dict[str, Any]]:
    """An uppdrag under way whose utförare reports förändrade behov: (arende_id, insats_id, omprövning)."""
    s = Steg(walk)
    akt, insats, up = await s.verkstallt_uppdrag()
    path = f"/v1/uppdrag/{up['id']}"
    svar = await walk.command("utforare", f"{path}/forandrade-behov", path, {"beskrivning": "Mer stöd."})
    ompr = (await walk.get("handlaggare", f"/v1/omprovningar/{svar['omprovning_id']}")).json()
    return akt["arende_id"], insats["id"], ompr


async def test_dated_by_the_rule_and_closed_without_a_new_beslut(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    frozen(case_app)
    walk = Walk(case_client, people(token))
    arende_id, _, ompr = await _omprovning(walk)
    assert (ompr["status"], ompr["oppnad_datum"], ompr["forfallodatum"]) == ("oppen", DAG, "2026-03-24")
    assert ompr["tillatna_kommandon"] == ["avslut"] and ompr["uppdrag_id"] is not None
    path = f"/v1/omprovningar/{ompr['id']}"
    # Neither a beslut nor why none was needed: refused, nothing changes.
    missing = await walk.command("handlaggare", f"{path}/avslut", path, {"avslutad_datum": DAG}, expect=422)
    assert [e["field"] for e in missing["errors"]] == ["motivering"], missing
    future = await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": "2026-03-11", "motivering": "x"}, expect=422
    )
    assert future["errors"][0]["field"] == "avslutad_datum"
    assert (await walk.get("handlaggare", path)).json()["status"] == "oppen"
    closed = await walk.command(
        "handlaggare",
        f"{path}/avslut",
        path,
        {"avslutad_datum": DAG, "motivering": "Utföraren anpassar inom beslutet."},
    )
    assert (closed["status"], closed["beslut_id"], closed["motivering"]) == (
        "avslutad",
        None,
        "Utföraren anpassar inom beslutet.",
    )
    [bev] = (await walk.bevakningar(arende_id))["omprovning"]
    assert (bev["status"], bev["uppfylld_datum"], bev["id"]) == ("uppfylld", DAG, closed["bevakning_id"])
    again = await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": DAG, "motivering": "igen"}, expect=409
    )
    assert again["tillstand"] == "avslutad"


async def test_the_new_beslut_must_be_of_the_arende_and_not_older(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    clock = frozen(case_app)
    walk = Walk(case_client, people(token))
    s = Steg(walk)
    akt, _, up = await s.verkstallt_uppdrag()
    arende_id = akt["arende_id"]
    old_beslut = (await walk.get("handlaggare", f"/v1/arenden/{arende_id}")).json()["beslut"][0]["id"]
    clock.set(NU + timedelta(days=1))
    dag2 = "2026-03-11"
    path = f"/v1/uppdrag/{up['id']}"
    svar = await walk.command("utforare", f"{path}/forandrade-behov", path, {"beskrivning": "Mer stöd."})
    path = f"/v1/omprovningar/{svar['omprovning_id']}"

    def avslag(arende: str) -> dict[str, Any]:
        return {
            "arende_id": arende,
            "utfall": "avslag",
            "insatstyp": "kontaktperson",
            "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
            "beslutsdatum": dag2,
            "beslutsfattare": "anna",
            "motivering": "Inget behov.",
            "barnperspektiv": BARNPERSPEKTIV,
        }

    # Another child's beslut in the same enhet is not this ärende's.
    other_akt = await s.aktualisering(
        barn={"personnummer": "201203152002", "fornamn": "Annan", "efternamn": "B"}
    )
    other = (await walk.post("handlaggare", "/v1/beslut", avslag(other_akt["arende_id"]), expect=201)).json()
    fel = await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": dag2, "beslut_id": other["id"]}, expect=422
    )
    assert fel["errors"][0]["field"] == "beslut_id"
    # The beslut made before the omprövning opened cannot be its outcome.
    aldre = await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": dag2, "beslut_id": old_beslut}, expect=422
    )
    assert (aldre["errors"][0]["field"], aldre["errors"][0]["code"]) == ("beslut_id", "before_opened")
    nytt = (await walk.post("handlaggare", "/v1/beslut", avslag(arende_id), expect=201)).json()
    ok = await walk.command(
        "handlaggare", f"{path}/avslut", path, {"avslutad_datum": dag2, "beslut_id": nytt["id"]}
    )
    assert ok["beslut_id"] == nytt["id"]


async def test_only_the_bestallare_enhet_sees_and_closes_it(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    frozen(case_app)
    walk = Walk(case_client, people(token))
    _, _, ompr = await _omprovning(walk)
    path = f"/v1/omprovningar/{ompr['id']}"
    body = {"avslutad_datum": DAG, "motivering": "Inget behov."}
    # The utförare reported it; reconsidering the beslut is not its to do, nor its list.
    utforare = bearer(walk.tokens["utforare"])
    assert_problem(await case_client.get("/v1/omprovningar", headers=utforare), 403)
    assert_problem(
        await case_client.post(f"{path}/avslut", json=body, headers=utforare | {"If-Match": '"1"'}), 403
    )
    # Another enhet's handläggare: not found, and not in its list.
    annan = bearer(token("handlaggare", sub="eva", enhet="bou-2"))
    assert_problem(await case_client.get(path, headers=annan), 404)
    assert_problem(
        await case_client.post(f"{path}/avslut", json=body, headers=annan | {"If-Match": '"1"'}), 404
    )
    assert (await case_client.get("/v1/omprovningar", headers=annan)).json()["items"] == []
    assert (await case_client.get("/v1/bevakningar", headers=annan, params={"typ": "omprovning"})).json()[
        "items"
    ] == []
    assert (await walk.get("handlaggare", path)).json()["status"] == "oppen"


async def test_the_length_is_the_namnds_setting(case_app: Any, case_client: Any, token: TokenFactory) -> None:
    frozen(case_app)
    case_app.state.settings = case_app.state.settings.model_copy(update={"omprovning_dagar": 30})
    walk = Walk(case_client, people(token))
    _, _, ompr = await _omprovning(walk)
    assert ompr["forfallodatum"] == "2026-04-09"
    regel = (await walk.get("handlaggare", "/v1/regler/omprovning")).json()
    assert regel["langd"] == {"antal": 30, "enhet": "dagar"}, regel


async def test_the_list_pages_oldest_first(case_app: Any, case_client: Any, token: TokenFactory) -> None:
    clock = frozen(case_app)
    walk = Walk(case_client, people(token))
    _, _, first = await _omprovning(walk)
    clock.set(NU + timedelta(hours=1))
    s = Steg(walk)
    akt = await s.aktualisering(
        barn={"personnummer": "201203152002", "fornamn": "Två", "efternamn": "Barnsson"}
    )
    await s.skydd(akt["id"])
    await s.forhand(akt["id"])
    await s.avsluta_utredning(await s.utredning_id(akt["arende_id"]))
    insats = await s.beslut(akt["arende_id"])
    up = await s.uppdrag(insats["id"])
    await s.motta(up["id"])
    path = f"/v1/uppdrag/{up['id']}"
    second = await walk.command(
        "utforare", f"{path}/ej-verkstallt", path, {"datum": DAG, "orsak": "Ingen tid."}
    )
    page = (await walk.get("handlaggare", "/v1/omprovningar", status="oppen", limit=1)).json()
    assert [o["id"] for o in page["items"]] == [first["id"]] and page["next_cursor"]
    rest = (
        await walk.get("handlaggare", "/v1/omprovningar", status="oppen", cursor=page["next_cursor"])
    ).json()
    assert [o["anledning"] for o in rest["items"]] == ["ej_verkstallt"] and rest["next_cursor"] is None
    assert second["kalla"] == "utforare"


def test_bevakning_imports_no_lifecycle_module() -> None:
    """bevakning is used by every lifecycle module; it must not reach back into any of them."""
    allowed = {
        "arenden.models",
        "bevakning",
        "columns",
        "database",
        "events",
        "kontext",
        "metrics",
        "regler",
        "responses",
        "schemas_base",
        "settings",
        "tillstand",
    }
    package = Path(case_api.bevakning.__file__).parent
    found = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                if name.startswith("case_api."):
                    found.add(name.removeprefix("case_api."))
    outside = sorted(n for n in found if not any(n == a or n.startswith(a + ".") for a in allowed))
    assert outside == [], outside


def test_the_lifecycle_registers_what_a_late_verkstallighet_means() -> None:
    handlers = bevakning_service.vid_forsening_registrerade()
    assert handlers["verkstallighet"] is uppdrag_service.ej_verkstallt_inom_tre_manader
    # Registering the same again is harmless; a second consequence for the rule is refused.
    bevakning_service.vid_forsening("verkstallighet", uppdrag_service.ej_verkstallt_inom_tre_manader)

    async def annan(k: Any, b: Any) -> None:
        raise AssertionError("never called")

    try:
        bevakning_service.vid_forsening("verkstallighet", annan)
    except ValueError as exc:
        assert "already handles" in str(exc)
    else:
        raise AssertionError("a second handler was accepted")
    assert bevakning_service.vid_forsening_registrerade()["verkstallighet"] is (
        uppdrag_service.ej_verkstallt_inom_tre_manader
    )
