"""A bevakning may watch an object outside any ärende: a lex Sarah report about none.

Revision ID: c7002
Revises: c7001
Create Date: 2026-11-24 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7002"
down_revision: str | None = "c7001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("bevakning", "arende_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    # The rows the older schema cannot hold go with it: their alerts first.
    op.execute(
        "DELETE FROM bevakning_larm WHERE bevakning_id IN (SELECT id FROM bevakning WHERE arende_id IS NULL)"
    )
    op.execute("DELETE FROM bevakning WHERE arende_id IS NULL")
    op.alter_column("bevakning", "arende_id", existing_type=sa.Uuid(), nullable=False)
