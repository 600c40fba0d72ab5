"""An utförare's access ends (issue 14 item 6), and a samtycke records who gave it.

- `uppdrag.samtycke_id`: the samtycke an uppdrag to an external utförare rested on (NULL for
  one inside the nämnd, which needs none, and for uppdrag sent before this revision).
- `uppdrag.atkomst_upphord_at` / `atkomst_upphord_orsak`: when and why the utförare stopped
  reading the child's personal data through the uppdrag: it was declined, ended or withdrawn,
  or its samtycke was withdrawn. An uppdrag in an end state always has them (a CHECK), so a
  path that ends an uppdrag and forgets its access fails instead of leaking.
- The row-level security of `person` and `person_uppgifter` opens a child to an utförare only
  through an uppdrag whose access has not ended: the application's masking has the database
  behind it.
- `samtycke.vardnadshavare`: which vårdnadshavare gave it (their names, one or both; the model
  has no person row for a guardian); empty when the child gave it (from 15).

Uppdrag that ended before this revision get the migration's time as the moment their access
ended; samtycken recorded before it name no vårdnadshavare.

Revision ID: c1407
Revises: c1406
Create Date: 2026-12-04 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1407"
down_revision: str | None = "c1406"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLUT = "('avbojt', 'avslutat', 'aterkallat')"
ORSAKER = "('avbojt', 'avslutat', 'aterkallat', 'samtycke_aterkallat')"

# c1001's person policy and c1103's person_uppgifter policy, the utförare's branch narrowed to
# an uppdrag whose access is still open.
PERSON = (
    "app_ser_enhet(skapad_av_enhet)"
    " OR EXISTS (SELECT 1 FROM arende a WHERE a.person_id = person.id AND app_ser_enhet(a.enhet))"
    " OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.person_id = person.id AND app_ser_utforare(u.utforare){})"
)
UPPGIFTER = (
    "app_ser_enhet(enhet)"
    " OR (kalla = 'folkbokforing'"
    " AND EXISTS (SELECT 1 FROM person p WHERE p.id = person_uppgifter.person_id))"
    " OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.person_id = person_uppgifter.person_id"
    " AND u.enhet = person_uppgifter.enhet AND app_ser_utforare(u.utforare){})"
)
OPPEN = " AND u.atkomst_upphord_at IS NULL"


def _policies(villkor: str) -> None:
    op.execute("DROP POLICY scope ON person")
    person = PERSON.format(villkor)
    op.execute(f"CREATE POLICY scope ON person USING ({person}) WITH CHECK ({person})")
    op.execute("DROP POLICY scope ON person_uppgifter")
    op.execute(
        f"CREATE POLICY scope ON person_uppgifter USING ({UPPGIFTER.format(villkor)})"
        " WITH CHECK (app_ser_enhet(enhet))"
    )


def upgrade() -> None:
    op.add_column("uppdrag", sa.Column("samtycke_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_uppdrag_samtycke_id_samtycke"), "uppdrag", "samtycke", ["samtycke_id"], ["id"]
    )
    op.create_index(op.f("ix_uppdrag_samtycke_id"), "uppdrag", ["samtycke_id"])
    op.add_column("uppdrag", sa.Column("atkomst_upphord_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("uppdrag", sa.Column("atkomst_upphord_orsak", sa.Text(), nullable=True))
    op.execute(
        f"UPDATE uppdrag SET atkomst_upphord_at = coalesce(aterkallat_at, now()),"
        f" atkomst_upphord_orsak = status WHERE status IN {SLUT}"
    )
    op.create_check_constraint(
        op.f("ck_uppdrag_atkomst_upphord"),
        "uppdrag",
        f"(status NOT IN {SLUT} OR atkomst_upphord_at IS NOT NULL)"
        " AND (atkomst_upphord_at IS NULL) = (atkomst_upphord_orsak IS NULL)"
        f" AND (atkomst_upphord_orsak IS NULL OR atkomst_upphord_orsak IN {ORSAKER})",
    )
    _policies(OPPEN)
    op.add_column(
        "samtycke",
        sa.Column(
            "vardnadshavare",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            server_default=sa.text("'[]'::jsonb"),
        ),
    )
    op.alter_column("samtycke", "vardnadshavare", server_default=None)


def downgrade() -> None:
    op.drop_column("samtycke", "vardnadshavare")
    _policies("")
    op.drop_constraint(op.f("ck_uppdrag_atkomst_upphord"), "uppdrag", type_="check")
    op.drop_column("uppdrag", "atkomst_upphord_orsak")
    op.drop_column("uppdrag", "atkomst_upphord_at")
    op.drop_index(op.f("ix_uppdrag_samtycke_id"), table_name="uppdrag")
    op.drop_constraint(op.f("fk_uppdrag_samtycke_id_samtycke"), "uppdrag", type_="foreignkey")
    op.drop_column("uppdrag", "samtycke_id")
