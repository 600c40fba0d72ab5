"""Outbox relay state: one delivery row per outbox event, and the wake-up notification.

The outbox itself stays append-only; the relay's mutable state (status, attempts, lease)
lives in `outbox_delivery`, filled by a trigger so every insert path gets a row. The same
trigger calls pg_notify('outbox'), which PostgreSQL delivers at commit (and folds into one
per transaction, the payload being constant), so relays wake exactly when there is
committed work.

Revision ID: c2001
Revises: c1001
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c2001"
down_revision: str | None = "c1001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE outbox_delivery (
            outbox_id uuid NOT NULL,
            seq bigint NOT NULL,
            arende_id uuid,
            status text NOT NULL DEFAULT 'pending',
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz,
            lease_until timestamptz,
            lease_owner text,
            sent_at timestamptz,
            last_error text,
            CONSTRAINT pk_outbox_delivery PRIMARY KEY (outbox_id),
            CONSTRAINT fk_outbox_delivery_outbox_id_outbox_event
                FOREIGN KEY (outbox_id) REFERENCES outbox_event (id),
            CONSTRAINT ck_outbox_delivery_status CHECK (status IN ('pending', 'sent', 'dead')),
            CONSTRAINT ck_outbox_delivery_attempts CHECK (attempts >= 0)
        )
        """
    )
    # Partial indexes: sent rows (nearly all of history) drop out, so the claim costs what
    # is pending, not what is stored.
    op.execute("CREATE INDEX ix_outbox_delivery_pending ON outbox_delivery (seq) WHERE status = 'pending'")
    op.execute(
        "CREATE INDEX ix_outbox_delivery_unsent_arende ON outbox_delivery (arende_id, seq) "
        "WHERE status <> 'sent' AND arende_id IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_outbox_delivery_dead ON outbox_delivery (seq) WHERE status = 'dead'")
    op.execute(
        """
        CREATE FUNCTION outbox_event_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO outbox_delivery (outbox_id, seq, arende_id)
            VALUES (NEW.id, NEW.seq, NEW.arende_id);
            PERFORM pg_notify('outbox', '');
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER outbox_event_enqueue AFTER INSERT ON outbox_event "
        "FOR EACH ROW EXECUTE FUNCTION outbox_event_enqueue()"
    )
    op.execute(
        "INSERT INTO outbox_delivery (outbox_id, seq, arende_id) SELECT id, seq, arende_id FROM outbox_event"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER outbox_event_enqueue ON outbox_event")
    op.execute("DROP FUNCTION outbox_event_enqueue()")
    op.execute("DROP TABLE outbox_delivery")
