import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from case_api.barnperspektiv import Barnperspektiv
from case_api.schemas_base import Anrop, Indata, Utdata

Text = Annotated[str, Field(min_length=1, max_length=20000)]


class ForlangningIn(Indata):
    beslutsdatum: date
    skal: Text = Field(description="The special reasons (särskilda skäl) for the extension.")
    ny_slutdatum: date = Field(description="The new end date; an extension without one is refused.")


class ForlangningOut(Utdata):
    id: uuid.UUID
    beslutad_av: str
    beslutsdatum: date
    skal: str
    tidigare_slutdatum: date
    ny_slutdatum: date
    sen: bool = Field(description="Registered after the end date it extends.")


class UtredningAvslutIn(Indata):
    avslutad_datum: date
    resultat: Literal["beslut_om_insats", "ingen_insats", "ansokan_aterkallad", "overflyttad", "annat"]
    motivering: Text
    barnperspektiv: Barnperspektiv = Field(
        description="Barnkonsekvensanalys and the child's view (seed 000: in every ärende about a child).",
    )


class UtredningOut(Utdata):
    id: uuid.UUID
    arende_id: uuid.UUID
    enhet: str
    aktualisering_id: uuid.UUID | None
    startdatum: date
    slutdatum: date
    status: str
    resultat: str | None
    barnperspektiv: dict[str, object] | None = None
    avslutad_datum: date | None
    forlangningar: list[ForlangningOut]
    tillatna_kommandon: list[str]
    tillatna_anrop: list[Anrop] = Field(
        default_factory=list, description="The endpoint of each of tillatna_kommandon."
    )
    version: int
