"""Steps that bring one child's objects to a given state through the API, and a fingerprint of
the whole case database, so a refused command can be shown to have changed nothing."""

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, STHLM, Walk
from tests.conftest import TokenFactory
from tests.helpers import BARNPERSPEKTIV

DAG = "2026-03-10"
NU = datetime(2026, 3, 10, 12, 0, tzinfo=STHLM)

# Every table that a lifecycle command may write to.
TABLES = (
    "person",
    "person_uppgifter",
    "arende",
    "aktualisering",
    "skyddsbedomning",
    "forhandsbedomning",
    "utredning",
    "utredning_forlangning",
    "beslut",
    "insats",
    "omprovning",
    "placeringsbeslut",
    "vardplan",
    "uppdrag",
    "ej_verkstallt_rapport",
    "genomforandeplan",
    "uppfoljning",
    "bevakning",
    "bevakning_larm",
    "samtycke",
    "journalanteckning",
    "sip",
    "outbox_event",
    "idempotency_key",
)


def frozen(app: Any, now: datetime = NU) -> FrozenClock:
    clock = FrozenClock(now)
    app.state.clock = clock
    return clock


def people(token: TokenFactory, enhet: str = "bou-1", utforare: str = "ov-1") -> dict[str, str]:
    return {
        "handlaggare": token("handlaggare", sub="anna", enhet=enhet),
        "arbetsledare": token("arbetsledare", sub="berit", enhet=enhet),
        "utforare": token("utforare", sub="olle", enhet=None, utforare=utforare),
    }


async def fingerprint(conn: AsyncConnection) -> dict[str, tuple[int, str]]:
    """(rows, md5 of all rows) of every lifecycle table, read past row-level security."""
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))
    out: dict[str, tuple[int, str]] = {}
    for table in TABLES:
        row = (
            await conn.execute(
                text(
                    f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
                )
            )
        ).one()
        out[table] = (row[0], row[1])
    await conn.execute(text("SELECT set_config('app.alla', 'off', true)"))
    return out


async def outbox_count(conn: AsyncConnection) -> int:
    return int((await conn.execute(text("SELECT count(*) FROM outbox_event"))).scalar_one())


class Steg:
    """One child's case, step by step, everything on the day DAG."""

    def __init__(self, walk: Walk) -> None:
        self.w = walk

    async def aktualisering(self, typ: str = "anmalan", **over: Any) -> dict[str, Any]:
        body = ANMALAN | {"typ": typ, "inkom": f"{DAG}T09:00:00+01:00"} | over
        return (await self.w.post("handlaggare", "/v1/aktualiseringar", body, expect=201)).json()  # type: ignore[no-any-return]

    async def skydd(self, akt_id: str) -> dict[str, Any]:
        path = f"/v1/aktualiseringar/{akt_id}"
        return await self.w.command(  # type: ignore[no-any-return]
            "handlaggare",
            f"{path}/skyddsbedomning",
            path,
            {
                "bedomd_at": f"{DAG}T10:00:00+01:00",
                "omedelbart_skydd": False,
                "motivering": "Ingen akut fara.",
            },
        )

    async def forhand(self, akt_id: str, beslut: str = "inled_utredning") -> dict[str, Any]:
        path = f"/v1/aktualiseringar/{akt_id}"
        return await self.w.command(  # type: ignore[no-any-return]
            "handlaggare",
            f"{path}/forhandsbedomning",
            path,
            {"beslut": beslut, "beslutsdatum": DAG, "motivering": "Bedömt."},
        )

    async def utredning_id(self, arende_id: str) -> str:
        arende = (await self.w.get("handlaggare", f"/v1/arenden/{arende_id}")).json()
        return arende["utredningar"][-1]["id"]  # type: ignore[no-any-return]

    async def avsluta_utredning(self, utredning_id: str) -> dict[str, Any]:
        path = f"/v1/utredningar/{utredning_id}"
        return await self.w.command(  # type: ignore[no-any-return]
            "handlaggare",
            f"{path}/avslut",
            path,
            {
                "avslutad_datum": DAG,
                "resultat": "beslut_om_insats",
                "motivering": "Klar.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
        )

    async def beslut(self, arende_id: str, insatstyp: str = "oppenvard") -> dict[str, Any]:
        body = {
            "arende_id": arende_id,
            "utfall": "bifall",
            "insatstyp": insatstyp,
            "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
            "beslutsdatum": DAG,
            "beslutsfattare": "anna",
            "motivering": "Behov av stöd.",
            "barnperspektiv": BARNPERSPEKTIV,
        }
        return (await self.w.post("handlaggare", "/v1/beslut", body, expect=201)).json()["insats"]  # type: ignore[no-any-return]

    async def uppdrag(self, insats_id: str, utforare: str = "ov-1") -> dict[str, Any]:
        body = {
            "insats_id": insats_id,
            "utforare": utforare,
            "behovsbedomning": "Stöd i vardagen.",
            "omfattning": "Samtal varannan vecka.",
            "mal": ["Trygg skolgång"],
            "uppfoljningsform": "Var sjätte månad",
            "kontaktuppgifter": {"telefon": "070-0000000"},
        }
        return (await self.w.post("handlaggare", "/v1/uppdrag", body, expect=201)).json()  # type: ignore[no-any-return]

    async def motta(self, uppdrag_id: str, accepterat: bool = True) -> dict[str, Any]:
        path = f"/v1/uppdrag/{uppdrag_id}"
        body: dict[str, Any] = {"accepterat": accepterat} | ({} if accepterat else {"orsak": "Ingen plats."})
        return await self.w.command("utforare", f"{path}/mottagande", path, body)  # type: ignore[no-any-return]

    async def verkstall(self, uppdrag_id: str) -> dict[str, Any]:
        path = f"/v1/uppdrag/{uppdrag_id}"
        return await self.w.command(  # type: ignore[no-any-return]
            "utforare", f"{path}/verkstallighet", path, {"verkstallighetsdatum": DAG}
        )

    async def aterkalla(self, uppdrag_id: str, skal: str = "Familjen har flyttat.") -> dict[str, Any]:
        path = f"/v1/uppdrag/{uppdrag_id}"
        return await self.w.command("handlaggare", f"{path}/aterkallelse", path, {"skal": skal})  # type: ignore[no-any-return]

    async def plan(self, uppdrag_id: str) -> dict[str, Any]:
        return (
            await self.w.post("utforare", f"/v1/uppdrag/{uppdrag_id}/genomforandeplaner", PLAN, expect=201)
        ).json()  # type: ignore[no-any-return]

    async def faststall(self, plan_id: str) -> dict[str, Any]:
        path = f"/v1/genomforandeplaner/{plan_id}"
        return await self.w.command("utforare", f"{path}/faststallande", path, FASTSTALL)  # type: ignore[no-any-return]

    async def avsluta_insats(self, insats_id: str) -> dict[str, Any]:
        path = f"/v1/insatser/{insats_id}"
        return await self.w.command(  # type: ignore[no-any-return]
            "handlaggare", f"{path}/avslut", path, {"avslutad_datum": DAG, "orsak": "mal_uppnatt"}
        )

    async def samtycke(self, arende_id: str, **over: Any) -> dict[str, Any]:
        """A vårdnadshavare's samtycke for the ärende's child, recorded at the ärende's enhet."""
        barn = (await self.w.get("handlaggare", f"/v1/arenden/{arende_id}")).json()["barn"]
        body = SAMTYCKE_SIP | over
        path = f"/v1/personer/{barn['id']}/samtycken"
        return (await self.w.post("handlaggare", path, body, expect=201)).json()  # type: ignore[no-any-return]

    async def sip(self, arende_id: str, samtycke_id: str, **over: Any) -> dict[str, Any]:
        body = SIP | {"samtycke_id": samtycke_id} | over
        path = f"/v1/arenden/{arende_id}/sip"
        return (await self.w.post("handlaggare", path, body, expect=201)).json()  # type: ignore[no-any-return]

    async def verkstallt_uppdrag(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """An anmälan through to an uppdrag that has started: (aktualisering, insats, uppdrag)."""
        akt = await self.aktualisering()
        await self.skydd(akt["id"])
        await self.forhand(akt["id"])
        await self.avsluta_utredning(await self.utredning_id(akt["arende_id"]))
        insats = await self.beslut(akt["arende_id"])
        uppdrag = await self.uppdrag(insats["id"])
        await self.motta(uppdrag["id"])
        await self.verkstall(uppdrag["id"])
        return akt, insats, uppdrag


PLAN: dict[str, Any] = {
    "mal": ["Trygg skolgång"],
    "aktiviteter": "Samtal",
    "deltagare": [{"roll": "barn"}, {"roll": "vardnadshavare"}],
    "barnets_delaktighet": "Barnet var med på mötet.",
    "barnets_synpunkter": "Vill ha hjälp med läxor.",
}
FASTSTALL: dict[str, Any] = {
    "faststalld_datum": DAG,
    "undertecknad_av": ["vardnadshavare", "utforare"],
    "kopia_lamnad_datum": DAG,
}
UPPFOLJNING: dict[str, Any] = {
    "avser": "plan",
    "datum": DAG,
    "sammanfattning": "Går framåt.",
    "maluppfyllelse": [{"mal": "Trygg skolgång", "bedomning": "delvis_uppnatt"}],
}
SAMTYCKE_SIP: dict[str, Any] = {
    "givet_av": "vardnadshavare",
    "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
    "omfattning": ["sip", "informationsutbyte"],
    "giltigt_fran": "2026-03-01",
    "giltigt_till": "2026-12-31",
}
# A SIP drawn up with BUP and the school, followed up in two months (give samtycke_id).
SIP: dict[str, Any] = {
    "datum": DAG,
    "initierad_av": {"huvudman": "skola", "namn": "Rektor Lena Ek"},
    "deltagare": [
        {"huvudman": "socialtjanst", "verksamhet": "Barn och unga, bou-1", "ansvar": "Öppenvårdsstöd"},
        {"huvudman": "region", "verksamhet": "BUP", "ansvar": "Utredning av koncentrationssvårigheter"},
        {"huvudman": "skola", "verksamhet": "Elevhälsan", "ansvar": "Anpassad studiegång"},
    ],
    "overgripande_ansvar": "socialtjanst",
    "uppfoljningsdatum": "2026-05-12",
}
