"""Omprövning as a task that ends (issue 14 item 4): the day it was opened, the uppdrag whose
report opened it, and how it ended (the new beslut, or why none was needed, by whom, when).

Its due date is a bevakning (rule `omprovning`) for the handläggare. The utförare whose report
opens it may not insert a bevakning it cannot see itself (row-level security, as in c5001), so
the narrow SECURITY DEFINER function `case_omprovning_bevakning` inserts exactly that one row:
for an open omprövning the caller sees (its enhet, or an uppdrag on the insats), once.

Omprövningar opened before this revision keep no due date: the length is a setting the
migration cannot read; they are listed as open and close like any other.

Revision ID: c1402
Revises: c1405
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from devstack.migration_ops import grant_function

revision: str = "c1402"
down_revision: str | None = "c1405"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "case_omprovning_bevakning(uuid, uuid, date, date, integer[], date, timestamptz)"


def upgrade() -> None:
    op.add_column("omprovning", sa.Column("uppdrag_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_omprovning_uppdrag_id_uppdrag"), "omprovning", "uppdrag", ["uppdrag_id"], ["id"]
    )
    op.add_column("omprovning", sa.Column("oppnad_datum", sa.Date(), nullable=True))
    op.execute("UPDATE omprovning SET oppnad_datum = (created_at AT TIME ZONE 'Europe/Stockholm')::date")
    op.alter_column("omprovning", "oppnad_datum", nullable=False)
    op.add_column("omprovning", sa.Column("avslutad_datum", sa.Date(), nullable=True))
    op.add_column("omprovning", sa.Column("beslut_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_omprovning_beslut_id_beslut"), "omprovning", "beslut", ["beslut_id"], ["id"]
    )
    op.add_column("omprovning", sa.Column("motivering", sa.Text(), nullable=True))
    op.add_column("omprovning", sa.Column("avslutad_av", sa.Text(), nullable=True))
    op.add_column("omprovning", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.alter_column("omprovning", "version", server_default=None)
    # GET /v1/omprovningar?status=oppen: one enhet's, oldest first, keyset-paged.
    op.execute("CREATE INDEX ix_omprovning_enhet_status ON omprovning (enhet, status, created_at, id)")
    op.execute(
        """
        CREATE FUNCTION case_omprovning_bevakning(
            p_id uuid, p_omprovning uuid, p_startdatum date, p_forfallodatum date,
            p_paminnelser integer[], p_nasta_larm date, p_created_at timestamptz
        ) RETURNS uuid
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
            INSERT INTO bevakning (id, typ, arende_id, enhet, handlaggare, utforare, objekt_typ,
                                   objekt_id, startdatum, forfallodatum, insatstyp, status,
                                   paminnelser, nasta_larm, version, created_at)
            SELECT p_id, 'omprovning', o.arende_id, o.enhet, a.handlaggare, NULL, 'omprovning',
                   o.id, p_startdatum, p_forfallodatum, NULL, 'oppen',
                   p_paminnelser, p_nasta_larm, 1, p_created_at
            FROM omprovning o JOIN arende a ON a.id = o.arende_id
            WHERE o.id = p_omprovning AND o.status = 'oppen'
              AND (app_ser_enhet(o.enhet) OR EXISTS (
                    SELECT 1 FROM uppdrag u
                    WHERE u.insats_id = o.insats_id AND app_ser_utforare(u.utforare)))
              AND NOT EXISTS (
                    SELECT 1 FROM bevakning b WHERE b.objekt_id = o.id AND b.typ = 'omprovning')
            RETURNING id $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    grant_function(SIGNATURE)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute("DROP INDEX IF EXISTS ix_omprovning_enhet_status")
    for column in ("version", "avslutad_av", "motivering", "beslut_id", "avslutad_datum", "oppnad_datum"):
        op.drop_column("omprovning", column)
    op.drop_column("omprovning", "uppdrag_id")
