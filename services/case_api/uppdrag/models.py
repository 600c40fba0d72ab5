import uuid
from datetime import date, datetime
from typing import Any

from case_api.columns import jsonb, pk, ref, text_, tid
from case_api.database import CaseTable


class Uppdrag(CaseTable, table=True):
    """The written order to an utförare, with what 5 kap. 22 § SOSFS 2014:5 requires."""

    __tablename__ = "uppdrag"

    id: uuid.UUID = pk()
    insats_id: uuid.UUID = ref("insats.id")
    arende_id: uuid.UUID = ref("arende.id")
    person_id: uuid.UUID = ref("person.id")
    enhet: str = text_(index=True)
    utforare: str = text_(index=True)
    kontaktfamilj_id: uuid.UUID | None = None
    behovsbedomning: str = text_()
    omfattning: str = text_()
    mal: list[str] = jsonb(factory=list)
    uppfoljningsform: str = text_()
    kontaktuppgifter: dict[str, Any] = jsonb()
    status: str = text_(default="skickat")
    skickat_av: str = text_()
    skickat_at: datetime = tid()
    mottaget_at: datetime | None = tid(nullable=True)
    avbojt_orsak: str | None = text_(nullable=True)
    verkstallighetsdatum: date | None = None
    # Withdrawn by the beställare (status aterkallat): when, by whom, why.
    aterkallat_at: datetime | None = tid(nullable=True)
    aterkallat_av: str | None = text_(nullable=True)
    aterkallelse_skal: str | None = text_(nullable=True)
    # The samtycke an uppdrag to an external utförare rested on (none for one inside the nämnd).
    samtycke_id: uuid.UUID | None = ref("samtycke.id", nullable=True)
    # When and why the utförare stopped reading the child's personal data through it: the
    # uppdrag declined, ended or withdrawn (avbojt | avslutat | aterkallat), or its samtycke
    # withdrawn (samtycke_aterkallat). Row-level security of person and person_uppgifter asks it.
    atkomst_upphord_at: datetime | None = tid(nullable=True)
    atkomst_upphord_orsak: str | None = text_(nullable=True)
    version: int = 1


class EjVerkstalltRapport(CaseTable, table=True):
    """A decision not carried out: not started, or interrupted (34 kap. 1 § SoL (2025:400)); or
    carried out but not used for three months (ej_nyttjad, seed 001), which is no IVO matter."""

    __tablename__ = "ej_verkstallt_rapport"

    id: uuid.UUID = pk()
    uppdrag_id: uuid.UUID | None = ref("uppdrag.id", nullable=True)
    insats_id: uuid.UUID = ref("insats.id")
    arende_id: uuid.UUID = ref("arende.id", index=False)
    enhet: str = text_()
    utforare: str | None = text_(nullable=True)
    kalla: str = text_()  # utforare | system
    typ: str = text_()  # ej_paborjad | avbrott | ej_nyttjad
    datum: date
    orsak: str = text_()
    rapporterad_av: str = text_()
    created_at: datetime = tid()
