"""The bevakning list: keyset-paged by (forfallodatum, id), every filter an index can serve."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select, tuple_
from sqlmodel import col

from case_api.bevakning.models import Bevakning


@dataclass(frozen=True)
class BevakningFilter:
    arende_id: uuid.UUID | None = None
    enhet: str | None = None
    handlaggare: str | None = None
    utforare: str | None = None
    typ: str | None = None
    status: str | None = None
    forfaller_fore: date | None = None
    forfaller_efter: date | None = None


def list_query(f: BevakningFilter, *, after: tuple[date, uuid.UUID] | None, limit: int) -> Select[Bevakning]:
    query = select(Bevakning)
    for column, value in (
        (col(Bevakning.arende_id), f.arende_id),
        (col(Bevakning.enhet), f.enhet),
        (col(Bevakning.handlaggare), f.handlaggare),
        (col(Bevakning.utforare), f.utforare),
        (col(Bevakning.typ), f.typ),
        (col(Bevakning.status), f.status),
    ):
        if value is not None:
            query = query.where(column == value)
    if f.forfaller_fore is not None:
        query = query.where(col(Bevakning.forfallodatum) < f.forfaller_fore)
    if f.forfaller_efter is not None:
        query = query.where(col(Bevakning.forfallodatum) > f.forfaller_efter)
    if after is not None:
        query = query.where(tuple_(col(Bevakning.forfallodatum), col(Bevakning.id)) > tuple_(*after))
    return query.order_by(col(Bevakning.forfallodatum), col(Bevakning.id)).limit(limit)
