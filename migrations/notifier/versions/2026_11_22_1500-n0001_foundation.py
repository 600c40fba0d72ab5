"""Foundation: app-role grants and idempotency keys.

Revision ID: n0001
Revises:
Create Date: 2026-11-22 15:00:00
"""

from collections.abc import Sequence

from alembic import op

from common.idempotency import CREATE_TABLE_SQL
from devstack.migration_ops import grant_default_privileges

revision: str = "n0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    grant_default_privileges()
    op.execute(CREATE_TABLE_SQL)


def downgrade() -> None:
    op.execute("DROP TABLE idempotency_key")
