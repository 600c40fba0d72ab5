import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from case_api.kontext import Ctx
from case_api.personer import service
from case_api.personer.schemas import BehorighetIn, BehorighetOut, PersonOut, PersonPage
from case_api.responses import CREATE, LIST, READ, UNVERSIONED_COMMAND
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1/personer", tags=["personer"])


@router.get(
    "",
    response_model=PersonPage,
    responses=LIST,
    summary="Find a person by personnummer, if the caller's enhet has an ärende about them",
    description="An empty list when the caller's enhet has no ärende about the person, whether or not "
    "another enhet has one (nothing says which). Audited as a search (`sok`) with the skäl given, also "
    "when it finds nobody.",
)
async def search_personer(
    k: Ctx,
    personnummer: Annotated[
        str, Query(min_length=10, max_length=13, description="Personnummer or samordningsnummer.")
    ],
    skal: Annotated[
        str, Query(min_length=1, max_length=500, description="Why you search (e.g. a new anmälan); logged.")
    ],
) -> PersonPage:
    hittad = await service.sok(k, personnummer=personnummer, skal=skal)
    return PersonPage(
        items=[await service.visa(k, hittad, enhet=k.scope.enhet)] if hittad else [], next_cursor=None
    )


@router.get(
    "/{person_id}",
    response_model=PersonOut,
    responses=READ,
    summary="One person, as the caller may see them (skyddad identitet masked without permission)",
)
async def get_person(k: Ctx, person_id: uuid.UUID) -> PersonOut:
    person, arende_id = await service.hamta(k, person_id)
    await k.logga_rad("person", objekt_id=person.id, person_id=person.id, arende_id=arende_id)
    return await service.visa(k, person, enhet=k.scope.enhet)


@router.post(
    "/{person_id}/behorigheter",
    status_code=201,
    response_model=BehorighetOut,
    responses=CREATE,
    summary="Grant another user of your enhet access to a protected person's details, until an end "
    "date (enhetschef)",
)
async def grant_behorighet(
    k: Ctx, person_id: uuid.UUID, body: BehorighetIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        person, arende_id = await service.hamta(k, person_id)
        behorighet = await service.bevilja_behorighet(k, person=person, arende_id=arende_id, indata=body)
        await k.logga_rad(
            "skyddad_behorighet", objekt_id=behorighet.id, person_id=person.id, arende_id=arende_id
        )
        # A grant has no URL of its own; it changes what the person's read shows the grantee.
        location = f"/v1/personer/{person.id}"
        return outcome(201, BehorighetOut.model_validate(behorighet), {"Location": location})

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"grant_behorighet:{person_id}",
        body=body,
        work=work,
    )


@router.post(
    "/{person_id}/behorigheter/{behorighet_id}/aterkallelse",
    response_model=BehorighetOut,
    responses=UNVERSIONED_COMMAND,
    summary="Revoke a permission to a protected person's details from now on (enhetschef of its enhet)",
)
async def withdraw_behorighet(k: Ctx, person_id: uuid.UUID, behorighet_id: uuid.UUID) -> BehorighetOut:
    person, arende_id = await service.hamta(k, person_id)
    behorighet = await service.aterkalla_behorighet(
        k, person=person, arende_id=arende_id, behorighet_id=behorighet_id
    )
    await k.logga_rad("skyddad_behorighet", objekt_id=behorighet.id, person_id=person.id, arende_id=arende_id)
    return BehorighetOut.model_validate(behorighet)
