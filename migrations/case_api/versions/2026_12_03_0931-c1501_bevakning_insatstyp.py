"""A bevakning keeps the insatstyp its due date was computed for, so its explanation link
(GET /v1/regler/{id}/berakning) computes the same date: the uppföljning of a kontaktfamilj
runs 12 months, of other insatser 6.

Revision ID: c1501
Revises: c1101
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1501"
down_revision: str | None = "c1101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bevakning", sa.Column("insatstyp", sa.Text(), nullable=True))
    # Only the uppföljning rule's length depends on the insatstyp; it watches an uppdrag.
    op.execute(
        """
        UPDATE bevakning b SET insatstyp = i.insatstyp
        FROM uppdrag u JOIN insats i ON i.id = u.insats_id
        WHERE b.typ = 'uppfoljning' AND b.objekt_id = u.id
        """
    )


def downgrade() -> None:
    op.drop_column("bevakning", "insatstyp")
