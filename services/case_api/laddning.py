"""Loading one object by id for this caller: 404 when it does not exist or is outside scope."""

import uuid
from typing import Any, Protocol, TypeVar

from sqlalchemy import select

from case_api.kontext import Kontext
from common.concurrency import check_if_match
from common.problems import NotFound


class Scoped(Protocol):
    enhet: str


T = TypeVar("T", bound=Scoped)
R = TypeVar("R")


async def hamta(
    k: Kontext, model: type[T], objekt_id: uuid.UUID, *, objekt: str, for_update: bool = False
) -> T:
    return _synlig(k, await k.session.get(model, objekt_id, with_for_update=for_update), objekt)


def forladdad(k: Kontext, model: type[T], objekt_id: uuid.UUID, *, objekt: str) -> T:
    """As `hamta`, from the request's preload (repository.las_akt) instead of a query."""
    return _synlig(k, _ur_forladdning(k, model, objekt_id), objekt)


def _synlig(k: Kontext, obj: T | None, objekt: str) -> T:
    """404 for a row that is not there and for one outside the caller's scope alike."""
    if obj is None:
        raise NotFound(f"No {objekt} with that id.")
    k.krav_synlig(objekt, enhet=obj.enhet, utforare=getattr(obj, "utforare", None))
    return obj


async def las(k: Kontext, model: type[R], objekt_id: uuid.UUID) -> R | None:
    """`session.get`, answered from the request's preload when it holds the row."""
    found = _ur_forladdning(k, model, objekt_id)
    return found if found is not None else await k.session.get(model, objekt_id)


def _ur_forladdning(k: Kontext, model: type[R], objekt_id: uuid.UUID) -> R | None:
    for obj in (k.forladdning or {}).get(model, ()):
        if obj.id == objekt_id:
            return obj  # type: ignore[no-any-return]
    return None


async def hamta_for_andring(
    k: Kontext, model: type[T], objekt_id: uuid.UUID, *, objekt: str, if_match: str | None
) -> T:
    """Lock the row, check scope, then the caller's ETag (428 without, 412 when stale)."""
    obj = await hamta(k, model, objekt_id, objekt=objekt, for_update=True)
    check_if_match(if_match, obj.version)  # type: ignore[attr-defined]
    return obj


class IArende(Scoped, Protocol):
    arende_id: uuid.UUID
    version: int


A = TypeVar("A", bound=IArende)


async def hamta_for_kommando(
    k: Kontext,
    model: type[A],
    objekt_id: uuid.UUID,
    *,
    objekt: str,
    if_match: str | None,
    etag_kravs: bool = True,
) -> A:
    """For a command on an object of an ärende: check scope, lock the ärende (always first, so
    commands never deadlock and the ärende's events commit in order), lock the object, check
    the caller's ETag."""
    from case_api.arenden import service as arende_service

    found = await hamta(k, model, objekt_id, objekt=objekt)
    await arende_service.las_for_ordning(k, found.arende_id)
    obj = await k.session.get(model, objekt_id, with_for_update=True, populate_existing=True)
    assert obj is not None  # locked under the ärende's lock; nothing deletes rows
    if etag_kravs:
        check_if_match(if_match, obj.version)
    return obj


async def rader(k: Kontext, model: type[R], *, ordning: tuple[str, ...] = (), **lika: Any) -> list[R]:
    """The rows of `model` whose columns equal `lika`, ordered by `ordning` and then id.

    From the ärende's preload when the request made one (GET /v1/arenden/{id} reads every kind
    of row of its case file in one statement), else in one query of their own.
    """
    ordning = (*ordning, "id")
    forladdat = k.forladdning.get(model) if k.forladdning is not None else None
    if forladdat is not None:
        found = [r for r in forladdat if all(getattr(r, c) == v for c, v in lika.items())]
        # (is None, value): NULLs last, as PostgreSQL orders them ascending.
        return sorted(found, key=lambda r: tuple((getattr(r, c) is None, getattr(r, c)) for c in ordning))
    query = select(model)
    for column, value in lika.items():
        query = query.where(getattr(model, column) == value)
    query = query.order_by(*(getattr(model, c) for c in ordning))
    return list((await k.session.execute(query)).scalars())
