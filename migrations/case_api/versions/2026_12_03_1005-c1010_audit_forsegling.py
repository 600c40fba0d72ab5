"""Audit log sealed after commit: appends are plain inserts; the hash chain moves to audit_kedja.

audit_logg loses prev_hash/hash and gains the inserting transaction's xid8, so the sealer
(case_api.audit.sealer) can find every committed row it has not sealed yet without a lock on
the write path. audit_kedja holds the chain: one position per sealed row, in the order the
sealer chose. audit_sigill holds the sealer's horizon and the last anchored position.
Existing rows keep their hashes: they become the first positions of the chain, in id order.

Revision ID: c1010
Revises: c1502
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from devstack.alembic_env import app_role

revision: str = "c1010"
down_revision: str | None = "c1502"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _grant(table: str, privileges: str) -> None:
    role = app_role()
    op.execute(
        f"""
        DO $$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')
             AND '{role}' <> current_user THEN
            EXECUTE 'REVOKE ALL ON {table} FROM "{role}"';
            EXECUTE 'GRANT {privileges} ON {table} TO "{role}"';
          END IF;
        END $$;
        """
    )


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE audit_kedja (
            position bigint PRIMARY KEY CHECK (position > 0),
            audit_id bigint NOT NULL REFERENCES audit_logg (id),
            prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
            hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
            forseglad_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT uq_audit_kedja_audit_id UNIQUE (audit_id)
        )
        """
    )
    op.execute(
        """
        INSERT INTO audit_kedja (position, audit_id, prev_hash, hash, forseglad_at)
        SELECT row_number() OVER (ORDER BY id), id, prev_hash, hash, at FROM audit_logg
        """
    )
    # DDL, not UPDATE: the append-only trigger (statement-level on UPDATE/DELETE/TRUNCATE)
    # does not apply. Existing rows get the migration's own xid, below every later one.
    op.execute("ALTER TABLE audit_logg DROP CONSTRAINT ck_audit_logg_hash_hex")
    op.execute("ALTER TABLE audit_logg DROP COLUMN prev_hash, DROP COLUMN hash")
    op.execute("ALTER TABLE audit_logg ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.execute("CREATE INDEX ix_audit_logg_xid ON audit_logg (xid, id)")
    # Its own function: audit_logg_append_only() names audit_logg in its message.
    op.execute(
        """
        CREATE FUNCTION audit_kedja_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_kedja is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The chain is only ever extended by the sealer.';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_kedja_append_only
        BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_kedja
        FOR EACH STATEMENT EXECUTE FUNCTION audit_kedja_append_only()
        """
    )
    # One row: every committed audit row whose xid is below `horisont` is sealed (so a round
    # looks only at rows from there on); `forankrad_position` is the last anchored position.
    op.execute(
        """
        CREATE TABLE audit_sigill (
            id smallint PRIMARY KEY CHECK (id = 1),
            horisont xid8 NOT NULL,
            forankrad_position bigint NOT NULL DEFAULT 0,
            forankrad_at timestamptz
        )
        """
    )
    op.execute("INSERT INTO audit_sigill (id, horisont) VALUES (1, pg_current_xact_id())")
    _grant("audit_kedja", "SELECT, INSERT")
    _grant("audit_sigill", "SELECT, UPDATE")


def downgrade() -> None:
    unsealed = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT count(*) FROM audit_logg a "
            "WHERE NOT EXISTS (SELECT 1 FROM audit_kedja k WHERE k.audit_id = a.id)"
        )
        .scalar()
    )
    if unsealed:
        raise RuntimeError(f"{unsealed} audit rows are not sealed yet: run the sealer before downgrading")
    op.execute("ALTER TABLE audit_logg ADD COLUMN prev_hash text, ADD COLUMN hash text")
    op.execute("ALTER TABLE audit_logg DISABLE TRIGGER audit_logg_append_only")
    op.execute(
        "UPDATE audit_logg a SET prev_hash = k.prev_hash, hash = k.hash FROM audit_kedja k "
        "WHERE k.audit_id = a.id"
    )
    op.execute("ALTER TABLE audit_logg ENABLE TRIGGER audit_logg_append_only")
    op.execute("ALTER TABLE audit_logg ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL")
    op.execute(
        "ALTER TABLE audit_logg ADD CONSTRAINT ck_audit_logg_hash_hex "
        "CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')"
    )
    op.execute("ALTER TABLE audit_logg DROP COLUMN xid")
    op.execute("DROP TABLE audit_sigill")
    op.execute("DROP TABLE audit_kedja")
    op.execute("DROP FUNCTION audit_kedja_append_only()")
