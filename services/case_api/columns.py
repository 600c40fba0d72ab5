"""Column helpers the case tables share (fresh Column objects per table, never shared)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def pk() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def ref(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_type=Uuid,
        foreign_key=target,
        nullable=nullable,
        index=index,
    )


def tid(*, nullable: bool = False) -> Any:
    return Field(default=None if nullable else ..., sa_type=DateTime(timezone=True), nullable=nullable)


def text_(*, nullable: bool = False, index: bool = False, default: Any = ...) -> Any:
    if nullable and default is ...:
        default = None
    return Field(default=default, sa_type=Text, nullable=nullable, index=index)


def jsonb(*, factory: Any = dict) -> Any:
    return Field(default_factory=factory, sa_type=JSONB, nullable=False)


__all__ = ["ForeignKey", "datetime", "jsonb", "pk", "ref", "text_", "tid"]
