"""Inbox: each received CloudEvent stored once per (source, id), with a fan-out marker.

Revision ID: n1001
Revises: n0001
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "n1001"
down_revision: str | None = "n0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE inbox_event (
            id uuid NOT NULL,
            source text NOT NULL,
            event_id text NOT NULL,
            type text NOT NULL,
            subject text,
            enhet text,
            arende_id uuid,
            sekvens bigint,
            event json NOT NULL,
            received_at timestamptz NOT NULL,
            fanned_out_at timestamptz,
            CONSTRAINT pk_inbox_event PRIMARY KEY (id),
            CONSTRAINT uq_inbox_event_source_event_id UNIQUE (source, event_id)
        )
        """
    )
    # The fan-out worker's queue: only rows not yet fanned out are indexed.
    op.execute(
        "CREATE INDEX ix_inbox_event_pending_fan_out ON inbox_event (received_at) WHERE fanned_out_at IS NULL"
    )


def downgrade() -> None:
    op.execute("DROP TABLE inbox_event")
