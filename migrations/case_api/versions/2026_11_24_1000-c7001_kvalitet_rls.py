"""Row-level security on the quality tables: avvikelse, kontaktfamilj and its steps.

Revision ID: c7001
Revises: c5002
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c7001"
down_revision: str | None = "c5002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same scope functions as c1001: no setting means no rows.
POLICY_SQL = {
    "avvikelse": "app_ser_enhet(enhet)",
    "kontaktfamilj": "app_ser_enhet(enhet)",
    # A step is seen with its family (that table's policy applies inside the subquery).
    "kontaktfamilj_utredningssteg": "EXISTS (SELECT 1 FROM kontaktfamilj k"
    " WHERE k.id = kontaktfamilj_utredningssteg.kontaktfamilj_id)",
}


def upgrade() -> None:
    for table, condition in POLICY_SQL.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY scope ON {table} USING ({condition}) WITH CHECK ({condition})")
    # Anyone on staff may report an avvikelse about any enhet (seed 002, 3.1.5), so inserts are
    # admitted whatever the scope; reading and changing one stays within the scope above.
    op.execute("CREATE POLICY rapportera ON avvikelse FOR INSERT WITH CHECK (true)")


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS rapportera ON avvikelse")
    for table in POLICY_SQL:
        op.execute(f"DROP POLICY IF EXISTS scope ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
