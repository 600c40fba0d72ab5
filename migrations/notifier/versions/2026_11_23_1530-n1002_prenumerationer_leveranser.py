"""Subscriptions, the e-mail directory, deliveries and their attempts.

Revision ID: n1002
Revises: n1001
Create Date: 2026-11-23 15:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "n1002"
down_revision: str | None = "n1001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE prenumeration (
            id uuid NOT NULL,
            kind text NOT NULL,
            url text,
            event_typer jsonb NOT NULL,
            enhet text,
            tillat_personuppgifter boolean NOT NULL,
            hemlighet text,
            tidigare_hemlighet text,
            tidigare_hemlighet_till timestamptz,
            status text NOT NULL,
            inaktiverad_orsak text,
            skapad_av text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            version integer NOT NULL,
            CONSTRAINT pk_prenumeration PRIMARY KEY (id),
            CONSTRAINT ck_prenumeration_kind CHECK (kind IN ('webhook', 'epost')),
            CONSTRAINT ck_prenumeration_status CHECK (status IN ('aktiv', 'inaktiverad'))
        )
        """
    )
    op.execute("CREATE INDEX ix_prenumeration_enhet ON prenumeration (enhet)")
    op.execute(
        """
        CREATE TABLE mottagare (
            sub text NOT NULL,
            epost text NOT NULL,
            enhet text NOT NULL,
            roll text NOT NULL,
            aktiv boolean NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            version integer NOT NULL,
            CONSTRAINT pk_mottagare PRIMARY KEY (sub)
        )
        """
    )
    op.execute("CREATE INDEX ix_mottagare_enhet ON mottagare (enhet)")
    op.execute(
        """
        CREATE TABLE leverans (
            id uuid NOT NULL,
            inbox_event_id uuid NOT NULL,
            prenumeration_id uuid NOT NULL,
            mottagare_epost text,
            arende_id uuid,
            sekvens bigint,
            status text NOT NULL,
            forsok integer NOT NULL,
            next_attempt_at timestamptz NOT NULL,
            lease_until timestamptz,
            lease_token uuid,
            senaste_fel text,
            created_at timestamptz NOT NULL,
            levererad_at timestamptz,
            CONSTRAINT pk_leverans PRIMARY KEY (id),
            CONSTRAINT fk_leverans_inbox_event_id_inbox_event
                FOREIGN KEY (inbox_event_id) REFERENCES inbox_event (id),
            CONSTRAINT fk_leverans_prenumeration_id_prenumeration
                FOREIGN KEY (prenumeration_id) REFERENCES prenumeration (id),
            CONSTRAINT ck_leverans_status
                CHECK (status IN ('vantar', 'levererad', 'misslyckad', 'dodsbrev', 'avbruten'))
        )
        """
    )
    op.execute("CREATE INDEX ix_leverans_inbox_event_id ON leverans (inbox_event_id)")
    op.execute("CREATE INDEX ix_leverans_prenumeration_id ON leverans (prenumeration_id)")
    # The delivery worker's queue, and the per-ärende ordering check: pending rows only.
    op.execute(
        "CREATE INDEX ix_leverans_due ON leverans (next_attempt_at) WHERE status IN ('vantar', 'misslyckad')"
    )
    op.execute(
        "CREATE INDEX ix_leverans_order ON leverans (prenumeration_id, arende_id, sekvens) "
        "WHERE status IN ('vantar', 'misslyckad')"
    )
    op.execute(
        """
        CREATE TABLE leveransforsok (
            id bigint GENERATED ALWAYS AS IDENTITY,
            leverans_id uuid NOT NULL,
            at timestamptz NOT NULL,
            statuskod integer,
            fel text,
            duration_ms integer NOT NULL,
            CONSTRAINT pk_leveransforsok PRIMARY KEY (id),
            CONSTRAINT fk_leveransforsok_leverans_id_leverans
                FOREIGN KEY (leverans_id) REFERENCES leverans (id)
        )
        """
    )
    op.execute("CREATE INDEX ix_leveransforsok_leverans_id ON leveransforsok (leverans_id)")


def downgrade() -> None:
    op.execute("DROP TABLE leveransforsok")
    op.execute("DROP TABLE leverans")
    op.execute("DROP TABLE mottagare")
    op.execute("DROP TABLE prenumeration")
