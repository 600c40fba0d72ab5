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
    """Uppföljning after a placement ended: the nämnd's beslut to follow up (SoL), or its end."""

    handelse: Literal["inledd", "avslutad"]
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
