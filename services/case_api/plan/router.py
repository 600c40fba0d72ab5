import uuid

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.kontext import Ctx
from case_api.laddning import hamta, hamta_for_kommando
from case_api.plan import service
from case_api.plan.models import Genomforandeplan
from case_api.plan.schemas import (
    FaststallandeIn,
    GenomforandeplanIn,
    GenomforandeplanOut,
    GenomforandeplanPage,
)
from case_api.responses import COMMAND, CREATE, LIST, READ
from case_api.tillstand import anrop
from case_api.uppdrag.models import Uppdrag
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from common.pagination import CursorParam, LimitParam, number_keyed_page

router = APIRouter(prefix="/v1", tags=["genomforandeplaner"])


def ut(p: Genomforandeplan) -> GenomforandeplanOut:
    return GenomforandeplanOut.model_validate({**p.model_dump(), **anrop("genomforandeplan", p.status, p.id)})


@router.post(
    "/uppdrag/{uppdrag_id}/genomforandeplaner",
    status_code=201,
    response_model=GenomforandeplanOut,
    responses=CREATE,
    summary="Draft a genomförandeplan, or a new version of it",
)
async def draft_genomforandeplan(
    k: Ctx, uppdrag_id: uuid.UUID, body: GenomforandeplanIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        uppdrag = await hamta_for_kommando(
            k, Uppdrag, uppdrag_id, objekt="uppdrag", if_match=None, etag_kravs=False
        )
        plan = await service.upratta(k, uppdrag=uppdrag, indata=body)
        await k.logga("genomforandeplan", plan)
        headers = {"ETag": etag(plan.version), "Location": f"/v1/genomforandeplaner/{plan.id}"}
        return outcome(201, ut(plan), headers)

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"draft_genomforandeplan:{uppdrag_id}",
        body=body,
        work=work,
    )


@router.get(
    "/uppdrag/{uppdrag_id}/genomforandeplaner",
    response_model=GenomforandeplanPage,
    responses=LIST | {404: READ[404]},
    summary="The versions of the uppdrag's genomförandeplan, the first first",
    description="The utförare the uppdrag was sent to and the beställare's enhet.",
)
async def list_genomforandeplaner(
    k: Ctx, uppdrag_id: uuid.UUID, cursor: CursorParam = None, limit: LimitParam = 50
) -> GenomforandeplanPage:
    uppdrag = await hamta(k, Uppdrag, uppdrag_id, objekt="uppdrag")
    query = select(Genomforandeplan).where(col(Genomforandeplan.uppdrag_id) == uppdrag.id)
    page, nasta = await number_keyed_page(
        k.session, query, key=col(Genomforandeplan.versionsnummer), cursor=cursor, limit=limit
    )
    # One uppdrag's plans are one child's: one audit row, for the uppdrag they belong to.
    await k.logga("genomforandeplaner", uppdrag)
    return GenomforandeplanPage(items=[ut(p) for p in page], next_cursor=nasta)


@router.get(
    "/genomforandeplaner/{plan_id}",
    response_model=GenomforandeplanOut,
    responses=READ,
    summary="One version of a genomförandeplan",
)
async def get_genomforandeplan(k: Ctx, plan_id: uuid.UUID, response: Response) -> GenomforandeplanOut:
    plan = await hamta(k, Genomforandeplan, plan_id, objekt="genomförandeplan")
    set_etag(response, plan.version)
    await k.logga("genomforandeplan", plan)
    return ut(plan)


@router.post(
    "/genomforandeplaner/{plan_id}/faststallande",
    response_model=GenomforandeplanOut,
    responses=COMMAND,
    summary="Establish the plan: signed, and a copy given",
)
async def establish_genomforandeplan(
    k: Ctx, plan_id: uuid.UUID, body: FaststallandeIn, response: Response, if_match: IfMatch = None
) -> GenomforandeplanOut:
    plan = await hamta_for_kommando(
        k, Genomforandeplan, plan_id, objekt="genomförandeplan", if_match=if_match
    )
    await service.faststall(k, plan=plan, indata=body)
    set_etag(response, plan.version)
    await k.logga("genomforandeplan", plan)
    return ut(plan)
