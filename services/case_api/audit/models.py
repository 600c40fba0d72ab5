import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Identity, Index, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from case_api.database import CaseTable

UTFALL = ("tillaten", "nekad")


class AuditLogg(CaseTable, table=True):
    """One access to a person's data (or a refusal), chained to the row before it by hashes.

    Append-only: the app role may only SELECT and INSERT, and triggers refuse UPDATE, DELETE
    and TRUNCATE for everyone (migration c3001).
    """

    __tablename__ = "audit_logg"
    __table_args__ = (
        CheckConstraint("utfall IN ('tillaten', 'nekad')", name="utfall"),
        CheckConstraint("hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$'", name="hash_hex"),
        Index("ix_audit_logg_person_id_id", "person_id", "id"),
        Index("ix_audit_logg_sub_id", "sub", "id"),
        Index("ix_audit_logg_at", "at"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sub: str = Field(sa_column=Column(Text, nullable=False))
    roller: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    enhet: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    utforare: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    handling: str = Field(sa_column=Column(Text, nullable=False))
    objekt_typ: str = Field(sa_column=Column(Text, nullable=False))
    objekt_id: uuid.UUID | None = Field(default=None)
    person_id: uuid.UUID | None = Field(default=None)
    arende_id: uuid.UUID | None = Field(default=None)
    skal: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    request_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    utfall: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_column=Column(Text, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))
