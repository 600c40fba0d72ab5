"""The journal: append-only anteckningar of the ärende (handläggare) and the uppdrag (utförare).

Revision ID: c1401
Revises: c1501
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from devstack.alembic_env import app_role

revision: str = "c1401"
down_revision: str | None = "c1501"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The ärende's enhet reads both journals; the utförare only the entries of its own uppdrag.
POLICY = "app_ser_enhet(enhet) OR (uppdrag_id IS NOT NULL AND app_ser_utforare(utforare))"


def upgrade() -> None:
    op.create_table(
        "journalanteckning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lopnummer", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("uppdrag_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utforare", sa.Text(), nullable=True),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("slag", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("forfattare", sa.Text(), nullable=False),
        sa.Column("forfattare_roll", sa.Text(), nullable=False),
        sa.Column("rattar_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_journalanteckning_arende_id_arende")
        ),
        sa.ForeignKeyConstraint(
            ["uppdrag_id"], ["uppdrag.id"], name=op.f("fk_journalanteckning_uppdrag_id_uppdrag")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_journalanteckning_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["rattar_id"],
            ["journalanteckning.id"],
            name=op.f("fk_journalanteckning_rattar_id_journalanteckning"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journalanteckning")),
        sa.UniqueConstraint("lopnummer", name=op.f("uq_journalanteckning_lopnummer")),
        sa.CheckConstraint(
            "slag IN ('samtal', 'hembesok', 'kontakt_med_skola', 'information', 'ovrigt')",
            name=op.f("ck_journalanteckning_slag"),
        ),
        # An entry on an uppdrag's journal is the utförare's; the ärende's journal has none.
        sa.CheckConstraint(
            "(uppdrag_id IS NULL) = (utforare IS NULL)", name=op.f("ck_journalanteckning_utforare")
        ),
    )
    op.create_index("ix_journalanteckning_arende_id", "journalanteckning", ["arende_id", "lopnummer"])
    op.create_index("ix_journalanteckning_uppdrag_id", "journalanteckning", ["uppdrag_id"])
    op.create_index("ix_journalanteckning_enhet_datum", "journalanteckning", ["enhet", "datum"])
    op.create_index("ix_journalanteckning_rattar_id", "journalanteckning", ["rattar_id"])
    # As the audit log: statement-level, so even a change that matches no row is refused, for
    # every role including the owner.
    op.execute(
        """
        CREATE FUNCTION journalanteckning_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'journalanteckning is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'A correction is a new entry naming the one it corrects (rattar_id).';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER journalanteckning_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON journalanteckning
        FOR EACH STATEMENT EXECUTE FUNCTION journalanteckning_append_only()
        """
    )
    role = app_role()
    # The default privileges grant UPDATE on every new table; the journal takes it back.
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')
             AND '{role}' <> current_user THEN
            EXECUTE 'REVOKE ALL ON journalanteckning FROM "{role}"';
            EXECUTE 'GRANT SELECT, INSERT ON journalanteckning TO "{role}"';
          END IF;
        END $$;
        """
    )
    op.execute("ALTER TABLE journalanteckning ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY scope ON journalanteckning USING ({POLICY}) WITH CHECK ({POLICY})")


def downgrade() -> None:
    op.execute("DROP TABLE journalanteckning")
    op.execute("DROP FUNCTION journalanteckning_append_only()")
