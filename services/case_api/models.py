"""Imports every case_api table model so the metadata is complete (alembic, drift test)."""

from case_api.audit.models import AuditLogg
from case_api.events.models import OutboxEvent

__all__ = ["AuditLogg", "OutboxEvent"]
