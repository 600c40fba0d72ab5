"""Expired Idempotency-Keys are purged by age: an index on created_at serves the purge, and the
app role (which otherwise never deletes) may delete from this table.

Revision ID: c1102
Revises: c1401
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

from alembic import op

from devstack.alembic_env import app_role
from devstack.migration_ops import grant_to_app

revision: str = "c1102"
down_revision: str | None = "c1401"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_idempotency_key_created_at", "idempotency_key", ["created_at"])
    grant_to_app("DELETE", "idempotency_key")


def downgrade() -> None:
    role = app_role()
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        f"EXECUTE 'REVOKE DELETE ON idempotency_key FROM \"{role}\"'; END IF; END $$"
    )
    op.drop_index("ix_idempotency_key_created_at", table_name="idempotency_key")
