import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Identity, Index, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from case_api.database import CaseTable

UTFALL = ("tillaten", "nekad")


class AuditLogg(CaseTable, table=True):
    """One access to a person's data (or a refusal).

    Append-only: the app role may only SELECT and INSERT, and triggers refuse UPDATE, DELETE
    and TRUNCATE for everyone (migration c3001). Appending is a plain INSERT; the sealer
    chains committed rows into audit_kedja afterwards (migration c1010). The column `xid`
    (the inserting transaction, xid8, set by its default) is not mapped: only the sealer
    reads it, in SQL.
    """

    __tablename__ = "audit_logg"
    __table_args__ = (
        CheckConstraint("utfall IN ('tillaten', 'nekad')", name="utfall"),
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


class AuditKedja(CaseTable, table=True):
    """The hash chain over sealed audit rows: position n links to n - 1 (append-only)."""

    __tablename__ = "audit_kedja"

    position: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    audit_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("audit_logg.id"), nullable=False, unique=True)
    )
    prev_hash: str = Field(sa_column=Column(Text, nullable=False))
    hash: str = Field(sa_column=Column(Text, nullable=False))
    forseglad_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
