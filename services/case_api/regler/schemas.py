from pydantic import BaseModel, Field

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
    lag_1930_173: bool = Field(
        description="A last day on a Saturday, Sunday, allmän helgdag, midsommar-, jul- or "
        "nyårsafton moves to the next vardag (lag 1930:173 2 §)."
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
            lag_1930_173=regel.lag_1930_173,
            kan_forlangas=regel.kan_forlangas,
            forlangning=regel.forlangning,
            paminnelser=list(regel.paminnelser),
            kallor=list(regel.kallor),
            anmarkning=regel.anmarkning,
        )


class RegelLista(BaseModel):
    items: list[RegelRead]
