"""An utförare that declines an uppdrag hands the verkställighet bevakning back.

Declining sets the bevakning's `utforare` to NULL. Under the `scope` policy the updated row is
no longer the utförare's to see, so PostgreSQL refused the update and every decline failed
(500). A policy cannot admit it without letting utförare see every unassigned bevakning, so
this narrow SECURITY DEFINER function does exactly that one change, and only on rows assigned
to the calling utförare (app.utforare).

Revision ID: c5001
Revises: c4002
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

from devstack.migration_ops import grant_function

revision: str = "c5001"
down_revision: str | None = "c4002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "case_bevakning_slapp_utforare(uuid, text)"


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION case_bevakning_slapp_utforare(p_objekt uuid, p_typ text) RETURNS integer
            LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
            WITH released AS (
                UPDATE bevakning SET utforare = NULL, version = version + 1
                WHERE objekt_id = p_objekt AND typ = p_typ AND status IN ('oppen', 'forsenad')
                  AND utforare = nullif(current_setting('app.utforare', true), '')
                RETURNING 1
            )
            SELECT count(*)::integer FROM released $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    grant_function(SIGNATURE)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
