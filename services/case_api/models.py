"""Imports every case_api table model so the metadata is complete (alembic, drift test)."""

from case_api.events.models import OutboxEvent
from case_api.relay.models import OutboxDelivery

__all__ = ["OutboxDelivery", "OutboxEvent"]
