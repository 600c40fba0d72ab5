from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from common.db import SessionDep
from notifier.dependencies import Caller, ClockDep
from notifier.inbox import service as inbox_service
from notifier.inbox.cloudevent import STRUCTURED
from notifier.inbox.exceptions import EventTooLarge
from notifier.inbox.schemas import IngestResult

MAX_EVENT_BYTES = 256 * 1024

router = APIRouter(prefix="/v1", tags=["events"])

_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A CloudEvent 1.0 in structured mode (application/cloudevents+json, or "
        "application/json without ce-* headers), or in binary mode: ce-* headers (ce-id, "
        "ce-source, ce-type, ce-specversion, ce-enhet, ce-arendeid, ce-sekvens, ...) with the "
        "event's data as an application/json body.",
        "content": {
            STRUCTURED: {"schema": {"$ref": "#/components/schemas/CloudEvent"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/CloudEvent"}},
        },
    }
}


@router.post(
    "/events",
    status_code=202,
    response_model=IngestResult,
    summary="Receive a CloudEvent (stored once per source and id)",
    responses={
        200: {"model": IngestResult, "description": "Already stored: acknowledged, nothing done"},
        400: {},
        413: {},
        415: {},
        422: {},
    },
    openapi_extra=_BODY,
)
async def ingest_event(
    request: Request, _caller: Caller, session: SessionDep, clock: ClockDep
) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_EVENT_BYTES:
        raise EventTooLarge(f"At most {MAX_EVENT_BYTES} bytes.")
    result = await inbox_service.ingest(session, headers=request.headers, body=body, clock=clock)
    return JSONResponse(result.model_dump(), status_code=200 if result.duplicate else 202)
