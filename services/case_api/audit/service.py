"""The audit log: append (logga, logga_manga), verify the chain, and loggkontroll.

Appends join the caller's transaction: if the row cannot be written the request fails, and if
the request rolls back so does its audit row (refusals are recorded separately, see
case_api.audit.dependencies). Reading the log is itself logged, as handling "loggkontroll".

Appending is a plain INSERT that takes no lock: the sealer (case_api.audit.sealer) chains
committed rows by hash afterwards, so audited requests never wait on each other.
"""

import math
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from case_api.audit import kedja
from case_api.audit import repository as audit_repository
from case_api.audit.models import UTFALL
from case_api.audit.schemas import (
    AnvandareAntal,
    Forankring,
    Fordelning,
    Fordelningsintervall,
    Kedjebrott,
    LoggPage,
    LoggPost,
    MangaPersonerRapport,
    SkyddadePersonerRapport,
    SkyddadPersonAtkomst,
    Verifiering,
)
from common.auth import Principal
from common.clock import Clock, system_clock
from common.deferred_writes import defer
from common.logging import current_request_id

Rad = tuple[uuid.UUID | None, uuid.UUID | None, uuid.UUID | None]  # objekt_id, person_id, arende_id

LOGGKONTROLL = "loggkontroll"
_AUDIT_INSERT = """
    INSERT INTO audit_logg (at, sub, roller, enhet, utforare, handling, objekt_typ, objekt_id,
                            person_id, arende_id, skal, request_id, utfall)
    SELECT at, sub, roller, enhet, utforare, handling, objekt_typ, objekt_id,
           person_id, arende_id, skal, request_id, utfall
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS a(
        at timestamptz, sub text, roller text[], enhet text, utforare text, handling text,
        objekt_typ text, objekt_id uuid, person_id uuid, arende_id uuid, skal text,
        request_id text, utfall text)
"""
VERIFY_BATCH = 5000
# Upper bounds (inclusive) of the distribution's intervals of distinct persons per user.
FORDELNING_GRANSER = (1, 5, 10, 25, 50, 100, 250, 500, 1000)


def _clock(session: AsyncSession) -> Clock:
    # The request session carries the app's clock (common.db); a worker may set its own.
    clock: Clock = session.info.get("clock", system_clock)
    return clock


async def logga(
    session: AsyncSession,
    *,
    vem: Principal,
    handling: str,
    objekt_typ: str,
    objekt_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
    arende_id: uuid.UUID | None,
    skal: str | None = None,
    utfall: str = "tillaten",
    nu: datetime | None = None,
) -> None:
    """Record one access in the caller's transaction. `nu` defaults to the session's clock."""
    await _append(
        session,
        vem=vem,
        handling=handling,
        objekt_typ=objekt_typ,
        rader=[(objekt_id, person_id, arende_id)],
        skal=skal,
        utfall=utfall,
        nu=nu,
    )


async def logga_manga(
    session: AsyncSession,
    *,
    vem: Principal,
    handling: str,
    objekt_typ: str,
    rader: Sequence[Rad],
    skal: str | None = None,
    nu: datetime | None = None,
) -> None:
    """Record a list or search result: one row per (objekt_id, person_id, arende_id)."""
    await _append(
        session,
        vem=vem,
        handling=handling,
        objekt_typ=objekt_typ,
        rader=rader,
        skal=skal,
        utfall="tillaten",
        nu=nu,
    )


async def _append(
    session: AsyncSession,
    *,
    vem: Principal,
    handling: str,
    objekt_typ: str,
    rader: Sequence[Rad],
    skal: str | None,
    utfall: str,
    nu: datetime | None,
) -> None:
    if utfall not in UTFALL:
        raise ValueError(f"utfall must be one of {UTFALL}, not {utfall!r}")
    if not handling or not objekt_typ:
        raise ValueError("handling and objekt_typ are required")
    if not rader:
        return
    common: dict[str, Any] = {
        "at": nu or _clock(session)(),
        "sub": vem.sub,
        "roller": sorted(role.value for role in vem.roles),
        "enhet": vem.enhet,
        "utforare": vem.utforare,
        "handling": handling,
        "objekt_typ": objekt_typ,
        "skal": skal,
        "request_id": current_request_id(),
        "utfall": utfall,
    }
    rows = [
        {**common, "objekt_id": objekt_id, "person_id": person_id, "arende_id": arende_id}
        for objekt_id, person_id, arende_id in rader
    ]
    # Written with the transaction's events as it commits (common.deferred_writes).
    defer(session, "audit_logg", _AUDIT_INSERT, rows=True).rows.extend(rows)  # type: ignore[union-attr]


async def verifiera(session: AsyncSession, *, vem: Principal, batch: int = VERIFY_BATCH) -> Verifiering:
    """Walk the sealed chain in position order; report the first broken link, how many there
    are, what is not sealed yet, and whether the newest anchor still matches the chain."""
    expected_prev = kedja.GENESIS
    last_position, antal, brott = 0, 0, 0
    forsta: Kedjebrott | None = None
    while rows := await audit_repository.chain_batch(session, after_position=last_position, limit=batch):
        for row in rows:
            antal += 1
            fault = _check_link(row, expected_prev, last_position + 1)
            if fault is not None:
                brott += 1
                forsta = forsta or fault
            # Continue from the stored hash, so one altered row is one break, not all that follow.
            expected_prev = row.hash
            last_position = row.position
    oforseglade, aldsta = await audit_repository.unsealed(session)
    nu = _clock(session)()
    result = Verifiering(
        ok=brott == 0,
        antal=antal,
        antal_brott=brott,
        forsta_brott=forsta,
        senaste_position=last_position if antal else None,
        senaste_hash=expected_prev if antal else None,
        antal_oforseglade=oforseglade,
        aldsta_oforseglade_sekunder=max(0.0, (nu - aldsta).total_seconds()) if aldsta else None,
        forankring=await _check_anchor(session),
    )
    if result.forankring is not None and not result.forankring.stammer:
        result.ok = False
    await logga(
        session,
        vem=vem,
        handling=LOGGKONTROLL,
        objekt_typ="audit_verifiering",
        objekt_id=None,
        person_id=None,
        arende_id=None,
    )
    return result


def _check_link(row: Any, expected_prev: str, expected_position: int) -> Kedjebrott | None:
    if row.prev_hash != expected_prev or row.position != expected_position:
        # A position missing or a prev_hash that is not the previous hash: a row removed,
        # inserted or relinked.
        return Kedjebrott(
            position=row.position, id=row.id, fel="lank", forvantad=expected_prev, lagrad=row.prev_hash
        )
    recomputed = kedja.row_hash(row.prev_hash, row._mapping)
    if recomputed != row.hash:
        return Kedjebrott(position=row.position, id=row.id, fel="hash", forvantad=recomputed, lagrad=row.hash)
    return None


async def _check_anchor(session: AsyncSession) -> Forankring | None:
    anchor = await audit_repository.latest_anchor(session)
    if anchor is None:
        return None
    stored = await audit_repository.chain_entry(session, position=anchor.position)
    return Forankring(position=anchor.position, hash=anchor.hash, stammer=stored == anchor.hash)


async def atkomster_till_person(session: AsyncSession, *, person_id: uuid.UUID) -> list[LoggPost]:
    """Every audit row about one person, oldest first (for the registerutdrag)."""
    rows = await audit_repository.for_person(session, person_id=person_id)
    return [LoggPost.model_validate(row._mapping) for row in rows]


def encode_cursor(before_id: int) -> str:
    # The id the next page starts below: any string of digits is a valid cursor, so no
    # schema-valid request is refused (an id past the end gives an empty page).
    return str(before_id)


async def sok(
    session: AsyncSession,
    *,
    vem: Principal,
    person_id: uuid.UUID | None = None,
    arende_id: uuid.UUID | None = None,
    sub: str | None = None,
    fran: datetime | None = None,
    till: datetime | None = None,
    handling: str | None = None,
    utfall: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    skal: str | None = None,
) -> LoggPage:
    """Loggkontroll: the log filtered, newest first, by cursor."""
    before_id = int(cursor) if cursor is not None else None
    rows = await audit_repository.page(
        session,
        person_id=person_id,
        arende_id=arende_id,
        sub=sub,
        fran=fran,
        till=till,
        handling=handling,
        utfall=utfall,
        before_id=before_id,
        limit=limit + 1,
    )
    poster = [LoggPost.model_validate(row._mapping) for row in rows[:limit]]
    nasta = encode_cursor(poster[-1].id) if len(rows) > limit else None
    # Who looked at whose log: one row per person the page (or the filter) is about.
    personer = {p.person_id for p in poster if p.person_id is not None}
    if person_id is not None:
        personer.add(person_id)
    await _logga_kontroll(session, vem=vem, objekt_typ="audit_logg", personer=personer, skal=skal)
    return LoggPage(items=poster, next_cursor=nasta)


async def _logga_kontroll(
    session: AsyncSession, *, vem: Principal, objekt_typ: str, personer: set[uuid.UUID], skal: str | None
) -> None:
    rader: list[Rad] = [(None, p, None) for p in sorted(personer)] or [(None, None, None)]
    await logga_manga(session, vem=vem, handling=LOGGKONTROLL, objekt_typ=objekt_typ, rader=rader, skal=skal)


async def skyddade_personer(
    session: AsyncSession, *, vem: Principal, fran: datetime, till: datetime, skal: str | None = None
) -> SkyddadePersonerRapport:
    """Every user's accesses to persons with skyddad identitet in [fran, till)."""
    rows = list(await audit_repository.protected_person_accesses(session, fran=fran, till=till))
    atkomster = [
        SkyddadPersonAtkomst.model_validate({**row._mapping, "enheter": row.enheter or []}) for row in rows
    ]
    await _logga_kontroll(
        session,
        vem=vem,
        objekt_typ="rapport_skyddade_personer",
        personer={a.person_id for a in atkomster},
        skal=skal,
    )
    return SkyddadePersonerRapport(fran=fran, till=till, atkomster=atkomster)


def _percentile(sorted_values: Sequence[int], p: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not sorted_values:
        return None
    position = p * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def fordelning(counts: Sequence[int]) -> Fordelning:
    values = sorted(counts)
    intervall: list[Fordelningsintervall] = []
    lower = 1
    for upper in (*FORDELNING_GRANSER, None):
        n = sum(1 for v in values if v >= lower and (upper is None or v <= upper))
        intervall.append(Fordelningsintervall(fran=lower, till=upper, anvandare=n))
        if upper is not None:
            lower = upper + 1
    return Fordelning(
        anvandare=len(values),
        median=_percentile(values, 0.5),
        p90=_percentile(values, 0.9),
        p99=_percentile(values, 0.99),
        max=values[-1] if values else None,
        intervall=intervall,
    )


async def manga_personer(
    session: AsyncSession,
    *,
    vem: Principal,
    fran: datetime,
    till: datetime,
    troskel: int,
    handling: str | None = None,
    skal: str | None = None,
) -> MangaPersonerRapport:
    """Users who accessed more than `troskel` distinct persons in [fran, till), and how all users spread."""
    rows = await audit_repository.distinct_persons_per_user(session, fran=fran, till=till, handling=handling)
    over = [
        AnvandareAntal(sub=row.sub, personer=row.personer, atkomster=row.atkomster)
        for row in rows
        if row.personer > troskel
    ]
    await _logga_kontroll(session, vem=vem, objekt_typ="rapport_manga_personer", personer=set(), skal=skal)
    return MangaPersonerRapport(
        fran=fran,
        till=till,
        troskel=troskel,
        over_troskel=over,
        fordelning=fordelning([row.personer for row in rows]),
    )
