import uuid

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.kontext import Ctx
from case_api.laddning import hamta, hamta_for_kommando
from case_api.responses import CREATE, READ
from case_api.uppdrag.models import Uppdrag
from case_api.uppfoljning import service
from case_api.uppfoljning.models import Uppfoljning
from case_api.uppfoljning.schemas import UppfoljningIn, UppfoljningOut
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1/uppdrag/{uppdrag_id}/uppfoljningar", tags=["uppfoljningar"])


@router.post(
    "",
    status_code=201,
    response_model=UppfoljningOut,
    responses=CREATE,
    summary="Record an uppföljning of the plan or of the decision",
)
async def record_uppfoljning(
    k: Ctx, uppdrag_id: uuid.UUID, body: UppfoljningIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        uppdrag = await hamta_for_kommando(
            k, Uppdrag, uppdrag_id, objekt="uppdrag", if_match=None, etag_kravs=False
        )
        uppfoljning = await service.dokumentera(k, uppdrag=uppdrag, indata=body)
        await k.logga("uppfoljning", uppfoljning)
        # No URL of its own: an uppföljning is read in its uppdrag's list.
        location = f"/v1/uppdrag/{uppdrag_id}/uppfoljningar"
        return outcome(201, UppfoljningOut.model_validate(uppfoljning), {"Location": location})

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"record_uppfoljning:{uppdrag_id}",
        body=body,
        work=work,
    )


@router.get(
    "", response_model=list[UppfoljningOut], responses=READ, summary="The uppföljningar of an uppdrag"
)
async def list_uppfoljningar(k: Ctx, uppdrag_id: uuid.UUID) -> list[UppfoljningOut]:
    uppdrag = await hamta(k, Uppdrag, uppdrag_id, objekt="uppdrag")
    rows = await k.session.execute(
        select(Uppfoljning).where(col(Uppfoljning.uppdrag_id) == uppdrag_id).order_by(col(Uppfoljning.datum))
    )
    # One uppdrag's uppföljningar are one child's: one row, for the uppdrag they follow up.
    await k.logga("uppfoljningar", uppdrag)
    return [UppfoljningOut.model_validate(u) for u in rows.scalars()]
