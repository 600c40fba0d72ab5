"""The beställare withdraws an uppdrag (issue 14 item 5): when, by whom and why.

An uppdrag withdrawn is in the end state `aterkallat`; the status column is free text, so only
the three columns of the withdrawal are new. They are set together or not at all.

Revision ID: c1406
Revises: c1402
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1406"
down_revision: str | None = "c1402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("uppdrag", sa.Column("aterkallat_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("uppdrag", sa.Column("aterkallat_av", sa.Text(), nullable=True))
    op.add_column("uppdrag", sa.Column("aterkallelse_skal", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_uppdrag_aterkallelse"),
        "uppdrag",
        "(status = 'aterkallat') = (aterkallat_at IS NOT NULL)"
        " AND (aterkallat_at IS NULL) = (aterkallat_av IS NULL)"
        " AND (aterkallat_at IS NULL) = (aterkallelse_skal IS NULL)",
    )


def downgrade() -> None:
    # Before this revision an uppdrag ended only as avslutat (or avbojt).
    op.execute("UPDATE uppdrag SET status = 'avslutat' WHERE status = 'aterkallat'")
    op.drop_constraint(op.f("ck_uppdrag_aterkallelse"), "uppdrag", type_="check")
    op.drop_column("uppdrag", "aterkallelse_skal")
    op.drop_column("uppdrag", "aterkallat_av")
    op.drop_column("uppdrag", "aterkallat_at")
