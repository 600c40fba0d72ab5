"""A partial index on dead-lettered deliveries: /metrics counts them on every scrape, and an
operator lists them, without reading every delivery ever made.

Revision ID: n1301
Revises: n1002
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "n1301"
down_revision: str | None = "n1002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_leverans_dodsbrev ON leverans (created_at) WHERE status = 'dodsbrev'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_leverans_dodsbrev")
