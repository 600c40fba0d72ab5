import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.arenden import repository, service
from case_api.arenden.models import Arende
from case_api.arenden.schemas import ArendeAvslutIn, ArendeDetalj, ArendeOut, ArendePage, TilldelningIn
from case_api.bevakning.models import Bevakning
from case_api.bevakning.router import ut as bevakning_ut
from case_api.insats.models import Beslut, Insats, Omprovning
from case_api.insats.router import beslut_ut, insats_ut
from case_api.intake.models import Aktualisering
from case_api.intake.router import ut as aktualisering_ut
from case_api.kontext import Ctx, Kontext
from case_api.laddning import forladdad, las, rader
from case_api.omprovning.router import ut_lista as omprovningar_ut
from case_api.personer import service as person_service
from case_api.personer.models import Person, PersonUppgifter
from case_api.responses import COMMAND, LIST, READ
from case_api.uppdrag.models import Uppdrag
from case_api.uppdrag.router import ut as uppdrag_ut
from case_api.utredning.models import Utredning
from case_api.utredning.router import ut as utredning_ut
from common.concurrency import IfMatch, set_etag
from common.pagination import CursorParam, LimitParam, time_keyed_page

router = APIRouter(prefix="/v1/arenden", tags=["arenden"])


async def ut(k: Kontext, a: Arende, uppgifter: person_service.Uppgifter | None = None) -> ArendeOut:
    person = await las(k, Person, a.person_id)
    assert person is not None
    if uppgifter is None and k.forladdning is not None and PersonUppgifter in k.forladdning:
        # GET /v1/arenden/{id} read the child's records with the case file.
        uppgifter = person_service.uppgifter_av(k.forladdning[PersonUppgifter], a.person_id, a.enhet)
    barn = await person_service.visa(k, person, enhet=a.enhet, uppgifter_=uppgifter)
    return ArendeOut.model_validate({**a.model_dump(), "barn": barn})


@router.get("", response_model=ArendePage, responses=LIST, summary="Ärenden of the caller's enhet")
async def list_arenden(
    k: Ctx,
    handlaggare: str | None = None,
    status: Annotated[Literal["oppet", "avslutat"] | None, Query()] = None,
    typ: Annotated[Literal["barn", "service"] | None, Query()] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> ArendePage:
    query = select(Arende)
    if not k.scope.alla:
        query = query.where(col(Arende.enhet) == (k.scope.enhet or ""))
    for column, value in (
        (col(Arende.handlaggare), handlaggare),
        (col(Arende.status), status),
        (col(Arende.typ), typ),
    ):
        if value is not None:
            query = query.where(column == value)
    page, nasta = await time_keyed_page(
        k.session, query, at=col(Arende.oppnat_at), id_=col(Arende.id), cursor=cursor, limit=limit
    )
    await k.logga_lista("arende", page)
    uppgifter = await person_service.uppgifter_for(k, {(a.person_id, a.enhet) for a in page})
    items = [await ut(k, a, uppgifter[(a.person_id, a.enhet)]) for a in page]
    return ArendePage(items=items, next_cursor=nasta)


@router.get(
    "/{arende_id}",
    response_model=ArendeDetalj,
    responses=READ,
    summary="One ärende with its aktualiseringar, utredningar, beslut, insatser, uppdrag, bevakningar",
)
async def get_arende(k: Ctx, arende_id: uuid.UUID, response: Response) -> ArendeDetalj:
    k.forladdning = await repository.las_akt(k, arende_id)
    a = forladdad(k, Arende, arende_id, objekt="ärende")
    set_etag(response, a.version)
    await k.logga("arende", a)
    return await _detalj(k, a)


async def _detalj(k: Kontext, a: Arende) -> ArendeDetalj:
    beslut = await rader(k, Beslut, ordning=("created_at",), arende_id=a.id)
    insatser = await rader(k, Insats, ordning=("created_at",), arende_id=a.id)
    by_beslut = {i.beslut_id: i for i in insatser}
    bevakningar = [
        b
        for b in await rader(k, Bevakning, ordning=("forfallodatum",), arende_id=a.id)
        if b.status in ("oppen", "forsenad")
    ]
    return ArendeDetalj.model_validate(
        {
            **(await ut(k, a)).model_dump(),
            "aktualiseringar": [
                await aktualisering_ut(k, x)
                for x in await rader(k, Aktualisering, ordning=("inkom",), arende_id=a.id)
            ],
            "utredningar": [
                await utredning_ut(k, x)
                for x in await rader(k, Utredning, ordning=("startdatum",), arende_id=a.id)
            ],
            "beslut": [beslut_ut(b, by_beslut.get(b.id)) for b in beslut],
            "insatser": [insats_ut(i) for i in insatser],
            "uppdrag": [
                await uppdrag_ut(k, u)
                for u in await rader(k, Uppdrag, ordning=("skickat_at",), arende_id=a.id)
            ],
            "omprovningar": await omprovningar_ut(
                k, await rader(k, Omprovning, ordning=("created_at",), arende_id=a.id)
            ),
            "bevakningar": [bevakning_ut(b) for b in bevakningar],
        }
    )


@router.post(
    "/{arende_id}/avslut",
    response_model=ArendeOut,
    responses=COMMAND,
    summary="Close the ärende with a reason",
)
async def close_arende(
    k: Ctx, arende_id: uuid.UUID, body: ArendeAvslutIn, response: Response, if_match: IfMatch = None
) -> ArendeOut:
    a = await _las_med_etag(k, arende_id, if_match)
    await service.avsluta(k, arende=a, orsak=body.orsak)
    set_etag(response, a.version)
    await k.logga("arende", a)
    return await ut(k, a)


@router.post(
    "/{arende_id}/tilldelning",
    response_model=ArendeOut,
    responses=COMMAND,
    summary="Reassign the ärende to another handläggare (arbetsledare)",
)
async def assign_arende(
    k: Ctx, arende_id: uuid.UUID, body: TilldelningIn, response: Response, if_match: IfMatch = None
) -> ArendeOut:
    a = await _las_med_etag(k, arende_id, if_match)
    await service.tilldela(k, arende=a, handlaggare=body.handlaggare)
    set_etag(response, a.version)
    await k.logga("arende", a)
    return await ut(k, a)


async def _las_med_etag(k: Kontext, arende_id: uuid.UUID, if_match: str | None) -> Arende:
    from common.concurrency import check_if_match

    a = await service.las(k, arende_id)
    check_if_match(if_match, a.version)
    return a
