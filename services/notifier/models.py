"""Imports every notifier table model so the metadata is complete (alembic, drift test)."""

__all__: list[str] = []
