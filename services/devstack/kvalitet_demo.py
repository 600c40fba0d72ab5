"""Fictitious quality data through a running case_api, then the three quality reports.

Run `make run` first, then `.venv/bin/python -m devstack.kvalitet_demo` (CASE_API_URL to point
elsewhere). Dates are fixed in 2026, so the IVO quarter 2026-Q3 and the half-year 2026-H1 have
content whenever this runs after them.
"""

import os
import sys
from typing import Any

import httpx

from case_api.settings import get_settings
from common.tokens import mint_dev_token
from devstack.demo import BARNPERSPEKTIV

TEST_PNR = "201503142380"  # fictitious, valid check digit (as in the tests)


class Demo:
    def __init__(self, base: str) -> None:
        settings = get_settings()
        self.http = httpx.Client(base_url=base, timeout=30)
        self.tokens = {
            name: mint_dev_token(settings, sub=sub, roles=[role], enhet=enhet, utforare=utforare)
            for name, sub, role, enhet, utforare in [
                ("hl", "anna", "handlaggare", "bou-1", None),
                ("hl2", "bo", "handlaggare", "bou-2", None),
                ("utf", "olle", "utforare", None, "ov-1"),
                ("kval", "kim", "kvalitetssamordnare", None, None),
            ]
        }

    def call(
        self, who: str, method: str, path: str, body: Any = None, etag: str | None = None, **params: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        if etag:
            headers["If-Match"] = etag
        response = self.http.request(method, path, json=body, headers=headers, params=params)
        if response.status_code >= 400:
            sys.exit(f"{method} {path}: {response.status_code} {response.text}")
        return response

    def command(self, who: str, path: str, body: Any, read: str | None = None) -> Any:
        etag = self.call(who, "GET", read or path.rsplit("/", 1)[0]).headers["ETag"]
        return self.call(who, "POST", path, body, etag=etag).json()

    def insats(self, who: str, enhet: str, dag: str, insatstyp: str) -> str:
        """An anmälan decided into an utredning and a gynnande beslut, all on one day."""
        akt = self.call(
            who,
            "POST",
            "/v1/aktualiseringar",
            {
                "typ": "anmalan",
                "inkom": f"{dag}T07:00:00+00:00",
                "enhet": enhet,
                "barn": {"personnummer": TEST_PNR, "fornamn": "Test", "efternamn": "Testsson"},
                "beskrivning": "Oro från skolan",
                "kalla": {"typ": "skola", "namn": "Exempelskolan"},
            },
        ).json()
        path = f"/v1/aktualiseringar/{akt['id']}"
        self.command(
            who,
            f"{path}/skyddsbedomning",
            {"bedomd_at": f"{dag}T07:30:00+00:00", "omedelbart_skydd": False, "motivering": "Ingen fara."},
        )
        self.command(
            who,
            f"{path}/forhandsbedomning",
            {"beslut": "inled_utredning", "beslutsdatum": dag, "motivering": "Behov av utredning."},
        )
        bev = self.call(who, "GET", "/v1/bevakningar", arende_id=akt["arende_id"], typ="utredning").json()
        utredning = next(b["objekt_id"] for b in bev["items"] if b["status"] == "oppen")
        self.command(
            who,
            f"/v1/utredningar/{utredning}/avslut",
            {
                "avslutad_datum": dag,
                "resultat": "beslut_om_insats",
                "motivering": "Klar.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
        )
        beslut = self.call(
            who,
            "POST",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utredning_id": utredning,
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
        ).json()
        return str(beslut["insats"]["id"])

    def uppdrag(self, who: str, insats_id: str) -> str:
        sent = self.call(
            who,
            "POST",
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
        ).json()
        path = f"/v1/uppdrag/{sent['id']}"
        self.command("utf", f"{path}/mottagande", {"accepterat": True}, read=path)
        return path

    def avvikelser(self) -> None:
        kinds = [
            ("lex_sarah", "missforhallande", "handlaggning", True, True),
            ("avvikande_handelse", None, "dokumentation", True, None),
            ("risk", None, "kompetens_bemanning", None, None),
            ("synpunkt", None, "tillganglighet", False, None),
            ("klagomal", None, "bemotande_integritet", True, None),
        ]
        for typ, lex, orsak, befogad, ivo in kinds:
            body = {
                "typ": typ,
                "inkommen_fran": "personal",
                "form": "skriftlig",
                "enhet": "bou-1",
                "orsakskategori": orsak,
                "beskrivning": "Fiktiv händelse.",
                **({"lex_sarah_typ": lex} if lex else {}),
            }
            created = self.call("hl", "POST", "/v1/avvikelser", body).json()
            path = f"/v1/avvikelser/{created['id']}"
            if befogad is None:
                continue
            self.command(
                "kval",
                f"{path}/utred",
                {
                    "utredare": "Kim",
                    "iakttagelser": "Utrett.",
                    "atgarder": "Rutinen ses över.",
                    "befogad": befogad,
                },
            )
            if ivo is not None:
                self.command(
                    "kval",
                    f"{path}/ivo-beslut",
                    {"anmals_till_ivo": ivo, "beslutsfattare": "Sara", "motivering": "Allvarligt."},
                )


def main() -> int:
    demo = Demo(os.environ.get("CASE_API_URL", "http://127.0.0.1:8000"))
    demo.avvikelser()
    demo.uppdrag("hl", demo.insats("hl", "bou-1", "2026-03-02", "oppenvard"))  # never started
    path = demo.uppdrag("hl2", demo.insats("hl2", "bou-2", "2026-05-04", "kontaktperson"))
    demo.command("utf", f"{path}/verkstallighet", {"verkstallighetsdatum": "2026-08-20"}, read=path)
    reports = [
        ("/v1/rapporter/avvikelser/sammanstallning", {}),
        ("/v1/rapporter/egenkontroll", {"fran": "2026-01-01", "till": "2026-06-30"}),
        ("/v1/rapporter/ivo/ej-verkstallda", {"kvartal": "2026-Q3"}),
    ]
    for url, params in reports:
        print(f"$ GET {url}?{'&'.join(f'{k}={v}' for k, v in {**params, 'format': 'csv'}.items())}")
        print(demo.call("kval", "GET", url, format="csv", **params).text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
