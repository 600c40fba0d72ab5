"""Imports every notifier table model so the metadata is complete (alembic, drift test)."""

from notifier.inbox.models import InboxEvent

__all__ = ["InboxEvent"]
