"""Placements (vård utanför det egna hemmet): the legal ground of a placement beslut and its
insats (SoL, LVU 2 §, LVU 3 §), the recorded decisions about a placement under row-level
security like the insats, and bevakning.darefter for the later interval of a recurring rule.

The placement begins when the utförare (the family home's unit, the HVB) reports its
verkställighetsdatum. The bevakningar that day opens are the nämnd's (övervägande, omprövning,
vårdnadsöverflyttning, jourhem): rows the utförare may neither see nor write. As for c5001, two
narrow SECURITY DEFINER functions do exactly that and no more, for an insats whose uppdrag the
calling utförare (app.utforare) holds: one inserts such a row with no utförare, one reads the
day the beslut's utredning ended (the start of the jourhem months).

Revision ID: c1504
Revises: c1103
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from devstack.migration_ops import grant_function

revision: str = "c1504"
down_revision: str | None = "c1103"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPPNA = "case_placering_bevakning(uuid, uuid, text, date, date, integer[], date, timestamptz)"
UTREDNING_SLUT = "case_placering_utredning_slut(uuid)"
# The calling utförare holds an uppdrag on the insats (i.id).
HALLER_UPPDRAG = """EXISTS (
    SELECT 1 FROM uppdrag u WHERE u.insats_id = i.id
      AND u.utforare = nullif(current_setting('app.utforare', true), ''))"""


def upgrade() -> None:
    op.add_column("beslut", sa.Column("placeringsgrund", sa.Text(), nullable=True))
    op.add_column("insats", sa.Column("placeringsgrund", sa.Text(), nullable=True))
    op.add_column("bevakning", sa.Column("darefter", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "placeringsbeslut",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("insats_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("regel", sa.Text(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("utfall", sa.Text(), nullable=False),
        sa.Column("motivering", sa.Text(), nullable=False),
        sa.Column("ny_sista_dag", sa.Date(), nullable=True),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["insats_id"], ["insats.id"], name=op.f("fk_placeringsbeslut_insats_id_insats")
        ),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_placeringsbeslut_arende_id_arende")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placeringsbeslut")),
    )
    op.create_index(op.f("ix_placeringsbeslut_insats_id"), "placeringsbeslut", ["insats_id"])
    op.execute("ALTER TABLE placeringsbeslut ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY scope ON placeringsbeslut "
        "USING (app_ser_enhet(enhet)) WITH CHECK (app_ser_enhet(enhet))"
    )
    op.execute(
        f"""
        CREATE FUNCTION case_placering_bevakning(
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
                  AND p_typ IN ('overvagande', 'omprovning_lvu', 'vardnadsoverflyttning', 'jourhem')
                  AND {HALLER_UPPDRAG}
                RETURNING 1
            )
            SELECT count(*)::integer FROM opened $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION case_placering_utredning_slut(p_insats uuid) RETURNS date
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
            SELECT ut.avslutad_datum
            FROM insats i JOIN beslut b ON b.id = i.beslut_id JOIN utredning ut ON ut.id = b.utredning_id
            WHERE i.id = p_insats AND {HALLER_UPPDRAG} $$
        """
    )
    for signature in (OPPNA, UTREDNING_SLUT):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        grant_function(signature)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {OPPNA}")
    op.execute(f"DROP FUNCTION IF EXISTS {UTREDNING_SLUT}")
    op.drop_table("placeringsbeslut")
    op.drop_column("bevakning", "darefter")
    op.drop_column("insats", "placeringsgrund")
    op.drop_column("beslut", "placeringsgrund")
