"""Lifecycle steps the quality reports' tests build their cases from, over the API."""

from typing import Any

from tests.case_api.flow import ANMALAN, Walk
from tests.helpers import BARNPERSPEKTIV


async def anmalan(walk: Walk, enhet: str, inkom: str, skydd_at: str) -> dict[str, Any]:
    akt = (
        await walk.post(enhet, "/v1/aktualiseringar", ANMALAN | {"inkom": inkom, "enhet": enhet}, expect=201)
    ).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        enhet,
        f"{path}/skyddsbedomning",
        path,
        {"bedomd_at": skydd_at, "omedelbart_skydd": False, "motivering": "Ingen akut fara."},
    )
    return dict(akt)


async def forhandsbedomning(
    walk: Walk, enhet: str, akt: dict[str, Any], beslut: str, dag: str, sent: bool = False
) -> None:
    path = f"/v1/aktualiseringar/{akt['id']}"
    body = {"beslut": beslut, "beslutsdatum": dag, "motivering": "Bedömt."}
    if sent:
        body["synnerliga_skal"] = "Vårdnadshavarna kunde inte nås."
    await walk.command(enhet, f"{path}/forhandsbedomning", path, body)


async def utredning_id(walk: Walk, enhet: str, akt: dict[str, Any]) -> str:
    return str((await walk.bevakningar(akt["arende_id"], who=enhet))["utredning"][0]["objekt_id"])


async def avsluta_utredning(
    walk: Walk, enhet: str, uid: str, dag: str, resultat: str = "ingen_insats"
) -> None:
    path = f"/v1/utredningar/{uid}"
    await walk.command(
        enhet,
        f"{path}/avslut",
        path,
        {
            "avslutad_datum": dag,
            "resultat": resultat,
            "motivering": "Klar.",
            "barnperspektiv": BARNPERSPEKTIV,
        },
    )


async def beslutad_insats(walk: Walk, enhet: str, dag: str, insatstyp: str) -> str:
    """An anmälan, an utredning and a gynnande beslut, all on `dag` (the clock must be there)."""
    akt = await anmalan(walk, enhet, f"{dag}T06:00:00+00:00", f"{dag}T06:30:00+00:00")
    await forhandsbedomning(walk, enhet, akt, "inled_utredning", dag)
    uid = await utredning_id(walk, enhet, akt)
    await avsluta_utredning(walk, enhet, uid, dag, "beslut_om_insats")
    beslut = (
        await walk.post(
            enhet,
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utredning_id": uid,
                "utfall": "bifall",
                "insatstyp": insatstyp,
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": dag,
                "period_fran": dag,
                "period_till": "2027-12-31",
                "beslutsfattare": "anna",
                "motivering": "Behov av stöd.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            expect=201,
        )
    ).json()
    return str(beslut["insats"]["id"])


async def uppdrag(walk: Walk, enhet: str, insats_id: str, utforare: str = "ov-1") -> str:
    sent = await walk.post(
        enhet,
        "/v1/uppdrag",
        {
            "insats_id": insats_id,
            "utforare": utforare,
            "behovsbedomning": "Stöd i vardagen.",
            "omfattning": "Samtal varannan vecka.",
            "mal": ["Trygg skolgång"],
            "uppfoljningsform": "Var sjätte månad",
            "kontaktuppgifter": {"telefon": "070-0000000"},
        },
        expect=201,
    )
    path = f"/v1/uppdrag/{sent.json()['id']}"
    await walk.command("utforare", f"{path}/mottagande", path, {"accepterat": True})
    return path
