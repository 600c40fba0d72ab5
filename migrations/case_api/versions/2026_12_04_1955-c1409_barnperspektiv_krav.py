"""Barnperspektiv required (issue 14 item 2): every new beslut, and every utredning closed from
now on, carries it. NOT VALID: rows written before it was required keep their NULL.

Revision ID: c1409
Revises: c1408
Create Date: 2026-12-04 19:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c1409"
down_revision: str | None = "c1408"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE beslut ADD CONSTRAINT ck_beslut_barnperspektiv "
        "CHECK (barnperspektiv IS NOT NULL) NOT VALID"
    )
    op.execute(
        "ALTER TABLE utredning ADD CONSTRAINT ck_utredning_barnperspektiv "
        "CHECK (status <> 'avslutad' OR barnperspektiv IS NOT NULL) NOT VALID"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE utredning DROP CONSTRAINT ck_utredning_barnperspektiv")
    op.execute("ALTER TABLE beslut DROP CONSTRAINT ck_beslut_barnperspektiv")
