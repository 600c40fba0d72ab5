"""Förlängning of the förhandsbedömning for synnerliga skäl (20 kap. 2 § SoL (2025:400)), as a
recorded decision with its reasons and the new last day; row-level security like its aktualisering.

Revision ID: c1502
Revises: c1102
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1502"
down_revision: str | None = "c1102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forhandsbedomning_forlangning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aktualisering_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("beslutad_av", sa.Text(), nullable=False),
        sa.Column("beslutsdatum", sa.Date(), nullable=False),
        sa.Column("synnerliga_skal", sa.Text(), nullable=False),
        sa.Column("tidigare_forfallodatum", sa.Date(), nullable=False),
        sa.Column("ny_forfallodatum", sa.Date(), nullable=False),
        sa.Column("sen", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aktualisering_id"],
            ["aktualisering.id"],
            name=op.f("fk_forhandsbedomning_forlangning_aktualisering_id_aktualisering"),
        ),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_forhandsbedomning_forlangning_arende_id_arende")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forhandsbedomning_forlangning")),
    )
    op.create_index(
        op.f("ix_forhandsbedomning_forlangning_aktualisering_id"),
        "forhandsbedomning_forlangning",
        ["aktualisering_id"],
    )
    op.execute("ALTER TABLE forhandsbedomning_forlangning ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY scope ON forhandsbedomning_forlangning "
        "USING (app_ser_enhet(enhet)) WITH CHECK (app_ser_enhet(enhet))"
    )


def downgrade() -> None:
    op.drop_table("forhandsbedomning_forlangning")
