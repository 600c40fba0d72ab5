"""Cursor pagination: an opaque token over the sort key of the last row returned."""

import base64
import json
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from common.cursor import InvalidCursor

T = TypeVar("T")

CursorParam = Annotated[
    str | None, Query(max_length=500, description="The `next_cursor` of the previous page.")
]
LimitParam = Annotated[int, Query(ge=1, le=500, description="Items per page.")]


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next page (null: no more).

    Subclass it per item type (`class ArendePage(Page[ArendeOut])`): the spec would name
    `Page[ArendeOut]` itself `Page_ArendeOut_`, and generated clients name classes after it."""

    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last.")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise _invalid("not base64 JSON") from None
    if not isinstance(values, list) or len(values) != arity:
        raise _invalid(f"not a list of {arity} values")
    return values


def _invalid(message: str) -> InvalidCursor:
    # One status for a bad cursor on every list (422, like any other invalid query value).
    return InvalidCursor(errors=[{"field": "query.cursor", "message": message, "code": "cursor"}])


def decode_time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """A cursor over (timestamp, id), typed: the database compares a timestamptz, not a string."""
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        at = datetime.fromisoformat(str(values[0]))
        if at.tzinfo is None:
            raise ValueError("naive")
        return at, uuid.UUID(str(values[1]))
    except ValueError:
        raise _invalid("not a (time, id) pair") from None


async def time_keyed_page(
    session: AsyncSession,
    query: Select[Any],
    *,
    at: Mapped[datetime],
    id_: Mapped[uuid.UUID],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of `query` ordered by (at, id) after the cursor, and the cursor of the next."""
    after = decode_time_cursor(cursor)
    if after is not None:
        query = query.where(tuple_(at, id_) > tuple_(*after))
    rows = list((await session.execute(query.order_by(at, id_).limit(limit + 1))).scalars())
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    last = page[-1]
    # The mapped attributes name their columns (`.key`), so the cursor is read off the last row.
    at_key, id_key = getattr(at, "key"), getattr(id_, "key")  # noqa: B009
    return page, encode_cursor([getattr(last, at_key).isoformat(), str(getattr(last, id_key))])


async def number_keyed_page(
    session: AsyncSession, query: Select[Any], *, key: Mapped[int], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of `query` ordered by a unique integer (a sequence, a version number)."""
    values = decode_cursor(cursor, 1)
    if values is not None:
        if not isinstance(values[0], int) or isinstance(values[0], bool):
            raise _invalid("not a number")
        query = query.where(key > values[0])
    rows = list((await session.execute(query.order_by(key).limit(limit + 1))).scalars())
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode_cursor([getattr(page[-1], getattr(key, "key"))])  # noqa: B009


def _iso_date_only(value: object) -> object:
    # Lax parsing would read "0" as 1970-01-01; a query date is written YYYY-MM-DD or refused.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
