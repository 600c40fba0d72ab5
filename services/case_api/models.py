"""Imports every case_api table model so the metadata is complete (alembic, drift test)."""

from case_api.arenden.models import Arende
from case_api.audit.models import AuditLogg
from case_api.avvikelser.models import Avvikelse
from case_api.bevakning.models import Bevakning, BevakningLarm
from case_api.events.models import OutboxEvent
from case_api.insats.models import Beslut, Insats, Omprovning
from case_api.intake.models import Aktualisering, Forhandsbedomning, Skyddsbedomning
from case_api.journal.models import Journalanteckning
from case_api.kontaktfamiljer.models import Kontaktfamilj, KontaktfamiljUtredningssteg
from case_api.personer.models import Person, PersonUppgifter, Samtycke, SkyddadBehorighet
from case_api.placering.models import Placeringsbeslut, Vardplan
from case_api.plan.models import Genomforandeplan
from case_api.relay.models import OutboxDelivery
from case_api.sip.models import Sip
from case_api.uppdrag.models import EjVerkstalltRapport, Uppdrag
from case_api.uppfoljning.models import Uppfoljning
from case_api.utredning.models import Utredning, UtredningForlangning

__all__ = [
    "Aktualisering",
    "Arende",
    "AuditLogg",
    "Avvikelse",
    "Beslut",
    "Bevakning",
    "BevakningLarm",
    "EjVerkstalltRapport",
    "Forhandsbedomning",
    "Genomforandeplan",
    "Insats",
    "Journalanteckning",
    "Kontaktfamilj",
    "KontaktfamiljUtredningssteg",
    "Omprovning",
    "OutboxDelivery",
    "OutboxEvent",
    "Person",
    "PersonUppgifter",
    "Placeringsbeslut",
    "Samtycke",
    "Sip",
    "SkyddadBehorighet",
    "Skyddsbedomning",
    "Uppdrag",
    "Uppfoljning",
    "Utredning",
    "UtredningForlangning",
    "Vardplan",
]
