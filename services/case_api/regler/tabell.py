"""The time limits the product watches: one row per rule, with its source. Data, no I/O.

Sources were checked against the statute texts (SoL 2025:400 and LVU 1990:52 as consolidated
in the SFS, lag 1930:173 at lagen.nu) and, for the repealed SoL 2001:453, stored copies of it
and of pages quoting it; docs/regler.md lists what was read where. A paragraph that could not
be read is not cited.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal, get_args

Enhet = Literal["dagar", "veckor", "manader"]
ENHETER: tuple[str, ...] = get_args(Enhet)


class OkandRegel(KeyError):
    """No rule with that id."""


@dataclass(frozen=True)
class Langd:
    antal: int
    enhet: Enhet

    def __post_init__(self) -> None:
        if self.antal < 0:
            raise ValueError(f"a length cannot be negative: {self.antal}")
        if self.enhet not in ENHETER:
            raise ValueError(f"unknown unit {self.enhet!r}; one of {ENHETER}")


def _paminnelser(dagar: Sequence[int]) -> tuple[int, ...]:
    if any(isinstance(d, bool) or not isinstance(d, int) or d < 0 for d in dagar):
        raise ValueError(f"reminder days must be whole days >= 0, got {list(dagar)}")
    return tuple(sorted(set(dagar), reverse=True))


@dataclass(frozen=True)
class Regel:
    id: str
    namn: str
    startar: str
    uppfylls_av: str
    langd: Langd
    lag_1930_173: bool
    kan_forlangas: bool
    kallor: tuple[str, ...]
    # Left out of the hash (a mapping has none) so rules can be set members and cache keys.
    langd_per_insatstyp: Mapping[str, Langd] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    # The length of every later interval, when it differs from the first (vårdnadsöverflyttning:
    # two years from the placement, then each year from the last övervägande).
    langd_darefter: Langd | None = None
    forlangning: str | None = None
    # Days before the due date to remind (0 = on the due date), largest first.
    paminnelser: tuple[int, ...] = (7, 1)
    anmarkning: str | None = None
    # Why a last day on a fridag stands, for a rule lag (1930:173) does not move: said in
    # every explanation of such a date (GET /v1/regler/{id}/berakning).
    flyttas_inte: str | None = None
    # A rule whose start is later in some cases (the uppföljning after vård enligt LVU, after a
    # prepared återförening): why, said in the explanation of such a bevakning's date in place
    # of the plain start day (its bevakning, and link, carry darefter=true).
    senare_start: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "paminnelser", _paminnelser(self.paminnelser))
        object.__setattr__(self, "langd_per_insatstyp", MappingProxyType(dict(self.langd_per_insatstyp)))
        if self.kan_forlangas != (self.forlangning is not None):
            raise ValueError(f"{self.id}: forlangning says how to extend, exactly when kan_forlangas")
        if not self.kallor:
            raise ValueError(f"{self.id}: a rule without a source")
        if self.lag_1930_173 == (self.flyttas_inte is not None):
            raise ValueError(f"{self.id}: flyttas_inte says why a date is not moved, exactly when it is not")

    def langd_for(self, insatstyp: str | None, *, darefter: bool = False) -> Langd:
        """The length for that insatstyp (or of a later interval), else the rule's own."""
        if darefter and self.langd_darefter is not None:
            return self.langd_darefter
        if insatstyp is None:
            return self.langd
        return self.langd_per_insatstyp.get(insatstyp, self.langd)


# Every statutory row names the paragraph of the law in force first: socialtjänstlagen
# (2025:400), in force since 1 July 2025, which repealed SoL (2001:453) without keeping the old
# law for an ärende under way (övergångsbestämmelse 2; 5-6 keep it only for återkrav and for
# appeals of earlier beslut). The old paragraph follows, for beslut and texts that cite it.
SOL = "socialtjänstlagen (2025:400)"
SOL_2001 = "socialtjänstlagen (2001:453)"
LAG_1930_173 = "Lag (1930:173) om beräkning av lagstadgad tid"
LVU = "lagen (1990:52) med särskilda bestämmelser om vård av unga (LVU)"

_REGLER: tuple[Regel, ...] = (
    Regel(
        id="skyddsbedomning",
        namn="Skyddsbedömning",
        startar="En anmälan om ett barn har kommit in (aktualiseringens inkom, dagen i Stockholm).",
        uppfylls_av="Skyddsbedömningen är dokumenterad.",
        langd=Langd(0, "dagar"),
        lag_1930_173=False,
        flyttas_inte=(
            "genast betyder samma dag, också en lördag eller helgdag: ett barn kan behöva skydd samma dag"
        ),
        kan_forlangas=False,
        paminnelser=(0,),
        kallor=(
            f"20 kap. 1 § {SOL}: socialnämnden ska genast bedöma om barnet eller den unge behöver "
            "omedelbart skydd; bedömningen ska dokumenteras",
            f"11 kap. 1 a § första stycket {SOL_2001} (upphävd 1 juli 2025)",
            "Prop. 2012/13:10 s. 60: samma dag som anmälan kommer in, senast dagen efter om den "
            "kom in sent på dagen",
        ),
        anmarkning=(
            "Genast: förfallodagen är dagen anmälan kom in och flyttas aldrig, inte heller en "
            "lördag eller helgdag, eftersom ett barn kan behöva skydd samma dag."
        ),
    ),
    Regel(
        id="forhandsbedomning",
        namn="Förhandsbedömning",
        startar=(
            "En anmälan om ett barn har kommit in (inkom, dagen i Stockholm), om ingen utredning "
            "om barnet redan pågår."
        ),
        uppfylls_av="Beslut att inleda eller inte inleda utredning är fattat.",
        langd=Langd(14, "dagar"),
        lag_1930_173=True,
        kan_forlangas=True,
        forlangning=(
            "Endast om det finns synnerliga skäl: arbetsledaren beslutar om förlängning före "
            "förhandsbedömningen, med skälen och den nya sista dagen. Arbetsanhopning eller "
            "brist på personal är inte synnerliga skäl."
        ),
        kallor=(
            f"20 kap. 2 § {SOL}: beslut om att inleda eller inte inleda utredning inom fjorton "
            "dagar efter att anmälan kom in; tiden får endast förlängas om det finns synnerliga skäl",
            f"11 kap. 1 a § andra stycket {SOL_2001} (upphävd 1 juli 2025)",
            f"{LAG_1930_173}, 2 §",
        ),
        anmarkning=(
            "Ett beslut efter förfallodagen utan föregående förlängning ska ange de synnerliga "
            "skälen i förhandsbedömningen själv."
        ),
    ),
    Regel(
        id="utredning",
        namn="Utredning (barn och unga)",
        startar="Utredningen inleddes; för en ansökan: ansökans inkom (dagen i Stockholm).",
        uppfylls_av="Utredningen är avslutad.",
        langd=Langd(4, "manader"),
        lag_1930_173=True,
        kan_forlangas=True,
        forlangning=(
            "Om det finns särskilda skäl får socialnämnden besluta att förlänga utredningen för "
            "viss tid: beslutet anger skälet och det nya slutdatumet."
        ),
        paminnelser=(30, 14, 7, 1),
        kallor=(
            f"20 kap. 3 § {SOL}: utredningen ska bedrivas skyndsamt och vara slutförd inom fyra "
            "månader från det att den inleddes; särskilda skäl: förlängning för viss tid",
            f"11 kap. 2 § andra stycket {SOL_2001} (upphävd 1 juli 2025)",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
    ),
    Regel(
        id="verkstallighet",
        namn="Verkställighet av beslut",
        startar="Beslutsdatum för ett gynnande beslut (eller den dag verkställigheten avbröts).",
        uppfylls_av="Utföraren har rapporterat verkställighetsdatum (eller att insatsen återupptagits).",
        langd=Langd(3, "manader"),
        lag_1930_173=False,
        flyttas_inte=(
            "tre månader är gränsen för rapport till IVO, ingen tid inom vilken en åtgärd ska vidtas"
        ),
        kan_forlangas=False,
        paminnelser=(30, 7, 1),
        kallor=(
            f"34 kap. 1 § {SOL}: ett gynnande beslut som inte verkställts inom tre månader från "
            "dagen för beslutet (eller på nytt inom tre månader från avbrottet) rapporteras till "
            "Inspektionen för vård och omsorg (IVO) och revisorerna, en gång per kvartal",
            f"34 kap. 2 § {SOL}: när beslutet sedan verkställts anmäls det, med datum",
            f"34 kap. 3 § {SOL}: statistikrapport till kommunfullmäktige per kvartal",
            f"16 kap. 6 f § {SOL_2001} (upphävd 1 juli 2025)",
            "Seed 001, Uppdrag och kvalitetskrav – öppenvård: ej verkställt eller ej nyttjat inom "
            "tre månader meddelas beställaren för omprövning",
        ),
        anmarkning=(
            "Tre månader är en rapporteringsgräns, ingen frist för en åtgärd; beslutet ska "
            "verkställas skyndsamt. Lag (1930:173) tillämpas därför inte."
        ),
    ),
    Regel(
        id="genomforandeplan",
        namn="Genomförandeplan",
        startar="Verkställighetsdatum som utföraren rapporterat.",
        uppfylls_av="Genomförandeplanen är fastställd.",
        langd=Langd(3, "veckor"),
        lag_1930_173=False,
        flyttas_inte="tre veckor är nämndens eget kvalitetskrav, ingen lagstadgad tid",
        kan_forlangas=False,
        kallor=(
            "Seed 001, Uppdrag och kvalitetskrav – öppenvård: genomförandeplanen ska upprättas "
            "inom tre veckor från verkställighetsdatum",
            f"14 kap. 3 § {SOL}: genomförandet av insatser ska dokumenteras",
            f"11 kap. 5 § {SOL_2001} (upphävd 1 juli 2025) och 6 kap. 5 § SOSFS 2014:5 (att en "
            "genomförandeplan dokumenteras)",
        ),
        anmarkning=(
            "Tre veckor är nämndens kvalitetskrav i uppdraget till utföraren, inte lag; datumet "
            "flyttas därför inte."
        ),
    ),
    Regel(
        id="uppfoljning",
        namn="Uppföljning av insats och genomförandeplan",
        startar="Genomförandeplanen fastställdes, därefter varje dokumenterad uppföljning.",
        uppfylls_av="Nästa uppföljning är dokumenterad.",
        langd=Langd(6, "manader"),
        langd_per_insatstyp={"kontaktfamilj": Langd(12, "manader")},
        lag_1930_173=False,
        flyttas_inte="intervallet är nämndens eget kvalitetskrav, ingen lagstadgad tid",
        kan_forlangas=False,
        paminnelser=(30, 7),
        kallor=(
            "Seed 001, Uppdrag och kvalitetskrav – öppenvård: genomförandeplanen följs upp minst "
            "var sjätte månad",
            "Seed 004, Uppdrag och kvalitetskrav – kontaktfamilj: beslutad insats och "
            "genomförandeplan följs upp minst en gång per år",
            f"23 kap. 6 § {SOL}: insatser i form av kontaktperson och kontaktfamilj till barn och "
            "unga ska följas upp kontinuerligt (utan tidsangivelse)",
            f"3 kap. 6 c § {SOL_2001} (upphävd 1 juli 2025), som seed 004 hänvisar till",
        ),
        anmarkning=(
            "Intervallen är nämndens kvalitetskrav, inte lag; datumet flyttas därför inte. "
            "Kontaktfamilj: 12 månader, övriga insatser: 6 månader."
        ),
    ),
    Regel(
        id="lex_sarah_utredning",
        namn="Utredning av lex Sarah-rapport",
        startar=(
            "En rapport om missförhållande eller påtaglig risk för missförhållande (lex Sarah) "
            "har tagits emot."
        ),
        uppfylls_av="Utredningen är avslutad med beslut eller ställningstagande.",
        langd=Langd(14, "dagar"),
        lag_1930_173=False,
        flyttas_inte="lagen säger genast och anger inga dagar; fristen är nämndens eget kvalitetskrav",
        kan_forlangas=False,
        kallor=(
            f"27 kap. 5 § {SOL}: ett missförhållande eller en påtaglig risk för ett "
            "missförhållande ska genast dokumenteras och utredas samt avhjälpas eller undanröjas",
            f"14 kap. 3–6 §§ {SOL_2001} (upphävd 1 juli 2025; där: utan dröjsmål)",
            "SOSFS 2011:5 om lex Sarah, 5 kap. (vad utredningen ska dokumentera)",
            "Seed 002, Ledningssystem för systematiskt kvalitetsarbete: rapporter enligt lex Sarah "
            "utreds och redovisas för nämnden",
        ),
        anmarkning=(
            "Lagen säger genast och anger ingen dagfrist: 14 dagar är nämndens eget "
            "kvalitetskrav (LEX_SARAH_UTREDNING_DAGAR), inte lag, och datumet flyttas därför "
            "inte. Utredningen ska påbörjas genast; fristen gäller när den ska vara avslutad."
        ),
    ),
    Regel(
        id="aterkoppling_anmalare",
        namn="Återkoppling till anmälaren",
        startar=(
            "Beslutet att inleda eller inte inleda utredning, när anmälaren har begärt återkoppling "
            "före det (begäran registrerad på aktualiseringen)."
        ),
        uppfylls_av="Återkopplingen är lämnad, eller beslutet att den är olämplig är registrerat med skäl.",
        langd=Langd(1, "veckor"),
        lag_1930_173=True,
        kan_forlangas=False,
        paminnelser=(2, 0),
        kallor=(
            f"19 kap. 6 § andra stycket {SOL} i lydelse enligt SFS 2025:1501 (i kraft 15 januari "
            "2026): på begäran ska anmälaren få veta om utredning inletts, inte inletts eller redan "
            "pågår, om det inte är olämpligt, senast en vecka efter beslutet om att inleda eller inte "
            "inleda utredning",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
        anmarkning=(
            "Gäller anmälningar enligt 19 kap. 1–3 §§. Före 15 januari 2026 fick nämnden lämna "
            "informationen, och skulle göra det på begäran, men utan tidsgräns. Kommer begäran "
            "senare, eller pågår redan en utredning, gäller aterkoppling_anmalare_genast."
        ),
    ),
    Regel(
        id="aterkoppling_anmalare_genast",
        namn="Återkoppling till anmälaren (begäran efter beslutet)",
        startar=(
            "Anmälarens begäran om återkoppling, när den kommer in efter beslutet om att inleda eller "
            "inte inleda utredning, eller när en utredning om barnet redan pågår."
        ),
        uppfylls_av="Återkopplingen är lämnad, eller beslutet att den är olämplig är registrerat med skäl.",
        langd=Langd(0, "dagar"),
        lag_1930_173=False,
        flyttas_inte="genast betyder samma dag; lagen ger här ingen tid som kan räknas och flyttas",
        kan_forlangas=False,
        paminnelser=(0,),
        kallor=(
            f"19 kap. 6 § andra stycket sista meningen {SOL} i lydelse enligt SFS 2025:1501: om "
            "begäran kommer in efter beslutet eller om en utredning redan pågår ska informationen "
            "lämnas genast",
        ),
    ),
    Regel(
        id="omprovning",
        namn="Omprövning av beslut",
        startar=(
            "Utföraren har rapporterat förändrade behov eller att insatsen inte verkställts, eller "
            "systemet har funnit beslutet ej verkställt inom tre månader (omprövningen öppnades)."
        ),
        uppfylls_av=(
            "Omprövningen är avslutad: med det nya beslutet, eller med skälen till att inget nytt "
            "beslut behövdes."
        ),
        langd=Langd(14, "dagar"),
        lag_1930_173=False,
        flyttas_inte="tiden är nämndens eget kvalitetskrav, ingen lagstadgad tid",
        kan_forlangas=False,
        paminnelser=(7, 1),
        kallor=(
            "Seed 001, Uppdrag och kvalitetskrav – öppenvård, Ej verkställda beslut: om uppdraget "
            "inte verkställs eller insatsen inte nyttjas inom tre månader ska utföraren meddela "
            "beställaren för omprövning av beslut",
            "Seed 001, Förändrade behov: gemensamma rutiner med beställaren för återkoppling vid "
            "förändrade behov",
            "Seed 000, Uppdrag och kvalitetskrav – service, Förändrade behov: finns skäl för någon "
            "form av prövning ska verksamheten informera handläggaren",
        ),
        anmarkning=(
            "Ingen paragraf i socialtjänstlagen (2025:400) som lästs anger en tid för omprövningen; "
            "seederna kräver att den görs men anger ingen tid. 14 dagar är nämndens eget "
            "kvalitetskrav (OMPROVNING_DAGAR), inte lag, och datumet flyttas därför inte."
        ),
    ),
    Regel(
        id="overvagande",
        namn="Övervägande av vård utanför det egna hemmet",
        startar=(
            "Placeringen verkställdes (verkställighetsdatum för familjehem, jourhem, HVB eller "
            "stödboende enligt SoL eller LVU 2 §), därefter varje dokumenterat övervägande."
        ),
        uppfylls_av=(
            "Nämndens övervägande om vården fortfarande behövs och hur den bör inriktas och utformas."
        ),
        langd=Langd(6, "manader"),
        lag_1930_173=True,
        kan_forlangas=False,
        paminnelser=(30, 7, 1),
        kallor=(
            f"22 kap. 13 § {SOL}: om ett barn vårdas i ett annat hem än det egna med stöd av lagen "
            "ska socialnämnden minst en gång var sjätte månad överväga om vården fortfarande behövs "
            "och hur den bör inriktas och utformas",
            f"13 § första stycket {LVU}: vård med stöd av 2 § övervägs minst en gång var sjätte månad",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
        anmarkning=(
            "Gäller placeringar enligt SoL och enligt LVU 2 §; vård enligt LVU 3 § prövas i stället "
            "(omprovning_lvu). Nästa period räknas från det senaste övervägandet."
        ),
    ),
    Regel(
        id="omprovning_lvu",
        namn="Omprövning av vård enligt LVU 3 §",
        startar=(
            "Verkställigheten av vårdbeslutet enligt LVU 3 § (verkställighetsdatum), därefter varje "
            "dokumenterad prövning."
        ),
        uppfylls_av="Nämndens prövning av om vården med stöd av LVU ska upphöra.",
        langd=Langd(6, "manader"),
        lag_1930_173=True,
        kan_forlangas=False,
        paminnelser=(30, 7, 1),
        kallor=(
            f"13 § andra stycket {LVU}: inom sex månader från dagen för verkställighet av "
            "vårdbeslutet pröva om vården ska upphöra; därefter fortlöpande inom sex månader från "
            "senaste prövning",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
    ),
    Regel(
        id="vardnadsoverflyttning",
        namn="Övervägande om vårdnadsöverflyttning",
        startar=(
            "Placeringen i familjehemmet verkställdes (två år), därefter varje dokumenterat "
            "övervägande (ett år)."
        ),
        uppfylls_av=(
            "Nämndens särskilda övervägande om det finns skäl att ansöka om överflyttning av "
            "vårdnaden enligt 6 kap. 8 § föräldrabalken."
        ),
        langd=Langd(24, "manader"),
        langd_darefter=Langd(12, "manader"),
        lag_1930_173=True,
        kan_forlangas=False,
        paminnelser=(30, 7, 1),
        kallor=(
            f"22 kap. 14 § {SOL}: när ett barn har varit placerat i samma familjehem under två år "
            "från det att placeringen verkställdes ska nämnden särskilt överväga om det finns skäl "
            "att ansöka om överflyttning av vårdnaden; därefter årligen",
            f"13 c § {LVU}: detsamma för den som vårdas med stöd av LVU",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
        anmarkning=(
            "Gäller bara familjehem, och bara samma familjehem: en ny placering börjar räkna om. "
            "Första gången 24 månader efter verkställigheten, därefter 12 månader efter det "
            "senaste övervägandet."
        ),
    ),
    Regel(
        id="jourhem",
        namn="Vård i jourhem efter avslutad utredning",
        startar=(
            "Nämnden avslutade utredningen om barnets behov av skydd eller stöd medan barnet vårdas "
            "i jourhem (eller placeringen i jourhem verkställdes efter en redan avslutad utredning)."
        ),
        uppfylls_av="Placeringen i jourhemmet har upphört (insatsen avslutad).",
        langd=Langd(2, "manader"),
        lag_1930_173=False,
        flyttas_inte=(
            "två månader är den längsta tid barnet får vårdas i jourhemmet, ingen tid för en åtgärd "
            "som kan vänta till nästa vardag"
        ),
        kan_forlangas=True,
        forlangning=(
            "Om det finns särskilda skäl får barnet vårdas längre i jourhemmet: nämndens beslut "
            "anger skälen och den nya sista dagen."
        ),
        paminnelser=(30, 14, 7, 1),
        kallor=(
            f"22 kap. 4 § andra stycket {SOL}: ett barn får vårdas i ett jourhem i högst två månader "
            "efter det att socialnämnden har avslutat en utredning av om nämnden behöver ingripa "
            "till barnets skydd eller stöd; om det finns särskilda skäl får barnet vårdas längre",
        ),
        anmarkning=(
            "En yttersta gräns för en vistelse, inte en frist för en åtgärd: datumet flyttas "
            "inte. Bevakningen öppnas först när utredningen är avslutad."
        ),
    ),
    Regel(
        id="uppfoljning_efter_vard",
        namn="Uppföljning efter avslutad placering",
        startar=(
            "Placeringen upphörde: vård enligt LVU (följs alltid upp för den som är under 18 år; "
            "behövde återföreningen med vårdnadshavaren förberedas, dagen den skedde), eller "
            "familjehem eller HVB enligt SoL när nämnden beslutat om uppföljning."
        ),
        uppfylls_av="Uppföljningen är avslutad och dokumenterad.",
        langd=Langd(6, "manader"),
        lag_1930_173=False,
        flyttas_inte=(
            "sex månader är den längsta tid uppföljningen får pågå, också utan samtycke; en flyttad "
            "dag skulle förlänga den"
        ),
        kan_forlangas=False,
        paminnelser=(30, 7),
        kallor=(
            f"23 kap. 2 § {SOL}: när placeringen i familjehem, skyddat boende eller hem för vård "
            "eller boende har upphört kan nämnden besluta om uppföljning av barnets situation",
            f"23 kap. 5 § {SOL}: uppföljningen ska avslutas senast sex månader från det att "
            "placeringen har upphört (eller när nämnden dessförinnan inleder en utredning)",
            f"21 b § {LVU}: när vården upphör ska nämnden följa upp situationen för den som är under "
            "18 år (efter en förberedd återförening: först när den har skett)",
            f"21 c § tredje stycket {LVU}: uppföljningen ska avslutas senast sex månader från det att "
            "den inleddes",
        ),
        anmarkning=(
            "Räknas från den dag placeringen upphörde. Efter vård enligt LVU, när den unge ska "
            "återförenas med vårdnadshavaren och återföreningen behöver förberedas, inleds "
            "uppföljningen först när återföreningen har skett, och de sex månaderna räknas från "
            "den dagen (21 b § andra stycket och 21 c § tredje stycket LVU). Socialtjänstlagens "
            "23 kap. 5 § har ingen sådan regel: efter en SoL-placering räknas alltid från "
            "placeringens slut."
        ),
        senare_start=(
            "återföreningen med vårdnadshavaren behövde förberedas, så uppföljningen inleddes "
            "först när den hade skett (21 b § andra stycket LVU) och de sex månaderna räknas från "
            "den dagen, inte från vårdens slut (21 c § tredje stycket LVU)"
        ),
    ),
    Regel(
        id="vardplan",
        namn="Vårdplan",
        startar=("Beslutet om vård i familjehem, stödboende eller HVB (enligt SoL eller LVU), beslutsdagen."),
        uppfylls_av="Den första vårdplanen är upprättad (POST /v1/insatser/{id}/vardplaner).",
        langd=Langd(0, "dagar"),
        lag_1930_173=False,
        flyttas_inte=(
            "lagen anger ingen tid för vårdplanen; att den ska finnas när vården beslutas är "
            "nämndens eget kvalitetskrav, ingen lagstadgad tid"
        ),
        kan_forlangas=False,
        paminnelser=(0,),
        kallor=(
            f"9 kap. 12 § första stycket {SOL}: om en enskild behöver vårdas i ett familjehem, "
            "stödboende, skyddat boende eller hem för vård eller boende ska nämnden upprätta en "
            "vårdplan; andra stycket: för barn och unga också en genomförandeplan; tredje stycket: "
            "av planerna ska framgå vilka åtgärder andra huvudmän har ansvar för",
            f"4 § {LVU}: nämndens ansökan om vård ska redogöra för den vård nämnden avser att anordna",
        ),
        anmarkning=(
            "Lagen anger ingen tid för när vårdplanen ska vara upprättad. Bevakningen är nämndens "
            "eget kvalitetskrav: planen för vården hör till beslutet om den (för LVU redan till "
            "ansökan), så bevakningen förfaller beslutsdagen och en placering utan vårdplan syns "
            "som försenad dagen efter. Jourhem nämns inte i 9 kap. 12 § och bevakas inte."
        ),
    ),
    Regel(
        id="vardplan_revidering",
        namn="Första revideringen av vårdplanen",
        startar="Placeringen verkställdes (familjehem, stödboende eller HVB, enligt SoL eller LVU).",
        uppfylls_av=(
            "Vårdplanen är reviderad (en ny version), och revideringen tar upp barnets långsiktiga "
            "boende eller anger de särskilda skälen mot det."
        ),
        langd=Langd(24, "manader"),
        lag_1930_173=True,
        kan_forlangas=False,
        paminnelser=(30, 7, 1),
        kallor=(
            f"9 kap. 13 § första stycket {SOL}: en vårdplan ska revideras vid behov; revideras den, "
            "och finns en genomförandeplan, ska även den ses över",
            f"9 kap. 13 § andra stycket {SOL}: den första revideringen av ett barns vårdplan ska "
            "ske senast när barnet har varit placerat i två år och då, om inte särskilda skäl "
            "talar emot det, särskilt ta upp frågan om barnets långsiktiga boende",
            f"{LAG_1930_173}, 1 och 2 §§",
        ),
        anmarkning=(
            "En åtgärd inom en lagstadgad tid: sista dagen flyttas enligt lag (1930:173) 2 §. "
            "Varje revidering före dess är den första och uppfyller bevakningen."
        ),
    ),
    Regel(
        id="ej_nyttjad",
        namn="Insats som inte nyttjas",
        startar=(
            "Den sista dag barnet, den unge eller familjen nyttjade en verkställd insats, som "
            "utföraren rapporterar."
        ),
        uppfylls_av="Utföraren har meddelat beställaren, och en omprövning av beslutet är öppnad.",
        langd=Langd(3, "manader"),
        lag_1930_173=False,
        flyttas_inte="tre månader är nämndens eget kvalitetskrav i uppdraget, ingen lagstadgad tid",
        kan_forlangas=False,
        paminnelser=(),
        kallor=(
            "Seed 001, Uppdrag och kvalitetskrav – öppenvård: om barnet, den unge eller familjen "
            "inte nyttjar insatsen inom tre månader ska utföraren meddela beställaren för omprövning "
            "av beslut",
        ),
        anmarkning=(
            "Utföraren kan meddela först när tre månader gått sedan insatsen senast nyttjades "
            "(POST /v1/uppdrag/{id}/ej-nyttjad). Insatsen är verkställd: den rapporteras inte "
            "till IVO som ej verkställd, men prövas på nytt som ett ej verkställt beslut."
        ),
    ),
    Regel(
        id="sip_uppfoljning",
        namn="Uppföljning av samordnad individuell plan (SIP)",
        startar=("Den dag som SIP:en (eller dess senaste uppföljning) bestämde för nästa uppföljning."),
        uppfylls_av="Uppföljningen är registrerad (POST /v1/sip/{id}/uppfoljning).",
        langd=Langd(0, "dagar"),
        lag_1930_173=False,
        flyttas_inte="dagen är den som parterna i planen själva bestämde, ingen lagstadgad tid",
        kan_forlangas=False,
        paminnelser=(),
        kallor=(
            f"10 kap. 8 § {SOL}: kommunen och regionen upprättar en individuell plan när den "
            "enskilde behöver insatser från både socialtjänsten och hälso- och sjukvården, om någon "
            "av dem bedömer att den behövs och den enskilde samtycker; planen anger vem som ansvarar "
            "för vad och vilken huvudman som har det övergripande ansvaret",
            f"10 kap. 9 § {SOL}: planen upprättas tillsammans med den enskilde när det är möjligt",
            f"2 kap. 7 § {SOL_2001} (upphävd 1 juli 2025)",
            "16 kap. 4 § hälso- och sjukvårdslagen (2017:30), regionens motsvarande skyldighet",
            "Seed 000, 001 och 004: verksamheten och utföraren ska initiera eller medverka till SIP",
        ),
        anmarkning=(
            "Ingen läst paragraf anger när en SIP ska följas upp: dagen är planens egen, och att "
            "den bevakas är nämndens kvalitetskrav, inte lag. Bevakningen förfaller den dagen och "
            "är försenad dagen efter; datumet flyttas inte."
        ),
    ),
)

REGLER: Mapping[str, Regel] = MappingProxyType({r.id: r for r in _REGLER})


def regel(id: str) -> Regel:
    """The rule with that id from the default table."""
    try:
        return REGLER[id]
    except KeyError:
        raise OkandRegel(id) from None


def regler_med_installningar(
    paminnelser: Mapping[str, Sequence[int]], lex_sarah_dagar: int, omprovning_dagar: int = 14
) -> Mapping[str, Regel]:
    """The table with the nämnd's settings: reminder days per rule, the lex Sarah and the
    omprövning lengths.

    An unknown rule id or a bad value raises (OkandRegel, ValueError): a typo in the
    configuration should stop the service at start, not silently watch the defaults.
    """
    okanda = sorted(set(paminnelser) - set(REGLER))
    if okanda:
        raise OkandRegel(", ".join(okanda))
    if isinstance(lex_sarah_dagar, bool) or lex_sarah_dagar < 1:
        raise ValueError(f"LEX_SARAH_UTREDNING_DAGAR must be at least 1, got {lex_sarah_dagar}")
    if isinstance(omprovning_dagar, bool) or omprovning_dagar < 1:
        raise ValueError(f"OMPROVNING_DAGAR must be at least 1, got {omprovning_dagar}")
    tabell = dict(REGLER)
    for regel_id, dagar in paminnelser.items():
        tabell[regel_id] = replace(tabell[regel_id], paminnelser=tuple(dagar))
    tabell["lex_sarah_utredning"] = replace(
        tabell["lex_sarah_utredning"], langd=Langd(lex_sarah_dagar, "dagar")
    )
    tabell["omprovning"] = replace(tabell["omprovning"], langd=Langd(omprovning_dagar, "dagar"))
    return MappingProxyType(tabell)
