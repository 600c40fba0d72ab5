"""GET /v1/regler: the rule table, read-only, so a front end can show why a date is what it is."""

from typing import Annotated

from fastapi import APIRouter, Path, Request

from case_api.dependencies import Caller
from case_api.regler import service
from case_api.regler.schemas import RegelLista, RegelRead
from case_api.settings import Settings

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
