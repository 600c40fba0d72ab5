"""The notifier's own table registry: its tables never mix with case_api's."""

from sqlmodel import SQLModel

from common.db import new_registry

notifier_registry = new_registry()


class NotifierTable(SQLModel, registry=notifier_registry):
    """Base of every notifier table model."""


metadata = notifier_registry.metadata
