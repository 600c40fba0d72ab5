"""What an enhet recorded about a person is that enhet's (issue 11 item 1): names, kontakt and
skyddad identitet move from the shared person row to person_uppgifter, one record per enhet
(kalla 'enhet') and room for a source every enhet may use (kalla 'folkbokforing', enhet NULL).

Existing details belong to every enhet holding an ärende about the person, and to the enhet that
created the row; the person row keeps identity only.

Revision ID: c1103
Revises: c1301
Create Date: 2026-12-03 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from devstack.migration_ops import grant_function

revision: str = "c1103"
down_revision: str | None = "c1301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An enhet reads its own record; every enhet that sees the person reads a shared source's; an
# utförare reads the record of the enhet that sent it an uppdrag about the person. Only an enhet
# (or the system) writes, and only its own.
POLICY_USING = (
    "app_ser_enhet(enhet)"
    " OR (kalla = 'folkbokforing'"
    " AND EXISTS (SELECT 1 FROM person p WHERE p.id = person_uppgifter.person_id))"
    " OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.person_id = person_uppgifter.person_id"
    " AND u.enhet = person_uppgifter.enhet AND app_ser_utforare(u.utforare))"
)
POLICY_CHECK = "app_ser_enhet(enhet)"

SKYDDADE_SQL = """
CREATE OR REPLACE FUNCTION skyddade_person_ids() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$ SELECT DISTINCT person_id FROM person_uppgifter WHERE skyddad_identitet $$
"""
SKYDDADE_GAMMAL_SQL = """
CREATE OR REPLACE FUNCTION skyddade_person_ids() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$ SELECT id FROM person WHERE skyddad_identitet $$
"""


def upgrade() -> None:
    op.create_table(
        "person_uppgifter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("kalla", sa.Text(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=True),
        sa.Column("fornamn", sa.Text(), nullable=True),
        sa.Column("efternamn", sa.Text(), nullable=True),
        sa.Column("skyddad_identitet", sa.Boolean(), nullable=False),
        sa.Column("kontakt", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kalla = 'enhet' AND enhet IS NOT NULL) OR (kalla = 'folkbokforing' AND enhet IS NULL)",
            name=op.f("ck_person_uppgifter_kalla_enhet"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_uppgifter_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_uppgifter")),
    )
    # One record per enhet (the registration's INSERT ... ON CONFLICT target), one per register.
    op.create_index(
        "uq_person_uppgifter_person_enhet", "person_uppgifter", ["person_id", "enhet"], unique=True
    )
    op.create_index(
        "uq_person_uppgifter_folkbokforing",
        "person_uppgifter",
        ["person_id"],
        unique=True,
        postgresql_where=sa.text("kalla = 'folkbokforing'"),
    )
    op.execute(
        """
        INSERT INTO person_uppgifter (id, person_id, kalla, enhet, fornamn, efternamn,
                                      skyddad_identitet, kontakt, created_at, updated_at)
        SELECT gen_random_uuid(), p.id, 'enhet', e.enhet, p.fornamn, p.efternamn,
               p.skyddad_identitet, p.kontakt, p.created_at, p.created_at
        FROM person p
        JOIN (SELECT person_id, enhet FROM arende
              UNION SELECT id, skapad_av_enhet FROM person) e ON e.person_id = p.id
        """
    )
    op.execute(SKYDDADE_SQL)
    grant_function("skyddade_person_ids()")
    for column in ("fornamn", "efternamn", "skyddad_identitet", "kontakt"):
        op.drop_column("person", column)
    op.execute("ALTER TABLE person_uppgifter ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY scope ON person_uppgifter USING ({POLICY_USING}) WITH CHECK ({POLICY_CHECK})")


def downgrade() -> None:
    op.add_column("person", sa.Column("fornamn", sa.Text(), nullable=True))
    op.add_column("person", sa.Column("efternamn", sa.Text(), nullable=True))
    op.add_column(
        "person", sa.Column("skyddad_identitet", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "person",
        sa.Column(
            "kontakt", postgresql.JSONB(astext_type=sa.Text()), nullable=False, server_default=sa.text("'{}'")
        ),
    )
    # Back to one row: the creating enhet's record first, then the oldest; protected if any says so.
    op.execute(
        """
        UPDATE person p SET fornamn = u.fornamn, efternamn = u.efternamn, kontakt = u.kontakt,
               skyddad_identitet = u.skyddad
        FROM (SELECT DISTINCT ON (pu.person_id) pu.person_id, pu.fornamn, pu.efternamn, pu.kontakt,
                     bool_or(pu.skyddad_identitet) OVER (PARTITION BY pu.person_id) AS skyddad
              FROM person_uppgifter pu JOIN person p2 ON p2.id = pu.person_id
              ORDER BY pu.person_id, pu.enhet IS DISTINCT FROM p2.skapad_av_enhet, pu.created_at) u
        WHERE u.person_id = p.id
        """
    )
    op.alter_column("person", "skyddad_identitet", server_default=None)
    op.alter_column("person", "kontakt", server_default=None)
    op.execute(SKYDDADE_GAMMAL_SQL)
    op.drop_table("person_uppgifter")
