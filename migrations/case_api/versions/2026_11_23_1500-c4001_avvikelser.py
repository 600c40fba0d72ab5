"""Avvikelser: lex Sarah, other deviations and risks, synpunkter and klagomal.

Revision ID: c4001
Revises: c3001
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4001"
down_revision: str | None = "c3001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "avvikelse",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("typ", sa.Text(), nullable=False),
        sa.Column("lex_sarah_typ", sa.Text(), nullable=True),
        sa.Column("inkommen_fran", sa.Text(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("orsakskategori", sa.Text(), nullable=False),
        sa.Column("beskrivning", sa.Text(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("registrerad_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("utredning_forfallodatum", sa.Date(), nullable=True),
        sa.Column("utredd_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("utredd_av", sa.Text(), nullable=True),
        sa.Column("utredare", sa.Text(), nullable=True),
        sa.Column("iakttagelser", sa.Text(), nullable=True),
        sa.Column("atgarder", sa.Text(), nullable=True),
        sa.Column("befogad", sa.Boolean(), nullable=True),
        sa.Column("ivo_beslut_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ivo_beslut_av", sa.Text(), nullable=True),
        sa.Column("ivo_beslutsfattare", sa.Text(), nullable=True),
        sa.Column("ivo_anmalan", sa.Boolean(), nullable=True),
        sa.Column("ivo_motivering", sa.Text(), nullable=True),
        sa.Column("avslutad_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avslutad_av", sa.Text(), nullable=True),
        sa.Column("avslut_kommentar", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_avvikelse")),
        sa.CheckConstraint(
            _in("typ", ["lex_sarah", "avvikande_handelse", "risk", "synpunkt", "klagomal"]),
            name=op.f("ck_avvikelse_typ"),
        ),
        sa.CheckConstraint(
            "(typ = 'lex_sarah') = (lex_sarah_typ IS NOT NULL) AND "
            + "(lex_sarah_typ IS NULL OR "
            + _in("lex_sarah_typ", ["missforhallande", "patalig_risk"])
            + ")",
            name=op.f("ck_avvikelse_lex_sarah_typ"),
        ),
        sa.CheckConstraint(
            _in("status", ["registrerad", "utredd", "ivo_beslutad", "avslutad"]),
            name=op.f("ck_avvikelse_status"),
        ),
    )
    op.create_index(op.f("ix_avvikelse_enhet"), "avvikelse", ["enhet"])
    op.create_index(op.f("ix_avvikelse_arende_id"), "avvikelse", ["arende_id"])
    op.create_index("ix_avvikelse_registrerad_at_id", "avvikelse", ["registrerad_at", "id"])


def downgrade() -> None:
    op.drop_table("avvikelse")
