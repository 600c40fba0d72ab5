"""Refusals are audited too: the hook common.problems calls for a 403 or 404 on /v1.

The request's own transaction has rolled back by then, so the `nekad` row is written in a
transaction of its own. Without an authenticated caller (401, unknown path) there is nobody
to record.
"""

import uuid

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from case_api.audit import service as audit_service
from common.auth import Principal, operation_id
from common.clock import request_clock

# Path segments whose {id} names a person or an ärende, for the refusal's person_id / arende_id.
_PERSON_SEGMENTS = frozenset({"personer", "person"})
_ARENDE_SEGMENTS = frozenset({"arenden", "arende"})


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def refused_ids(template: str, params: dict[str, object]) -> tuple[uuid.UUID | None, ...]:
    """(objekt_id, person_id, arende_id) read from the route template and its path parameters.

    `/v1/arenden/{id}` gives arende_id; `/v1/personer/{person_id}/...` gives person_id; the
    last id in the path is the object the caller tried to reach.
    """
    objekt_id = person_id = arende_id = None
    segments = template.strip("/").split("/")
    for previous, segment in zip(["", *segments], segments, strict=False):
        if not (segment.startswith("{") and segment.endswith("}")):
            continue
        name = segment[1:-1].split(":")[0]
        value = _uuid(params.get(name))
        if value is None:
            continue
        objekt_id = value
        if name == "person_id" or previous in _PERSON_SEGMENTS:
            person_id = value
        if name == "arende_id" or previous in _ARENDE_SEGMENTS:
            arende_id = value
    return objekt_id, person_id, arende_id


def _handling(method: str, has_id: bool) -> str:
    if method in ("GET", "HEAD"):
        return "las"
    if method == "POST" and not has_id:
        return "skapa"
    return "andra"


async def logga_nekad(request: Request, status: int, slug: str) -> None:
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        return
    route = request.scope.get("route")
    template = str(getattr(route, "path", request.url.path))
    objekt_id, person_id, arende_id = refused_ids(template, dict(request.path_params))
    # A problem may name the person it was refused for (a missing samtycke).
    person_id = getattr(getattr(request.state, "refused_problem", None), "audit_person_id", None) or person_id
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with factory() as session, session.begin():
        session.info["clock"] = request_clock(request)
        await audit_service.logga(
            session,
            vem=principal,
            handling=_handling(request.method, objekt_id is not None),
            objekt_typ=operation_id(request),
            objekt_id=objekt_id,
            person_id=person_id,
            arende_id=arende_id,
            skal=f"{status} {slug}",
            utfall="nekad",
        )
