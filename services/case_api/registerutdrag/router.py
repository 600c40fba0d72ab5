"""GET /v1/personer/{person_id}/registerutdrag, for the kvalitetssamordnare."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from case_api.dependencies import Caller
from case_api.registerutdrag import service as utdrag_service
from case_api.registerutdrag.schemas import Registerutdrag
from common.clock import ClockDep
from common.db import SessionDep

router = APIRouter(prefix="/v1/personer", tags=["registerutdrag"])


@router.get(
    "/{person_id}/registerutdrag",
    response_model=Registerutdrag,
    summary="Registerutdrag: everything stored about one person, and who accessed it",
)
async def get_registerutdrag(
    person_id: uuid.UUID,
    caller: Caller,
    session: SessionDep,
    clock: ClockDep,
    skal: Annotated[str | None, Query(max_length=500, description="The request this answers; logged")] = None,
) -> Registerutdrag:
    return await utdrag_service.upratta(session, vem=caller, person_id=person_id, clock=clock, skal=skal)
