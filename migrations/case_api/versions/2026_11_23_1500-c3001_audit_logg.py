"""Audit log: hash-chained, append-only (app role: SELECT and INSERT only; triggers refuse the rest).

Revision ID: c3001
Revises: c2001
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from devstack.alembic_env import app_role

revision: str = "c3001"
down_revision: str | None = "c2001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_logg",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sub", sa.Text(), nullable=False),
        sa.Column("roller", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=True),
        sa.Column("utforare", sa.Text(), nullable=True),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("objekt_typ", sa.Text(), nullable=False),
        sa.Column("objekt_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("arende_id", sa.Uuid(), nullable=True),
        sa.Column("skal", sa.Text(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("utfall", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.Text(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_logg")),
        sa.CheckConstraint("utfall IN ('tillaten', 'nekad')", name=op.f("ck_audit_logg_utfall")),
        sa.CheckConstraint(
            "hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$'", name=op.f("ck_audit_logg_hash_hex")
        ),
    )
    op.create_index("ix_audit_logg_person_id_id", "audit_logg", ["person_id", "id"])
    op.create_index("ix_audit_logg_sub_id", "audit_logg", ["sub", "id"])
    op.create_index("ix_audit_logg_at", "audit_logg", ["at"])
    # Statement-level, so even a change that matches no row is refused, for every role
    # including the owner; only disabling the trigger (owner, superuser) gets past it.
    op.execute(
        """
        CREATE FUNCTION audit_logg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_logg is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Audit rows are never changed or removed.';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_logg_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_logg
        FOR EACH STATEMENT EXECUTE FUNCTION audit_logg_append_only()
        """
    )
    role = app_role()
    # The default privileges grant UPDATE on every new table; the log takes it back.
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')
             AND '{role}' <> current_user THEN
            EXECUTE 'REVOKE ALL ON audit_logg FROM "{role}"';
            EXECUTE 'GRANT SELECT, INSERT ON audit_logg TO "{role}"';
          END IF;
        END $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE audit_logg")
    op.execute("DROP FUNCTION audit_logg_append_only()")
