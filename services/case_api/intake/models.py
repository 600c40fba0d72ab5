import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Aktualisering(CaseTable, table=True):
    """How a matter reached the nämnd: anmälan, ansökan or övrig information."""

    __tablename__ = "aktualisering"

    id: uuid.UUID = pk()
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_(index=True)
    typ: str = text_()
    inkom: datetime = tid()
    inkom_dag: date  # the day in Europe/Stockholm: what the clocks count from
    kalla: dict[str, Any] = jsonb()
    beskrivning: str = text_()
    status: str = text_()
    ansluten_utredning_id: uuid.UUID | None = None  # no FK: utredning refers back here
    registrerad_av: str = text_()
    version: int = 1
    created_at: datetime = tid()


class Skyddsbedomning(CaseTable, table=True):
    __tablename__ = "skyddsbedomning"

    id: uuid.UUID = pk()
    aktualisering_id: uuid.UUID = ref("aktualisering.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_()
    bedomd_at: datetime = tid()
    bedomd_av: str = text_()
    omedelbart_skydd: bool
    motivering: str = text_()
    created_at: datetime = tid()


class Forhandsbedomning(CaseTable, table=True):
    __tablename__ = "forhandsbedomning"

    id: uuid.UUID = pk()
    aktualisering_id: uuid.UUID = ref("aktualisering.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_()
    beslut: str = text_()  # inled_utredning | inled_ej_utredning
    beslutsdatum: date
    motivering: str = text_()
    synnerliga_skal: str | None = text_(nullable=True)
    beslutad_av: str = text_()
    created_at: datetime = tid()


class ForhandsbedomningForlangning(CaseTable, table=True):
    """A recorded decision extending the förhandsbedömning for synnerliga skäl (20 kap. 2 § SoL
    (2025:400)): the reasons and the new last day, decided before the förhandsbedömning itself."""

    __tablename__ = "forhandsbedomning_forlangning"

    id: uuid.UUID = pk()
    aktualisering_id: uuid.UUID = ref("aktualisering.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_()
    beslutad_av: str = text_()
    beslutsdatum: date
    synnerliga_skal: str = text_()
    tidigare_forfallodatum: date
    ny_forfallodatum: date
    # Decided after the limit it extends had already run out.
    sen: bool
    created_at: datetime = tid()


class Aterkoppling(CaseTable, table=True):
    """The anmälare's request to hear whether an utredning was opened (19 kap. 6 § SoL (2025:400)),
    and what was done with it: at most one per aktualisering."""

    __tablename__ = "aterkoppling"

    id: uuid.UUID = pk()
    aktualisering_id: uuid.UUID = ref("aktualisering.id")
    arende_id: uuid.UUID = ref("arende.id")
    enhet: str = text_()
    status: str = text_(default="begard")
    begard_datum: date
    registrerad_av: str = text_()
    lamnad_datum: date | None = None
    # Why it was not given (olämpligt med hänsyn till omständigheterna); None when given.
    skal_ej_lamnad: str | None = text_(nullable=True)
    created_at: datetime = tid()
