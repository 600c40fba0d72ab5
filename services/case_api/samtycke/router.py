"""Samtycken of a person: register, list, withdraw."""

import uuid

from fastapi import APIRouter, Response

from case_api.kontext import Ctx
from case_api.personer import service as person_service
from case_api.personer.schemas import SamtyckeIn, SamtyckeOut
from case_api.responses import COMMAND, CREATE, READ
from case_api.samtycke import service as samtycke_service
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1", tags=["samtycke"])


@router.post(
    "/personer/{person_id}/samtycken",
    status_code=201,
    response_model=SamtyckeOut,
    responses=CREATE,
    summary="Record a samtycke (vårdnadshavare, or the child from 15) with scope and period",
)
async def register_samtycke(
    person_id: uuid.UUID, k: Ctx, body: SamtyckeIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        samtycke = await samtycke_service.registrera(k, person_id=person_id, indata=body)
        headers = {"ETag": etag(samtycke.version), "Location": f"/v1/personer/{person_id}/samtycken"}
        return outcome(201, person_service.samtycke_ut(samtycke), headers)

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation="register_samtycke",
        body=body,
        work=work,
    )


@router.get(
    "/personer/{person_id}/samtycken",
    response_model=list[SamtyckeOut],
    responses=READ,
    summary="The person's samtycken at your enhet, withdrawn ones included",
)
async def list_samtycken(person_id: uuid.UUID, k: Ctx) -> list[SamtyckeOut]:
    return [person_service.samtycke_ut(s) for s in await samtycke_service.lista(k, person_id=person_id)]


@router.post(
    "/samtycken/{samtycke_id}/aterkallelse",
    response_model=SamtyckeOut,
    responses=COMMAND,
    summary="Withdraw a samtycke from now on",
)
async def withdraw_samtycke(
    samtycke_id: uuid.UUID, k: Ctx, response: Response, if_match: IfMatch = None
) -> SamtyckeOut:
    samtycke = await samtycke_service.aterkalla(k, samtycke_id=samtycke_id, if_match=if_match)
    set_etag(response, samtycke.version)
    return person_service.samtycke_ut(samtycke)
