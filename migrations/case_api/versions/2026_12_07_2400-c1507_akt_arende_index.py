"""An index on arende_id for the three case-file tables without one: GET /v1/arenden/{id}
reads every table of the case file by arende_id in one statement (arenden/repository.las_akt),
and these were read whole each time (a seq scan that grows with every förlängning and
återkoppling recorded anywhere).

Revision ID: c1507
Revises: c1506
Create Date: 2026-12-07 23:59:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c1507"
down_revision: str | None = "c1506"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("forhandsbedomning_forlangning", "aterkoppling", "utredning_forlangning")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_arende_id", table, ["arende_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_arende_id", table_name=table)
