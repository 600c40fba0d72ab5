import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from case_api.bevakning.schemas import BevakningOut
from case_api.schemas_base import Indata, Utdata

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class OvervagandeIn(Indata):
    """The nämnd's decision about a running placement."""

    regel: Literal["overvagande", "omprovning_lvu", "vardnadsoverflyttning", "jourhem"] = Field(
        description="overvagande (SoL, LVU 2 §), omprovning_lvu (LVU 3 §), vardnadsoverflyttning "
        "(familjehem), jourhem (a longer stay for särskilda skäl)."
    )
    datum: date = Field(description="The day the nämnd considered it.")
    utfall: Literal["fortsatt", "upphor", "ansoka", "ej_ansoka", "forlangd"] = Field(
        description="overvagande, omprovning_lvu: fortsatt or upphor; vardnadsoverflyttning: "
        "ansoka or ej_ansoka; jourhem: forlangd."
    )
    motivering: Text
    ny_sista_dag: date | None = Field(default=None, description="jourhem: the new last day.")


class EfteruppfoljningIn(Indata):
    """Uppföljning after a placement ended: the nämnd's beslut to follow up (SoL), the day a
    prepared återförening happened (LVU), or its end."""

    handelse: Literal["inledd", "aterforening", "avslutad"] = Field(
        description="inledd: the nämnd's beslut on an uppföljning after a SoL placement (23 kap. 2 "
        "§ SoL); aterforening: after vård enligt LVU whose end said the återförening needed "
        "preparing, the day it happened, which opens the uppföljning (21 b § andra stycket LVU); "
        "avslutad: the uppföljning ended."
    )
    datum: date
    motivering: Text


class PlaceringsbeslutOut(Utdata):
    id: uuid.UUID
    insats_id: uuid.UUID
    regel: str
    datum: date
    utfall: str
    motivering: str
    ny_sista_dag: date | None
    registrerad_av: str
    nasta_bevakning: BevakningOut | None = Field(
        description="The bevakning this decision opened (the next interval), if any."
    )


class VardplanIn(Indata):
    """A vårdplan (9 kap. 12 § SoL (2025:400)): the first, or a revision as its next version."""

    upprattad: date = Field(description="The day the plan was drawn up.")
    mal: Text = Field(description="The aim of the care.")
    insatser: Text = Field(description="The particular insatser the care needs.")
    umgange: Text = Field(description="How contact with parents, guardians and others close is arranged.")
    synpunkter: Text = Field(description="The child's and the vårdnadshavare's view of the planned care.")
    andra_huvudman: Text | None = Field(
        default=None,
        description="What other huvudmän (region, school) are responsible for (9 kap. 12 § tredje stycket).",
    )
    orsak: Text | None = Field(
        default=None, description="A revision: why (9 kap. 13 §: revised when needed). Required for one."
    )
    langsiktigt_boende: Text | None = Field(
        default=None,
        description="A revision: the child's långsiktiga boende. The first revision takes it up, or "
        "gives sarskilda_skal against doing so (9 kap. 13 § andra stycket).",
    )
    sarskilda_skal: Text | None = Field(
        default=None,
        description="The first revision only: the särskilda skäl for not taking up the långsiktiga boende.",
    )


class VardplanFaststallandeIn(Indata):
    """The vårdplan fastställd, and the day it was communicated to the child and the vårdnadshavare."""

    faststalld: date
    kommunicerad: date


class VardplanOut(Utdata):
    id: uuid.UUID
    insats_id: uuid.UUID
    version: int = Field(description="1 for the first plan; each revision is the next number.")
    upprattad: date
    mal: str
    insatser: str
    umgange: str
    synpunkter: str
    andra_huvudman: str | None
    orsak: str | None
    langsiktigt_boende: str | None
    sarskilda_skal: str | None
    faststalld: date | None
    kommunicerad: date | None
    registrerad_av: str
    faststalld_av: str | None


class GenomforandeplanRef(Utdata):
    """The genomförandeplan beside the vårdplan (drawn up by the utförare on the uppdrag)."""

    id: uuid.UUID
    uppdrag_id: uuid.UUID
    versionsnummer: int
    status: str
    faststalld_datum: date | None
    upprattad: date = Field(description="The day (Europe/Stockholm) this version was drafted.")


class VardplanLista(Utdata):
    items: list[VardplanOut] = Field(description="Every version, the first first.")
    vardplan_saknas: bool = Field(
        description="The placement needs a vårdplan (familjehem, stödboende, HVB: 9 kap. 12 §) and has none."
    )
    genomforandeplan: GenomforandeplanRef | None = Field(
        description="The latest version of the placement's genomförandeplan, if one was drafted."
    )
    genomforandeplan_ses_over: bool = Field(
        description="The latest vårdplan is a revision, a genomförandeplan existed before it, and no "
        "version of the genomförandeplan has been drafted since: 9 kap. 13 § says it is to be reviewed."
    )
