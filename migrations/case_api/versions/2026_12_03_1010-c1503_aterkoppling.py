"""The anmälare's request for återkoppling (19 kap. 6 § SoL (2025:400), as amended by SFS
2025:1501): one per aktualisering, under row-level security like it.

Revision ID: c1503
Revises: c1010
Create Date: 2026-12-03 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1503"
down_revision: str | None = "c1010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aterkoppling",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aktualisering_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("begard_datum", sa.Date(), nullable=False),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("lamnad_datum", sa.Date(), nullable=True),
        sa.Column("skal_ej_lamnad", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aktualisering_id"],
            ["aktualisering.id"],
            name=op.f("fk_aterkoppling_aktualisering_id_aktualisering"),
        ),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_aterkoppling_arende_id_arende")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aterkoppling")),
    )
    # One request per anmälan: a second is the same request.
    op.create_index(
        op.f("ix_aterkoppling_aktualisering_id"), "aterkoppling", ["aktualisering_id"], unique=True
    )
    op.execute("ALTER TABLE aterkoppling ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY scope ON aterkoppling USING (app_ser_enhet(enhet)) WITH CHECK (app_ser_enhet(enhet))"
    )


def downgrade() -> None:
    op.drop_table("aterkoppling")
