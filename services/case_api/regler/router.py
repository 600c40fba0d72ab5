"""GET /v1/regler: the rule table, read-only, so a front end can show why a date is what it is."""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from case_api.dependencies import Caller
from case_api.insats.schemas import Insatstyp
from case_api.regler import datum, service
from case_api.regler.schemas import BerakningRead, RegelLista, RegelRead
from case_api.responses import READ
from case_api.settings import Settings
from common.problems import Problem, UnprocessableContent

router = APIRouter(prefix="/v1/regler", tags=["regler"])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.get("", response_model=RegelLista, summary="Every time limit the service watches")
async def list_regler(request: Request, _: Caller) -> RegelLista:
    tabell = service.regeltabell(settings=_settings(request))
    return RegelLista(items=[RegelRead.of(r) for r in tabell.values()])


@router.get("/{regel_id}", response_model=RegelRead, summary="One time limit")
async def get_regel(
    request: Request,
    _: Caller,
    regel_id: Annotated[str, Path(max_length=64, examples=["utredning"])],
) -> RegelRead:
    return RegelRead.of(service.hamta_regel(settings=_settings(request), regel_id=regel_id))


def _start(value: str) -> date | datetime:
    # A date is a day already; a time must carry its offset, or it names no instant to place
    # in Stockholm (the same rule as for every timestamp the API takes).
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise UnprocessableContent.field(
            "start", "a date (YYYY-MM-DD) or an RFC 3339 time with offset", "format"
        ) from None
    if instant.utcoffset() is None:
        raise UnprocessableContent.field("start", "a time needs its offset (Z or +01:00)", "naive")
    return instant


BERAKNING_PARAMETRAR = frozenset({"start", "insatstyp", "darefter"})


@router.get(
    "/{regel_id}/berakning",
    response_model=BerakningRead,
    responses={**READ, 422: {"model": Problem}},
    summary="How a due date follows from a start, step by step",
    description="The rule's due date from `start`, with each step in words: the day in "
    "Europe/Stockholm, the length added, a month end clamped, every Saturday, Sunday or "
    "holiday passed with its name, or why the date is not moved. The same computation the "
    "bevakningar use; each bevakning links here for its own date. Reads nothing about any "
    "person: any authenticated role may call it.",
)
async def get_berakning(
    request: Request,
    _: Caller,
    regel_id: Annotated[str, Path(max_length=64, examples=["forhandsbedomning"])],
    start: Annotated[
        str,
        Query(
            min_length=10,
            max_length=40,
            description="A date (2026-03-14) or an RFC 3339 time with offset (2026-03-14T23:30:00Z).",
        ),
    ],
    insatstyp: Annotated[
        Insatstyp | None, Query(description="For rules whose length differs by insatstyp.")
    ] = None,
    darefter: Annotated[
        bool,
        Query(
            description="A later interval of a recurring rule (vårdnadsöverflyttning: a year "
            "after the last övervägande, not the first two years), or a rule's later start "
            "(uppfoljning_efter_vard: from the day a prepared återförening happened, LVU 21 b § "
            "andra stycket)."
        ),
    ] = False,
) -> BerakningRead:
    okanda = sorted(set(request.query_params) - BERAKNING_PARAMETRAR)
    if okanda:
        raise UnprocessableContent.field(okanda[0], "unknown query parameter", "unknown")
    regel = service.hamta_regel(settings=_settings(request), regel_id=regel_id)
    berakning = datum.berakna(regel, _start(start), insatstyp=insatstyp, darefter=darefter)
    return BerakningRead.of(regel, start, insatstyp, berakning, darefter=darefter)
