"""SIP, samordnad individuell plan, on an ärende (issue 14 item 2): who initiated it, the
parties, the samtycke it rests on, its next uppföljning; under row-level security by enhet.

Revision ID: c1408
Revises: c1407
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1408"
down_revision: str | None = "c1407"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sip",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("initierad_av_huvudman", sa.Text(), nullable=False),
        sa.Column("initierad_av_namn", sa.Text(), nullable=False),
        sa.Column("deltagare", postgresql.JSONB(), nullable=False),
        sa.Column("overgripande_ansvar", sa.Text(), nullable=False),
        sa.Column("samtycke_id", sa.Uuid(), nullable=False),
        sa.Column("uppfoljningsdatum", sa.Date(), nullable=True),
        sa.Column("senast_uppfoljd", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_sip_arende_id_arende")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_sip_person_id_person")),
        sa.ForeignKeyConstraint(["samtycke_id"], ["samtycke.id"], name=op.f("fk_sip_samtycke_id_samtycke")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sip")),
        sa.CheckConstraint("status IN ('aktiv', 'avslutad')", name=op.f("ck_sip_status")),
        # An active plan has its next uppföljning; a finished one none.
        sa.CheckConstraint(
            "(status = 'aktiv') = (uppfoljningsdatum IS NOT NULL)", name=op.f("ck_sip_uppfoljningsdatum")
        ),
    )
    op.create_index(op.f("ix_sip_arende_id"), "sip", ["arende_id"])
    op.execute("ALTER TABLE sip ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY scope ON sip USING (app_ser_enhet(enhet)) WITH CHECK (app_ser_enhet(enhet))")


def downgrade() -> None:
    op.drop_table("sip")
