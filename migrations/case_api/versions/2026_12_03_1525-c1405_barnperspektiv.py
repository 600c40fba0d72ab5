"""The child's perspective (issue 14 item 2): barnkonsekvensanalys, the child's view or why it
could not be obtained, and who spoke for the child, on a beslut and on an utredning's avslut.

Revision ID: c1405
Revises: c1404
Create Date: 2026-12-03 15:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1405"
down_revision: str | None = "c1404"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("beslut", "utredning"):
        op.add_column(table, sa.Column("barnperspektiv", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    for table in ("beslut", "utredning"):
        op.drop_column(table, "barnperspektiv")
