"""Imports every notifier table model so the metadata is complete (alembic, drift test)."""

from notifier.inbox.models import InboxEvent
from notifier.leveranser.models import Leverans, Leveransforsok
from notifier.mottagare.models import Mottagare
from notifier.prenumerationer.models import Prenumeration

__all__ = ["InboxEvent", "Leverans", "Leveransforsok", "Mottagare", "Prenumeration"]
