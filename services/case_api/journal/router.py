"""The journal of an ärende (handläggare) and of an uppdrag (utförare), and journalgranskning."""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import Select

from case_api.arenden import service as arende_service
from case_api.arenden.models import Arende
from case_api.journal import repository, service
from case_api.journal.models import Journalanteckning
from case_api.journal.schemas import (
    JournalanteckningIn,
    JournalanteckningOut,
    JournalanteckningPage,
    Slag,
)
from case_api.kontext import Ctx, Kontext, Scope, apply_scope
from case_api.laddning import hamta, hamta_for_kommando
from case_api.responses import CREATE, LIST
from case_api.uppdrag.models import Uppdrag
from common.idempotency import IdempotencyKey, outcome, run_idempotent
from common.pagination import CursorParam, IsoDate, LimitParam

router = APIRouter(prefix="/v1", tags=["journal"])

JOURNALGRANSKNING = "journalgranskning"


async def _sida(
    k: Kontext, query: Select[Any], cursor: str | None, limit: int
) -> tuple[list[Journalanteckning], JournalanteckningPage]:
    page, nasta = await repository.sida(k.session, query, cursor=cursor, limit=limit)
    return page, JournalanteckningPage(items=await _ut(k, page), next_cursor=nasta)


async def _ut(k: Kontext, entries: Sequence[Journalanteckning]) -> list[JournalanteckningOut]:
    rattelser = await repository.rattelser(k.session, [e.id for e in entries])
    return [
        JournalanteckningOut.model_validate({**e.model_dump(), "rattad_av": rattelser.get(e.id, [])})
        for e in entries
    ]


@router.post(
    "/arenden/{arende_id}/journal",
    status_code=201,
    response_model=JournalanteckningOut,
    responses=CREATE,
    summary="Write an anteckning in the ärende's journal (or a correction of one)",
    description="Handläggare and arbetsledare of the ärende's enhet. An entry is never changed: "
    "a correction is a new entry whose `rattar_id` names the one it corrects.",
)
async def create_arende_journalanteckning(
    k: Ctx, arende_id: uuid.UUID, body: JournalanteckningIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        arende = await arende_service.las(k, arende_id)
        entry = await service.anteckna_arende(k, arende=arende, indata=body)
        await k.logga("journalanteckning", entry)
        return outcome(201, (await _ut(k, [entry]))[0], {"Location": f"/v1/arenden/{arende_id}/journal"})

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"create_arende_journalanteckning:{arende_id}",
        body=body,
        work=work,
    )


@router.get(
    "/arenden/{arende_id}/journal",
    response_model=JournalanteckningPage,
    responses=LIST | {404: CREATE[404]},
    summary="The ärende's journal, in the order written",
    description="The ärende's enhet (handläggare, arbetsledare, enhetschef). Not the utförare: it "
    "reads only what its uppdrag carries.",
)
async def list_arende_journalanteckningar(
    k: Ctx, arende_id: uuid.UUID, cursor: CursorParam = None, limit: LimitParam = 100
) -> JournalanteckningPage:
    arende = await hamta(k, Arende, arende_id, objekt="ärende")
    _, sida = await _sida(k, repository.journal(arende_id=arende.id, uppdrag_id=None), cursor, limit)
    await k.logga("journal", arende)
    return sida


@router.post(
    "/uppdrag/{uppdrag_id}/journal",
    status_code=201,
    response_model=JournalanteckningOut,
    responses=CREATE,
    summary="The utförare writes an anteckning in the uppdrag's journal (or a correction of one)",
    description="The utförare the uppdrag was sent to. The beställare reads it.",
)
async def create_uppdrag_journalanteckning(
    k: Ctx, uppdrag_id: uuid.UUID, body: JournalanteckningIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        uppdrag = await hamta_for_kommando(
            k, Uppdrag, uppdrag_id, objekt="uppdrag", if_match=None, etag_kravs=False
        )
        arende = await k.session.get(Arende, uppdrag.arende_id)
        assert arende is not None  # locked by hamta_for_kommando
        entry = await service.anteckna_uppdrag(k, arende=arende, uppdrag=uppdrag, indata=body)
        await k.logga("journalanteckning", entry)
        return outcome(201, (await _ut(k, [entry]))[0], {"Location": f"/v1/uppdrag/{uppdrag_id}/journal"})

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"create_uppdrag_journalanteckning:{uppdrag_id}",
        body=body,
        work=work,
    )


@router.get(
    "/uppdrag/{uppdrag_id}/journal",
    response_model=JournalanteckningPage,
    responses=LIST | {404: CREATE[404]},
    summary="The uppdrag's journal, kept by the utförare, in the order written",
    description="The utförare the uppdrag was sent to, and the beställare's enhet.",
)
async def list_uppdrag_journalanteckningar(
    k: Ctx, uppdrag_id: uuid.UUID, cursor: CursorParam = None, limit: LimitParam = 100
) -> JournalanteckningPage:
    uppdrag = await hamta(k, Uppdrag, uppdrag_id, objekt="uppdrag")
    query = repository.journal(arende_id=uppdrag.arende_id, uppdrag_id=uppdrag.id)
    _, sida = await _sida(k, query, cursor, limit)
    await k.logga("uppdragsjournal", uppdrag)
    return sida


@router.get(
    "/journalanteckningar",
    response_model=JournalanteckningPage,
    responses=LIST,
    summary="Journalgranskning: the entries of an enhet in a period, both journals",
    description="The kvalitetssamordnare (every enhet). Audited as journalgranskning, one row per "
    "person on the page.",
)
async def list_journalanteckningar(
    k: Ctx,
    enhet: Annotated[str | None, Query(max_length=100)] = None,
    fran: Annotated[IsoDate | None, Query(description="Entries dated this day or later.")] = None,
    till: Annotated[IsoDate | None, Query(description="Entries dated this day or earlier.")] = None,
    slag: Annotated[Slag | None, Query()] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 100,
) -> JournalanteckningPage:
    # The kvalitetssamordnare reviews every enhet: row-level security is widened to the one asked
    # for (or all), within this transaction only.
    await apply_scope(k.session, Scope(enhet=enhet, utforare=None, alla=enhet is None))
    query = repository.granskning(enhet=enhet, fran=fran, till=till, slag=slag)
    page, sida = await _sida(k, query, cursor, limit)
    await k.logga_lista("journalanteckning", page, skal=JOURNALGRANSKNING)
    return sida
