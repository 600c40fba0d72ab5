"""A permission to see a protected person ends: an end date, a revocation, and the enhet it is for.

Revision ID: c1101
Revises: c7002
Create Date: 2026-12-03 09:30:00

Grants made before this revision had no end: they get the longest term the settings allow by
default (90 days from when they were made), and the enhet of the person's first registration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1101"
down_revision: str | None = "c7002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("skyddad_behorighet", sa.Column("enhet", sa.Text(), nullable=True))
    op.add_column("skyddad_behorighet", sa.Column("giltig_till", sa.Date(), nullable=True))
    op.add_column("skyddad_behorighet", sa.Column("aterkallad_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("skyddad_behorighet", sa.Column("aterkallad_av", sa.Text(), nullable=True))
    op.execute(
        "UPDATE skyddad_behorighet b SET"
        " giltig_till = (b.created_at AT TIME ZONE 'Europe/Stockholm')::date + 90,"
        " enhet = (SELECT p.skapad_av_enhet FROM person p WHERE p.id = b.person_id)"
    )
    op.alter_column("skyddad_behorighet", "enhet", nullable=False)
    op.alter_column("skyddad_behorighet", "giltig_till", nullable=False)
    op.create_index(op.f("ix_skyddad_behorighet_sub"), "skyddad_behorighet", ["sub"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_skyddad_behorighet_sub"), table_name="skyddad_behorighet")
    for column in ("aterkallad_av", "aterkallad_at", "giltig_till", "enhet"):
        op.drop_column("skyddad_behorighet", column)
