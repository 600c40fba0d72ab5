"""Loggkontroll and chain verification, for the kvalitetssamordnare."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from case_api.audit import service as audit_service
from case_api.audit.schemas import (
    LoggPage,
    MangaPersonerRapport,
    SkyddadePersonerRapport,
    Tidpunkt,
    Utfall,
    Verifiering,
)
from case_api.dependencies import Caller
from case_api.settings import Settings
from common.db import SessionDep

router = APIRouter(prefix="/v1/audit", tags=["audit"])

Skal = Annotated[
    str | None,
    Query(max_length=500, description="Why you look (e.g. the investigation it belongs to); logged"),
]
# Periods are half-open, [fran, till): one that ends before it starts is empty, not an error.
# Times, not dates, so the names say `_tid` (docs/api.md: `fran`/`till` always take dates).
Fran = Annotated[
    Tidpunkt, Query(alias="fran_tid", description="Start of the period (inclusive), RFC 3339 with offset")
]
Till = Annotated[
    Tidpunkt,
    Query(alias="till_tid", description="End of the period (exclusive); till_tid <= fran_tid is empty"),
]


@router.get("/verifiering", response_model=Verifiering, summary="Verify the audit log's hash chain")
async def verify_auditkedja(caller: Caller, session: SessionDep) -> Verifiering:
    return await audit_service.verifiera(session, vem=caller)


@router.get(
    "/logg",
    response_model=LoggPage,
    summary="Loggkontroll: the audit log by person, user, period, newest first",
)
async def search_auditlogg(
    caller: Caller,
    session: SessionDep,
    person_id: uuid.UUID | None = None,
    arende_id: uuid.UUID | None = None,
    sub: Annotated[str | None, Query(max_length=200)] = None,
    fran: Annotated[Tidpunkt | None, Query(alias="fran_tid", description="From (inclusive)")] = None,
    till: Annotated[Tidpunkt | None, Query(alias="till_tid", description="Until (exclusive)")] = None,
    handling: Annotated[str | None, Query(max_length=50)] = None,
    utfall: Utfall | None = None,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    skal: Skal = None,
) -> LoggPage:
    return await audit_service.sok(
        session,
        vem=caller,
        person_id=person_id,
        arende_id=arende_id,
        sub=sub,
        fran=fran,
        till=till,
        handling=handling,
        utfall=utfall,
        cursor=cursor,
        limit=limit,
        skal=skal,
    )


@router.get(
    "/rapporter/skyddade-personer",
    response_model=SkyddadePersonerRapport,
    summary="Accesses to persons with skyddad identitet in a period, per person and user",
)
async def get_rapport_skyddade_personer(
    caller: Caller, session: SessionDep, fran: Fran, till: Till, skal: Skal = None
) -> SkyddadePersonerRapport:
    return await audit_service.skyddade_personer(session, vem=caller, fran=fran, till=till, skal=skal)


@router.get(
    "/rapporter/manga-personer",
    response_model=MangaPersonerRapport,
    summary="Users who accessed more distinct persons than a threshold in a period, and the distribution",
)
async def get_rapport_manga_personer(
    request: Request,
    caller: Caller,
    session: SessionDep,
    fran: Fran,
    till: Till,
    troskel: Annotated[int | None, Query(ge=0, description="Default: AUDIT_MANGA_PERSONER_TROSKEL")] = None,
    handling: Annotated[
        str | None, Query(max_length=50, description="Count only this handling, e.g. `las` (default: all)")
    ] = None,
    skal: Skal = None,
) -> MangaPersonerRapport:
    settings: Settings = request.app.state.settings
    return await audit_service.manga_personer(
        session,
        vem=caller,
        fran=fran,
        till=till,
        troskel=settings.audit_manga_personer_troskel if troskel is None else troskel,
        handling=handling,
        skal=skal,
    )
