import uuid

from fastapi import APIRouter, Response

from case_api.arenden import service as arende_service
from case_api.insats import service
from case_api.insats.models import Beslut, Insats
from case_api.insats.schemas import BeslutIn, BeslutOut, InsatsAvslutIn, InsatsOut, ServiceinsatsIn
from case_api.kontext import Ctx
from case_api.laddning import hamta, hamta_for_kommando
from case_api.responses import COMMAND, CREATE, READ
from case_api.tillstand import anrop
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1", tags=["beslut"])


def insats_ut(i: Insats) -> InsatsOut:
    return InsatsOut.model_validate({**i.model_dump(), **anrop("insats", i.status, i.id)})


def beslut_ut(b: Beslut, i: Insats | None) -> BeslutOut:
    return BeslutOut.model_validate({**b.model_dump(), "insats": insats_ut(i) if i else None})


@router.post(
    "/beslut",
    status_code=201,
    response_model=BeslutOut,
    responses=CREATE,
    summary="Make a beslut: bifall (with its insats) or avslag",
)
async def make_beslut(k: Ctx, body: BeslutIn, idempotency_key: IdempotencyKey = None) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        arende = await arende_service.las(k, body.arende_id)
        beslut, insats = await service.besluta(k, arende=arende, indata=body)
        await k.logga("beslut", beslut)
        headers = {"Location": f"/v1/beslut/{beslut.id}"}
        return outcome(201, beslut_ut(beslut, insats), headers)

    return await run_idempotent(
        k.session, key=idempotency_key, principal=k.vem.sub, operation="make_beslut", body=body, work=work
    )


@router.get("/beslut/{beslut_id}", response_model=BeslutOut, responses=READ, summary="One beslut")
async def get_beslut(k: Ctx, beslut_id: uuid.UUID) -> BeslutOut:
    beslut = await hamta(k, Beslut, beslut_id, objekt="beslut")
    insats = await service.insats_for_beslut(k, beslut.id)
    await k.logga("beslut", beslut)
    return beslut_ut(beslut, insats)


@router.get("/insatser/{insats_id}", response_model=InsatsOut, responses=READ, summary="One insats")
async def get_insats(k: Ctx, insats_id: uuid.UUID, response: Response) -> InsatsOut:
    insats = await hamta(k, Insats, insats_id, objekt="insats")
    set_etag(response, insats.version)
    await k.logga("insats", insats)
    return insats_ut(insats)


@router.post(
    "/insatser/{insats_id}/avslut",
    response_model=InsatsOut,
    responses=COMMAND,
    summary="End an insats with its reason",
)
async def close_insats(
    k: Ctx, insats_id: uuid.UUID, body: InsatsAvslutIn, response: Response, if_match: IfMatch = None
) -> InsatsOut:
    insats = await hamta_for_kommando(k, Insats, insats_id, objekt="insats", if_match=if_match)
    await service.avsluta(k, insats=insats, indata=body)
    set_etag(response, insats.version)
    await k.logga("insats", insats)
    return insats_ut(insats)


@router.post(
    "/serviceinsatser",
    status_code=201,
    response_model=InsatsOut,
    responses=CREATE,
    summary="Start a serviceinsats (seed 000): samtycke first, no beslut",
)
async def start_serviceinsats(
    k: Ctx, body: ServiceinsatsIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        insats = await service.starta_service(k, indata=body)
        await k.logga("insats", insats)
        headers = {"ETag": etag(insats.version), "Location": f"/v1/insatser/{insats.id}"}
        return outcome(201, insats_ut(insats), headers)

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation="start_serviceinsats",
        body=body,
        work=work,
    )
