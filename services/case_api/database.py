"""case_api's own table registry: its tables never mix with the notifier's."""

from sqlmodel import SQLModel

from common.db import new_registry

case_registry = new_registry()


class CaseTable(SQLModel, registry=case_registry):
    """Base of every case_api table model."""


metadata = case_registry.metadata
