"""The vårdplan as a record of its own (9 kap. 12-13 §§ SoL (2025:400)): each version with the
day it was upprättad, fastställd and communicated, under row-level security like the placement's
other records; and the placement-start function may open the bevakning of the vårdplan's first
revision (at the latest two years after the placement began), the nämnd's row like the others.

Revision ID: c1506
Revises: c1409
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1506"
down_revision: str | None = "c1409"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALLER_UPPDRAG = """EXISTS (
    SELECT 1 FROM uppdrag u WHERE u.insats_id = i.id
      AND u.utforare = nullif(current_setting('app.utforare', true), ''))"""


def _oppna(typer: str) -> str:
    # The same function as c1504's, with the list of rule ids it may open.
    return f"""
        CREATE OR REPLACE FUNCTION case_placering_bevakning(
            p_id uuid, p_insats uuid, p_typ text, p_start date, p_forfaller date,
            p_paminnelser integer[], p_nasta_larm date, p_created timestamptz
        ) RETURNS integer
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
            WITH opened AS (
                INSERT INTO bevakning (id, typ, arende_id, enhet, handlaggare, utforare, objekt_typ,
                    objekt_id, startdatum, forfallodatum, insatstyp, darefter, status, paminnelser,
                    nasta_larm, version, created_at)
                SELECT p_id, p_typ, i.arende_id, i.enhet, a.handlaggare, NULL, 'insats', i.id,
                    p_start, p_forfaller, NULL, false, 'oppen', p_paminnelser, p_nasta_larm, 1, p_created
                FROM insats i JOIN arende a ON a.id = i.arende_id
                WHERE i.id = p_insats AND i.placeringsgrund IS NOT NULL
                  AND p_typ IN ({typer})
                  AND {HALLER_UPPDRAG}
                RETURNING 1
            )
            SELECT count(*)::integer FROM opened $$
        """


FORE = "'overvagande', 'omprovning_lvu', 'vardnadsoverflyttning', 'jourhem'"


def upgrade() -> None:
    op.create_table(
        "vardplan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("insats_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upprattad", sa.Date(), nullable=False),
        sa.Column("mal", sa.Text(), nullable=False),
        sa.Column("insatser", sa.Text(), nullable=False),
        sa.Column("umgange", sa.Text(), nullable=False),
        sa.Column("synpunkter", sa.Text(), nullable=False),
        sa.Column("andra_huvudman", sa.Text(), nullable=True),
        sa.Column("orsak", sa.Text(), nullable=True),
        sa.Column("langsiktigt_boende", sa.Text(), nullable=True),
        sa.Column("sarskilda_skal", sa.Text(), nullable=True),
        sa.Column("faststalld", sa.Date(), nullable=True),
        sa.Column("kommunicerad", sa.Date(), nullable=True),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("faststalld_av", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["insats_id"], ["insats.id"], name=op.f("fk_vardplan_insats_id_insats")),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_vardplan_arende_id_arende")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vardplan")),
        # Two writers racing for the same next version: one of them fails, neither overwrites.
        sa.UniqueConstraint("insats_id", "version", name=op.f("uq_vardplan_insats_id_version")),
        sa.CheckConstraint(
            "faststalld IS NULL OR faststalld >= upprattad", name=op.f("ck_vardplan_faststalld")
        ),
    )
    op.create_index(op.f("ix_vardplan_insats_id"), "vardplan", ["insats_id"])
    op.execute("ALTER TABLE vardplan ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY scope ON vardplan USING (app_ser_enhet(enhet)) WITH CHECK (app_ser_enhet(enhet))"
    )
    op.execute(_oppna(FORE + ", 'vardplan_revidering'"))


def downgrade() -> None:
    op.execute("DELETE FROM bevakning WHERE typ IN ('vardplan', 'vardplan_revidering')")
    op.execute(_oppna(FORE))
    op.drop_table("vardplan")
