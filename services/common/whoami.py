"""GET /v1/me: the caller as the service sees it (front ends show it; tests use it)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from common.auth import Principal, Role


class WhoAmI(BaseModel):
    sub: str
    name: str | None
    roles: list[Role]
    enhet: str | None
    utforare: str | None


def whoami_router(authorize: Any) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["me"])

    @router.get("/me", response_model=WhoAmI, summary="The caller as the service sees it")
    async def get_me(caller: Annotated[Principal, Depends(authorize)]) -> WhoAmI:
        return WhoAmI(
            sub=caller.sub,
            name=caller.name,
            roles=sorted(caller.roles),
            enhet=caller.enhet,
            utforare=caller.utforare,
        )

    return router
