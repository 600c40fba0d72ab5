"""Kontaktfamiljer: the register, its investigation steps and the agreement.

Revision ID: c4002
Revises: c4001
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4002"
down_revision: str | None = "c4001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEG = (
    "intervju",
    "hembesok",
    "registerutdrag_belastningsregistret",
    "registerutdrag_misstankeregistret",
    "referens",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "kontaktfamilj",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("namn", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("avtal_fran", sa.Date(), nullable=True),
        sa.Column("avtal_till", sa.Date(), nullable=True),
        sa.Column("registrerad_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("godkand_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("godkand_av", sa.Text(), nullable=True),
        sa.Column("avslutad_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avslutad_av", sa.Text(), nullable=True),
        sa.Column("avslut_orsak", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kontaktfamilj")),
        sa.CheckConstraint(
            _in("status", ["under_utredning", "godkand", "avslutad"]), name=op.f("ck_kontaktfamilj_status")
        ),
        sa.CheckConstraint(
            "(avtal_fran IS NULL) = (avtal_till IS NULL) "
            "AND (avtal_till IS NULL OR avtal_till >= avtal_fran)",
            name=op.f("ck_kontaktfamilj_avtal"),
        ),
    )
    op.create_index(op.f("ix_kontaktfamilj_enhet"), "kontaktfamilj", ["enhet"])
    op.create_table(
        "kontaktfamilj_utredningssteg",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("kontaktfamilj_id", sa.Uuid(), nullable=False),
        sa.Column("steg", sa.Text(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("resultat", sa.Text(), nullable=False),
        sa.Column("anteckning", sa.Text(), nullable=True),
        sa.Column("registrerad_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kontaktfamilj_utredningssteg")),
        sa.UniqueConstraint("seq", name=op.f("uq_kontaktfamilj_utredningssteg_seq")),
        sa.ForeignKeyConstraint(
            ["kontaktfamilj_id"],
            ["kontaktfamilj.id"],
            name=op.f("fk_kontaktfamilj_utredningssteg_kontaktfamilj_id_kontaktfamilj"),
        ),
        sa.CheckConstraint(_in("steg", STEG), name=op.f("ck_kontaktfamilj_utredningssteg_steg")),
        sa.CheckConstraint(
            _in("resultat", ["positivt", "negativt"]), name=op.f("ck_kontaktfamilj_utredningssteg_resultat")
        ),
    )
    op.create_index(
        op.f("ix_kontaktfamilj_utredningssteg_kontaktfamilj_id"),
        "kontaktfamilj_utredningssteg",
        ["kontaktfamilj_id"],
    )


def downgrade() -> None:
    op.drop_table("kontaktfamilj_utredningssteg")
    op.drop_table("kontaktfamilj")
