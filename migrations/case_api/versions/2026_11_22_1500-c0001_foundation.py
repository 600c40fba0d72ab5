"""Foundation: app-role grants, idempotency keys and the event outbox.

Revision ID: c0001
Revises:
Create Date: 2026-11-22 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from common.idempotency import CREATE_TABLE_SQL
from devstack.migration_ops import grant_default_privileges

revision: str = "c0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    grant_default_privileges()
    op.execute(CREATE_TABLE_SQL)
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=True),
        sa.Column("data", postgresql.JSONB(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("seq", name=op.f("uq_outbox_event_seq")),
    )
    op.create_index(op.f("ix_outbox_event_arende_id"), "outbox_event", ["arende_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_event_arende_id"), table_name="outbox_event")
    op.drop_table("outbox_event")
    op.execute("DROP TABLE idempotency_key")
