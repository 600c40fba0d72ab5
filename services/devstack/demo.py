"""`make demo`: a handful of fictitious children at different steps, through the API itself.

Run it against a running `make run` (CASE_API_URL, default http://127.0.0.1:8000). Tokens are
dev tokens signed with DATA_DIR's dev key, like `case-api token`. The personnummer are the
Skatteverket 1912/1913 test numbers moved to 2012/2013 (same check digits), so the children are
children: a person of 21 or more is refused as barn. NOT checked against Skatteverket's list
of test personnummer. Every create carries an Idempotency-Key per child and step,
and every command is sent only when the object still accepts it, so a second run the same day
changes nothing. A run on a later day would compute other dates: those children are reported as
already loaded and left alone.
"""

import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from case_api.regler import datum, tabell
from case_api.settings import get_settings
from common.tokens import mint_dev_token

ENHET = "bou-1"
UTFORARE = "ov-1"
REUSED = "urn:handlaggning:problem:idempotency-key-reused"
# Every beslut and every utredning's avslut carries the child's perspective (seed 000).
BARNPERSPEKTIV = {
    "barnkonsekvensanalys": "Stödet ger barnet en tryggare vardag och skolgång (demo).",
    "barnets_synpunkter": "Barnet vill ha stöd och vill vara med när det planeras (demo).",
    "talan_av": "vardnadshavare",
}


class RedanLaddat(Exception):
    """This child was loaded on an earlier day: its keys now carry other dates."""


@dataclass
class Demo:
    client: httpx.Client
    tokens: dict[str, str]
    idag: date
    nu: datetime
    skapade: int = 0
    arenden: dict[str, str] = field(default_factory=dict)
    # What else to open: (what, path), in the order made.
    lankar: list[tuple[str, str]] = field(default_factory=list)

    def _call(self, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} | kw.pop("headers", {})
        response = self.client.request(method, path, headers=headers, **kw)
        if response.status_code == 422 and response.json().get("type") == REUSED:
            raise RedanLaddat(path)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response

    def get(self, who: str, path: str) -> dict[str, Any]:
        return self._call(who, "GET", path).json()  # type: ignore[no-any-return]

    def create(self, who: str, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        response = self._call(who, "POST", path, json=body, headers={"Idempotency-Key": f"demo-{key}"})
        if response.headers.get("Idempotent-Replayed") != "true":
            self.skapade += 1
        return response.json()  # type: ignore[no-any-return]

    def command(self, who: str, path: str, obj_path: str, kommando: str, body: dict[str, Any]) -> None:
        """Run the command only if the object (read fresh) still accepts it."""
        current = self._call(who, "GET", obj_path)
        if kommando not in current.json().get("tillatna_kommandon", []):
            return
        self._call(who, "POST", path, json=body, headers={"If-Match": current.headers["ETag"]})
        self.skapade += 1

    def post_once(self, who: str, path: str, obj_path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A command with no state in tillatna_kommandon: the caller checks it is not done yet."""
        current = self._call(who, "GET", obj_path)
        response = self._call(who, "POST", path, json=body, headers={"If-Match": current.headers["ETag"]})
        self.skapade += 1
        return response.json()  # type: ignore[no-any-return]

    def dag(self, dagar_sedan: int) -> date:
        return self.idag - timedelta(days=dagar_sedan)

    @staticmethod
    def kl(d: date, hour: int) -> str:
        return datetime(d.year, d.month, d.day, hour, tzinfo=datum.STOCKHOLM).isoformat()

    # --- the steps ----------------------------------------------------------------------------

    def aktualisering(
        self, key: str, barn: dict[str, Any], inkom: str, typ: str = "anmalan"
    ) -> dict[str, Any]:
        body = {
            "typ": typ,
            "inkom": inkom,
            "enhet": ENHET,
            "barn": barn,
            "beskrivning": "Oro för barnet (demo).",
            "kalla": {"typ": "skola", "namn": "Exempelskolan"},
        }
        akt = self.create("handlaggare", "/v1/aktualiseringar", body, f"{key}-aktualisering")
        self.arenden[key] = akt["arende_id"]
        return akt

    def skydd(self, akt: dict[str, Any], bedomd: str) -> None:
        path = f"/v1/aktualiseringar/{akt['id']}"
        body = {
            "bedomd_at": bedomd,
            "omedelbart_skydd": False,
            "motivering": "Inget akut skyddsbehov (demo).",
        }
        self.command("handlaggare", f"{path}/skyddsbedomning", path, "skyddsbedomning", body)

    def forhand(self, akt: dict[str, Any], d: date) -> None:
        path = f"/v1/aktualiseringar/{akt['id']}"
        body = {"beslut": "inled_utredning", "beslutsdatum": d.isoformat(), "motivering": "Utredning behövs."}
        self.command("handlaggare", f"{path}/forhandsbedomning", path, "forhandsbedomning", body)

    def omprovningar(self, arende_id: str) -> list[dict[str, Any]]:
        return self.get("handlaggare", f"/v1/omprovningar?arende_id={arende_id}")["items"]  # type: ignore[no-any-return]

    def forandrade_behov(self, uppdrag_path: str, arende_id: str, beskrivning: str) -> dict[str, Any]:
        """The utförare reports förändrade behov once: the omprövning it opened, read back."""
        if not self.omprovningar(arende_id):
            body = {"beskrivning": beskrivning}
            self.command(
                "utforare", f"{uppdrag_path}/forandrade-behov", uppdrag_path, "forandrade_behov", body
            )
        return self.omprovningar(arende_id)[0]

    def utredning_id(self, arende_id: str) -> str:
        return self.get("handlaggare", f"/v1/arenden/{arende_id}")["utredningar"][-1]["id"]  # type: ignore[no-any-return]


def inkom_for_due_in(idag: date, dagar: int) -> date:
    """The inkom day whose förhandsbedömning falls due `dagar` from today (or the nearest after,
    when that day is one lag (1930:173) moves past)."""
    regel = tabell.regel("forhandsbedomning")
    target = idag + timedelta(days=dagar)
    candidates = [idag - timedelta(days=n) for n in range(0, 21)]
    on_or_after = [d for d in candidates if datum.forfallodatum(regel, d) >= target]
    return min(on_or_after, key=lambda d: datum.forfallodatum(regel, d))


def load(demo: Demo) -> list[tuple[str, str]]:
    """Load the children; return (what, key) for each one loaded now or before."""
    idag, loaded = demo.idag, []

    def child(key: str, what: str, run: Any) -> None:
        try:
            run()
            loaded.append((what, key))
        except RedanLaddat:
            print(f"  {key}: loaded on an earlier day, left as it is", file=sys.stderr)

    def just_anmald() -> None:
        # Today at midnight: already past whenever it runs, and the same body all day.
        barn = {"personnummer": "201212121212", "fornamn": "Tolvan", "efternamn": "Demo"}
        demo.aktualisering("nyanmald", barn, demo.kl(idag, 0))

    def due_soon() -> None:
        d = inkom_for_due_in(idag, 2)
        akt = demo.aktualisering(
            "snart", {"personnummer": "201304052390", "fornamn": "Snart", "efternamn": "Demo"}, demo.kl(d, 9)
        )
        demo.skydd(akt, demo.kl(d, 11))

    def late() -> None:
        d = demo.dag(20)
        akt = demo.aktualisering(
            "sen", {"personnummer": "201211152390", "fornamn": "Sen", "efternamn": "Demo"}, demo.kl(d, 9)
        )
        demo.skydd(akt, demo.kl(d, 10))

    def utredning() -> None:
        d = demo.dag(30)
        akt = demo.aktualisering(
            "utredning",
            {"personnummer": "201303192387", "fornamn": "Utred", "efternamn": "Demo"},
            demo.kl(d, 9),
        )
        demo.skydd(akt, demo.kl(d, 10))
        demo.forhand(akt, demo.dag(25))
        # BUP and the school are involved too: a SIP, on the guardians' samtycke, followed up in a month.
        barn = demo.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")["barn"]
        samtycke = demo.create(
            "handlaggare",
            f"/v1/personer/{barn['id']}/samtycken",
            {
                "givet_av": "vardnadshavare",
                "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
                "omfattning": ["sip"],
                "giltigt_fran": demo.dag(20).isoformat(),
            },
            "utredning-samtycke",
        )
        sip = demo.create(
            "handlaggare",
            f"/v1/arenden/{akt['arende_id']}/sip",
            {
                "datum": demo.dag(14).isoformat(),
                "initierad_av": {"huvudman": "skola", "namn": "Rektor på Exempelskolan (demo)"},
                "deltagare": [
                    {"huvudman": "socialtjanst", "verksamhet": "Barn och unga", "ansvar": "Utredningen"},
                    {"huvudman": "region", "verksamhet": "BUP", "ansvar": "Bedömning av sömnen"},
                    {"huvudman": "skola", "verksamhet": "Elevhälsan", "ansvar": "Anpassningar i skolan"},
                ],
                "overgripande_ansvar": "socialtjanst",
                "samtycke_id": samtycke["id"],
                "uppfoljningsdatum": (idag + timedelta(days=30)).isoformat(),
            },
            "utredning-sip",
        )
        demo.lankar.append(("a SIP (socialtjänst, BUP, skola), uppföljning watched", f"/v1/sip/{sip['id']}"))

    def uppdrag_och_plan() -> None:
        akt = demo.aktualisering(
            "uppdrag",
            {"personnummer": "201212302382", "fornamn": "Uppdrag", "efternamn": "Demo"},
            demo.kl(demo.dag(90), 9),
            typ="ansokan",
        )
        u_path = f"/v1/utredningar/{demo.utredning_id(akt['arende_id'])}"
        demo.command(
            "handlaggare",
            f"{u_path}/avslut",
            u_path,
            "avslut",
            {
                "avslutad_datum": demo.dag(40).isoformat(),
                "resultat": "beslut_om_insats",
                "motivering": "Klar.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
        )
        beslut = demo.create(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utfall": "bifall",
                "insatstyp": "oppenvard",
                "rattslig_grund": "4 kap. 1 § SoL (2001:453)",
                "beslutsdatum": demo.dag(40).isoformat(),
                "beslutsfattare": "anna",
                "motivering": "Behov av stöd (demo).",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            "uppdrag-beslut",
        )
        # The guardians consent to the utförare getting the child's data (checked before sending).
        barn = demo.get("handlaggare", f"/v1/arenden/{akt['arende_id']}")["barn"]
        demo.create(
            "handlaggare",
            f"/v1/personer/{barn['id']}/samtycken",
            {
                "givet_av": "vardnadshavare",
                "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
                "omfattning": [f"utforare:{UTFORARE}"],
                "giltigt_fran": demo.dag(40).isoformat(),
            },
            "uppdrag-samtycke",
        )
        uppdrag = demo.create(
            "handlaggare",
            "/v1/uppdrag",
            {
                "insats_id": beslut["insats"]["id"],
                "utforare": UTFORARE,
                "behovsbedomning": "Stöd i vardagen.",
                "omfattning": "Samtal varannan vecka.",
                "mal": ["Trygg skolgång"],
                "uppfoljningsform": "Var sjätte månad",
                "kontaktuppgifter": {"telefon": "070-0000000"},
            },
            "uppdrag-uppdrag",
        )
        up = f"/v1/uppdrag/{uppdrag['id']}"
        demo.command("utforare", f"{up}/mottagande", up, "mottagande", {"accepterat": True})
        demo.command(
            "utforare",
            f"{up}/verkstallighet",
            up,
            "verkstallighet",
            {"verkstallighetsdatum": demo.dag(30).isoformat()},
        )
        plan = demo.create(
            "utforare",
            f"{up}/genomforandeplaner",
            {
                "mal": ["Trygg skolgång"],
                "aktiviteter": "Samtal och läxhjälp",
                "deltagare": [{"roll": "barn"}, {"roll": "vardnadshavare"}],
                "barnets_delaktighet": "Barnet var med på mötet.",
                "barnets_synpunkter": "Vill ha hjälp med läxor.",
            },
            "uppdrag-plan",
        )
        p = f"/v1/genomforandeplaner/{plan['id']}"
        demo.command(
            "utforare",
            f"{p}/faststallande",
            p,
            "faststallande",
            {
                "faststalld_datum": demo.dag(20).isoformat(),
                "undertecknad_av": ["vardnadshavare", "utforare"],
                "kopia_lamnad_datum": demo.dag(20).isoformat(),
            },
        )
        # The case file: the handläggare's journal of the ärende, the utförare's of the uppdrag.
        arende = f"/v1/arenden/{akt['arende_id']}"
        demo.create(
            "handlaggare",
            f"{arende}/journal",
            {"datum": demo.dag(35).isoformat(), "slag": "hembesok", "text": "Hembesök hos familjen (demo)."},
            "uppdrag-journal-arende",
        )
        demo.create(
            "utforare",
            f"{up}/journal",
            {
                "datum": demo.dag(15).isoformat(),
                "slag": "samtal",
                "text": "Samtal med barnet om skolan (demo).",
            },
            "uppdrag-journal-uppdrag",
        )
        demo.lankar.append(("the ärende's journal (handläggare)", f"{arende}/journal"))
        demo.lankar.append(("the uppdrag's journal (utförare; the beställare reads)", f"{up}/journal"))
        # Needs have changed: the utförare tells the beställare, an omprövning is due in 14 days.
        oppen = demo.forandrade_behov(up, akt["arende_id"], "Barnet behöver mer stöd i skolan (demo).")
        demo.lankar.append(("an omprövning from förändrade behov, open", f"/v1/omprovningar/{oppen['id']}"))

    def placerad() -> None:
        # Vård enligt 2 § LVU in a familjehem, placed 100 days ago: its first övervägande (six
        # months) and vårdnadsöverflyttning (two years) are open, with no verkställighet
        # bevakning (34 kap. 1 § SoL is about SoL beslut).
        akt = demo.aktualisering(
            "placerad",
            {"personnummer": "201101012381", "fornamn": "Placerad", "efternamn": "Demo"},
            demo.kl(demo.dag(200), 9),
            typ="ansokan",
        )
        u_path = f"/v1/utredningar/{demo.utredning_id(akt['arende_id'])}"
        demo.command(
            "handlaggare",
            f"{u_path}/avslut",
            u_path,
            "avslut",
            {
                "avslutad_datum": demo.dag(110).isoformat(),
                "resultat": "beslut_om_insats",
                "motivering": "Klar.",
                "barnperspektiv": BARNPERSPEKTIV,
            },
        )
        beslut = demo.create(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utfall": "bifall",
                "insatstyp": "familjehem",
                "placeringsgrund": "lvu_2",
                "rattslig_grund": "1 § tredje stycket, 2 och 11 §§ LVU (1990:52)",
                "beslutsdatum": demo.dag(105).isoformat(),
                "beslutsfattare": "anna",
                "motivering": "Brister i omsorgen; vård i familjehem (demo).",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            "placerad-beslut",
        )
        uppdrag = demo.create(
            "handlaggare",
            "/v1/uppdrag",
            {
                "insats_id": beslut["insats"]["id"],
                "utforare": UTFORARE,
                "behovsbedomning": "Behov av ett tryggt hem.",
                "omfattning": "Vård i familjehem, stöd till familjehemmet.",
                "mal": ["Trygg uppväxt", "Kontakt med föräldrarna"],
                "uppfoljningsform": "Besök i familjehemmet och samtal med barnet",
                "kontaktuppgifter": {"telefon": "070-0000001"},
            },
            "placerad-uppdrag",
        )
        up = f"/v1/uppdrag/{uppdrag['id']}"
        demo.command("utforare", f"{up}/mottagande", up, "mottagande", {"accepterat": True})
        demo.command(
            "utforare",
            f"{up}/verkstallighet",
            up,
            "verkstallighet",
            {"verkstallighetsdatum": demo.dag(100).isoformat()},
        )
        # The familjehem reports changed needs; the handläggare decides anew (a kontaktperson
        # besides the placement) and closes the omprövning with that beslut.
        omprovning = demo.forandrade_behov(up, akt["arende_id"], "Barnet behöver en kontaktperson (demo).")
        nytt = demo.create(
            "handlaggare",
            "/v1/beslut",
            {
                "arende_id": akt["arende_id"],
                "utfall": "bifall",
                "insatstyp": "kontaktperson",
                "rattslig_grund": "13 kap. 7 § SoL (2025:400)",
                "beslutsdatum": idag.isoformat(),
                "beslutsfattare": "anna",
                "motivering": "Omprövning efter förändrade behov: en kontaktperson (demo).",
                "barnperspektiv": BARNPERSPEKTIV,
            },
            "placerad-omprovning-beslut",
        )
        o = f"/v1/omprovningar/{omprovning['id']}"
        demo.command(
            "handlaggare",
            f"{o}/avslut",
            o,
            "avslut",
            {"avslutad_datum": idag.isoformat(), "beslut_id": nytt["id"]},
        )
        demo.lankar.append(("an omprövning closed with a new beslut", o))
        # The vårdplan (9 kap. 12 § SoL (2025:400)), drawn up on the beslut's day, fastställd and
        # communicated two days later; its first revision is due two years after the placement.
        insats = f"/v1/insatser/{beslut['insats']['id']}"
        if not demo.get("handlaggare", f"{insats}/vardplaner")["items"]:
            demo.post_once(
                "handlaggare",
                f"{insats}/vardplaner",
                insats,
                {
                    "upprattad": demo.dag(105).isoformat(),
                    "mal": "En trygg uppväxt; återförening när hemmet kan ge det (demo).",
                    "insatser": "Stöd i skolan, kontakt med BUP.",
                    "umgange": "Varannan helg hos mamma, med stöd.",
                    "synpunkter": "Barnet vill gå kvar i skolan; mamma vill att barnet flyttar hem.",
                    "andra_huvudman": "Regionen: BUP.",
                },
            )
            dag = demo.dag(103).isoformat()
            demo.post_once(
                "handlaggare",
                f"{insats}/vardplaner/1/faststallande",
                insats,
                {"faststalld": dag, "kommunicerad": dag},
            )

    def service() -> None:
        start = demo.dag(10).isoformat()
        insats = demo.create(
            "handlaggare",
            "/v1/serviceinsatser",
            {
                "enhet": ENHET,
                "barn": {"personnummer": "201302032386", "fornamn": "Service", "efternamn": "Demo"},
                "startdatum": start,
                "beskrivning": "Föräldrastöd i grupp (demo).",
                "samtycke": {
                    "givet_av": "vardnadshavare",
                    "vardnadshavare": [{"namn": "Vera Vårdnadshavare"}],
                    "omfattning": ["behandling av personuppgifter"],
                    "giltigt_fran": start,
                },
            },
            "service-insats",
        )
        demo.arenden["service"] = insats["arende_id"]

    child("nyanmald", "anmäld i dag: skyddsbedömning due today", just_anmald)
    child("snart", "förhandsbedömning due in about two days", due_soon)
    child("sen", "förhandsbedömning late (came in 20 days ago)", late)
    child("utredning", "in utredning (four months from the förhandsbedömning)", utredning)
    child("uppdrag", "öppenvård: uppdrag accepted, started, plan established", uppdrag_och_plan)
    child("placerad", "placed: LVU 2 § familjehem, överväganden watched", placerad)
    child("service", "serviceinsats with samtycke, no beslut", service)
    return loaded


def main() -> int:
    base = os.environ.get("CASE_API_URL", "http://127.0.0.1:8000").rstrip("/")
    settings = get_settings()
    tokens = {
        "handlaggare": mint_dev_token(settings, sub="anna", roles=["handlaggare"], enhet=ENHET),
        "utforare": mint_dev_token(settings, sub="olle", roles=["utforare"], utforare=UTFORARE),
    }
    nu = datetime.now(UTC)
    with httpx.Client(base_url=base, timeout=30) as client:
        try:
            client.get("/health/ready").raise_for_status()
        except httpx.HTTPError as exc:
            print(f"case_api is not answering at {base} ({exc}); start it with `make run`.", file=sys.stderr)
            return 2
        demo = Demo(client=client, tokens=tokens, idag=datum.lokal_dag(nu), nu=nu)
        loaded = load(demo)
    forfaller_till = (demo.idag + timedelta(days=7)).isoformat()
    print(f"Demo data for enhet {ENHET} ({demo.skapade} changes made now; 0 means it was all there).\n")
    for what, key in loaded:
        if key in demo.arenden:
            print(f"  {what:58} {base}/v1/arenden/{demo.arenden[key]}")
    if demo.lankar:
        print("\nIn those ärenden:")
    for what, path in demo.lankar:
        print(f"  {what:58} {base}{path}")
    print(f"""
Open (with a token: TOKEN=$(.venv/bin/case-api token --sub anna --role handlaggare --enhet {ENHET})):
  what falls due this week   {base}/v1/bevakningar?forfaller_till={forfaller_till}
  all open bevakningar       {base}/v1/bevakningar?status=oppen
  the open omprövningar      {base}/v1/omprovningar?status=oppen
  the ärenden                {base}/v1/arenden
  the utförare's uppdrag     {base}/v1/uppdrag   (token: --sub olle --role utforare --utforare {UTFORARE})
  the rule table             {base}/v1/regler
  the API docs               {base}/docs
e.g. curl -H "Authorization: Bearer $TOKEN" '{base}/v1/bevakningar?forfaller_till={forfaller_till}'""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
