"""outbox_event.traceparent: the W3C trace context of the request that wrote the event, sent with
it as the CloudEvents distributed-tracing extension (issue 13). Null for workers' events.

Revision ID: c1301
Revises: c1503
Create Date: 2026-12-03 14:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c1301"
down_revision: str | None = "c1503"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE outbox_event ADD COLUMN traceparent text")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox_event DROP COLUMN traceparent")
