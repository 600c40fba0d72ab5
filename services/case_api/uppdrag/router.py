import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlmodel import col

from case_api.arenden import service as arende_service
from case_api.insats.models import Insats
from case_api.kontext import Ctx, Kontext
from case_api.laddning import hamta, hamta_for_kommando
from case_api.personer import service as person_service
from case_api.personer.models import Person
from case_api.personer.schemas import Kontakt, PersonOut
from case_api.responses import COMMAND, CREATE, LIST, READ
from case_api.tillstand import anrop
from case_api.uppdrag import atkomst, service
from case_api.uppdrag.models import Uppdrag
from case_api.uppdrag.schemas import (
    AterkallelseIn,
    EjNyttjadIn,
    EjVerkstalltIn,
    EjVerkstalltOut,
    ForandradeBehovIn,
    KommandoSvar,
    MottagandeIn,
    UppdragIn,
    UppdragOut,
    UppdragPage,
    VerkstallighetIn,
)
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from common.pagination import CursorParam, LimitParam, time_keyed_page

router = APIRouter(prefix="/v1/uppdrag", tags=["uppdrag"])


async def ut(k: Kontext, u: Uppdrag, uppgifter: person_service.Uppgifter | None = None) -> UppdragOut:
    insats = await k.session.get(Insats, u.insats_id)
    assert insats is not None
    bestallare = k.scope.alla or k.scope.enhet == u.enhet
    barn: PersonOut | None = None
    # An utförare whose access ended reads nothing of the child: not even asked for (and
    # row-level security would not give the person row to it).
    if not atkomst.upphord_for(u, bestallare=bestallare):
        person = await k.session.get(Person, u.person_id)
        assert person is not None
        barn = await person_service.visa(k, person, enhet=u.enhet, uppgifter_=uppgifter)
    return UppdragOut.model_validate(
        {
            **u.model_dump(),
            # The beställare's reason for withdrawing is its own: the utförare learns that, not why.
            "aterkallelse_skal": u.aterkallelse_skal if bestallare else None,
            "barn": barn,
            "insatstyp": insats.insatstyp,
            "kontaktuppgifter": None if barn is None or barn.maskerad else Kontakt(**u.kontaktuppgifter),
            **anrop("uppdrag", u.status, u.id),
        }
    )


@router.post(
    "", status_code=201, response_model=UppdragOut, responses=CREATE, summary="Send an uppdrag to an utförare"
)
async def send_uppdrag(k: Ctx, body: UppdragIn, idempotency_key: IdempotencyKey = None) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        insats = await hamta_for_kommando(
            k, Insats, body.insats_id, objekt="insats", if_match=None, etag_kravs=False
        )
        arende = await arende_service.las(k, insats.arende_id)  # already locked: returns it
        uppdrag = await service.skicka(k, arende=arende, insats=insats, indata=body)
        await k.logga("uppdrag", uppdrag)
        headers = {"ETag": etag(uppdrag.version), "Location": f"/v1/uppdrag/{uppdrag.id}"}
        return outcome(201, await ut(k, uppdrag), headers)

    return await run_idempotent(
        k.session, key=idempotency_key, principal=k.vem.sub, operation="send_uppdrag", body=body, work=work
    )


@router.get(
    "",
    response_model=UppdragPage,
    responses=LIST,
    summary="The uppdrag the caller may see (an utförare: those sent to its organisation)",
)
async def list_uppdrag(
    k: Ctx,
    status: Annotated[
        Literal[
            "skickat",
            "mottaget",
            "avbojt",
            "verkstallt",
            "ej_verkstallt",
            "avbrutet",
            "avslutat",
            "aterkallat",
        ]
        | None,
        Query(),
    ] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> UppdragPage:
    query = select(Uppdrag)
    if k.scope.utforare is not None and k.scope.enhet is None:
        query = query.where(col(Uppdrag.utforare) == k.scope.utforare)
    elif k.scope.enhet is not None:
        query = query.where(col(Uppdrag.enhet) == k.scope.enhet)
    if status is not None:
        query = query.where(col(Uppdrag.status) == status)
    page, nasta = await time_keyed_page(
        k.session, query, at=col(Uppdrag.skickat_at), id_=col(Uppdrag.id), cursor=cursor, limit=limit
    )
    await k.logga_lista("uppdrag", page)
    bestallare = k.scope.alla or k.scope.enhet is not None
    oppna = [u for u in page if not atkomst.upphord_for(u, bestallare=bestallare)]
    uppgifter = await person_service.uppgifter_for(k, {(u.person_id, u.enhet) for u in oppna})
    items = [await ut(k, u, uppgifter.get((u.person_id, u.enhet))) for u in page]
    return UppdragPage(items=items, next_cursor=nasta)


@router.get(
    "/{uppdrag_id}", response_model=UppdragOut, responses=READ, summary="One uppdrag, with what it carries"
)
async def get_uppdrag(k: Ctx, uppdrag_id: uuid.UUID, response: Response) -> UppdragOut:
    u = await hamta(k, Uppdrag, uppdrag_id, objekt="uppdrag")
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return await ut(k, u)


async def _command(k: Kontext, uppdrag_id: uuid.UUID, if_match: str | None) -> Uppdrag:
    return await hamta_for_kommando(k, Uppdrag, uppdrag_id, objekt="uppdrag", if_match=if_match)


@router.post(
    "/{uppdrag_id}/mottagande",
    response_model=UppdragOut,
    responses=COMMAND,
    summary="The utförare accepts or declines the uppdrag",
)
async def receive_uppdrag(
    k: Ctx, uppdrag_id: uuid.UUID, body: MottagandeIn, response: Response, if_match: IfMatch = None
) -> UppdragOut:
    u = await _command(k, uppdrag_id, if_match)
    await service.motta(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return await ut(k, u)


@router.post(
    "/{uppdrag_id}/verkstallighet",
    response_model=UppdragOut,
    responses=COMMAND,
    summary="The utförare reports the verkställighetsdatum (or that it resumed)",
)
async def report_verkstallighet(
    k: Ctx, uppdrag_id: uuid.UUID, body: VerkstallighetIn, response: Response, if_match: IfMatch = None
) -> UppdragOut:
    u = await _command(k, uppdrag_id, if_match)
    await service.verkstall(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return await ut(k, u)


@router.post(
    "/{uppdrag_id}/ej-verkstallt",
    response_model=EjVerkstalltOut,
    responses=COMMAND,
    summary="The utförare reports the insats not started, or interrupted",
)
async def report_ej_verkstallt(
    k: Ctx, uppdrag_id: uuid.UUID, body: EjVerkstalltIn, response: Response, if_match: IfMatch = None
) -> EjVerkstalltOut:
    u = await _command(k, uppdrag_id, if_match)
    rapport = await service.ej_verkstallt(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return EjVerkstalltOut.model_validate(rapport)


@router.post(
    "/{uppdrag_id}/ej-nyttjad",
    response_model=KommandoSvar,
    responses=COMMAND,
    summary="The utförare reports the insats not used for three months: the handläggare gets an omprövning",
    description="Seed 001: if the child, young person or family does not use the insats within "
    "three months, the utförare tells the beställare for omprövning of the beslut. Accepted once "
    "three months (rule ej_nyttjad) have passed since senast_nyttjad; the insats stays verkställd.",
)
async def report_ej_nyttjad(
    k: Ctx, uppdrag_id: uuid.UUID, body: EjNyttjadIn, response: Response, if_match: IfMatch = None
) -> KommandoSvar:
    u = await _command(k, uppdrag_id, if_match)
    _, omprovning = await service.ej_nyttjad(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return KommandoSvar(uppdrag=await ut(k, u), omprovning_id=omprovning.id)


@router.post(
    "/{uppdrag_id}/forandrade-behov",
    response_model=KommandoSvar,
    responses=COMMAND,
    summary="The utförare reports changed needs: the handläggare gets an omprövning task",
)
async def report_forandrade_behov(
    k: Ctx, uppdrag_id: uuid.UUID, body: ForandradeBehovIn, response: Response, if_match: IfMatch = None
) -> KommandoSvar:
    u = await _command(k, uppdrag_id, if_match)
    omprovning = await service.forandrade_behov(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return KommandoSvar(uppdrag=await ut(k, u), omprovning_id=omprovning.id)  # type: ignore[attr-defined]


@router.post(
    "/{uppdrag_id}/aterkallelse",
    response_model=UppdragOut,
    responses=COMMAND,
    summary="The beställare withdraws the uppdrag: the utförare is told, its bevakningar end",
    description="Accepted before the uppdrag ended (not once it was declined, ended or withdrawn). "
    "The utförare is told by the event uppdrag.aterkallat (without the reason) and from then on "
    "reads no personal data of the child through it (docs/atkomst.md); the insats stands, and one "
    "not yet started can be sent to another utförare.",
)
async def withdraw_uppdrag(
    k: Ctx, uppdrag_id: uuid.UUID, body: AterkallelseIn, response: Response, if_match: IfMatch = None
) -> UppdragOut:
    u = await _command(k, uppdrag_id, if_match)
    await service.aterkalla(k, uppdrag=u, indata=body)
    set_etag(response, u.version)
    await k.logga("uppdrag", u)
    return await ut(k, u)
