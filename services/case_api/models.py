"""Imports every case_api table model so the metadata is complete (alembic, drift test)."""

from case_api.avvikelser.models import Avvikelse
from case_api.events.models import OutboxEvent
from case_api.kontaktfamiljer.models import Kontaktfamilj, KontaktfamiljUtredningssteg

__all__ = ["Avvikelse", "Kontaktfamilj", "KontaktfamiljUtredningssteg", "OutboxEvent"]
