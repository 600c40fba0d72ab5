"""Tolkbehov (issue 14 item 2): the language, or sign language, a person needs an interpreter
for, recorded by the enhet beside its other details about the person (person_uppgifter), and
so read by an utförare through the uppdrag as the rest of that record is.

Revision ID: c1404
Revises: c1504
Create Date: 2026-12-03 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1404"
down_revision: str | None = "c1504"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("person_uppgifter", sa.Column("tolkbehov", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("person_uppgifter", "tolkbehov")
