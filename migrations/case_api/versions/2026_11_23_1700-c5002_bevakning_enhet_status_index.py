"""The bevakning list filtered by status ("what is open and due this week") as an ordered
index scan: (enhet, status, forfallodatum, id).

With only (enhet, forfallodatum, id), `enhet = ? AND status = 'oppen' AND forfallodatum < ?
ORDER BY forfallodatum, id` read every row of the enhet before the date (most of them met long
ago) to find the open ones: 13,870 rows per page at a million bevakningar over 50 enheter
(docs/bench.md). With status in the index the page reads its 101 rows.

Revision ID: c5002
Revises: c5001
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c5002"
down_revision: str | None = "c5001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_bevakning_enhet_status_forfallo ON bevakning (enhet, status, forfallodatum, id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_bevakning_enhet_status_forfallo")
