from datetime import date

from pydantic import BaseModel, Field

from case_api.regler.datum import Berakning, StegTyp
from case_api.regler.tabell import Enhet, Langd, Regel


class LangdRead(BaseModel):
    antal: int = Field(ge=0, examples=[14])
    enhet: Enhet

    @classmethod
    def of(cls, langd: Langd) -> "LangdRead":
        return cls(antal=langd.antal, enhet=langd.enhet)


class RegelRead(BaseModel):
    """One time limit: what starts and meets it, how long it is, and where that comes from."""

    id: str = Field(examples=["forhandsbedomning"])
    namn: str
    startar: str
    uppfylls_av: str
    langd: LangdRead
    langd_per_insatstyp: dict[str, LangdRead] = Field(
        description="Lengths that differ by insatstyp; others use `langd`."
    )
    langd_darefter: LangdRead | None = Field(
        description="The length of every later interval (from the last övervägande), when it "
        "differs from the first."
    )
    lag_1930_173: bool = Field(
        description="A last day on a Saturday, Sunday, allmän helgdag, midsommar-, jul- or "
        "nyårsafton moves to the next vardag (lag 1930:173 2 §)."
    )
    flyttas_inte: str | None = Field(
        description="Why a last day on a fridag stands, for a rule lag (1930:173) does not move."
    )
    senare_start: str | None = Field(
        description="When the rule starts later than its usual start, and why (its bevakningar "
        "then carry darefter=true, and the berakning explains the later start)."
    )
    kan_forlangas: bool
    forlangning: str | None = Field(description="How a decision can extend it, when it can.")
    paminnelser: list[int] = Field(description="Days before the due date when a reminder is sent.")
    kallor: list[str]
    anmarkning: str | None

    @classmethod
    def of(cls, regel: Regel) -> "RegelRead":
        return cls(
            id=regel.id,
            namn=regel.namn,
            startar=regel.startar,
            uppfylls_av=regel.uppfylls_av,
            langd=LangdRead.of(regel.langd),
            langd_per_insatstyp={k: LangdRead.of(v) for k, v in regel.langd_per_insatstyp.items()},
            langd_darefter=LangdRead.of(regel.langd_darefter) if regel.langd_darefter else None,
            lag_1930_173=regel.lag_1930_173,
            flyttas_inte=regel.flyttas_inte,
            senare_start=regel.senare_start,
            kan_forlangas=regel.kan_forlangas,
            forlangning=regel.forlangning,
            paminnelser=list(regel.paminnelser),
            kallor=list(regel.kallor),
            anmarkning=regel.anmarkning,
        )


class RegelLista(BaseModel):
    items: list[RegelRead]


class StegRead(BaseModel):
    typ: StegTyp = Field(
        description="startdag; langd (the length added); manadsslut (a month end clamped); fridag "
        "(a day passed, with its name); flyttad (the next vardag, lag 1930:173 2 §); vardag (the "
        "last day needs no move); ej_flyttad (the rule's date is not moved, and why)."
    )
    datum: date
    text: str = Field(examples=["onsdag 24 december 2025 (2025-12-24) är julafton: ingen vardag."])
    namn: str | None = Field(description="The name of the fridag the step is about, if any.")


class BerakningRead(BaseModel):
    """How a rule's due date follows from a start: the same computation the bevakningar use."""

    regel_id: str
    start: str = Field(description="The start as given: a date, or an RFC 3339 time with offset.")
    startdag: date = Field(description="The start's calendar day in Europe/Stockholm.")
    insatstyp: str | None
    darefter: bool = Field(description="A later interval of a recurring rule, or a rule's later start.")
    forfallodatum: date
    steg: list[StegRead]
    kallor: list[str]

    @classmethod
    def of(
        cls, regel: Regel, start: str, insatstyp: str | None, b: Berakning, *, darefter: bool = False
    ) -> "BerakningRead":
        return cls(
            regel_id=regel.id,
            start=start,
            startdag=b.startdag,
            insatstyp=insatstyp,
            darefter=darefter,
            forfallodatum=b.forfallodatum,
            steg=[StegRead(typ=s.typ, datum=s.datum, text=s.text, namn=s.namn) for s in b.steg],
            kallor=list(regel.kallor),
        )
