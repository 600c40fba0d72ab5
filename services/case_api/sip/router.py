"""A SIP on an ärende: drawn up, listed, read, followed up."""

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Response

from case_api.arenden import service as arende_service
from case_api.arenden.models import Arende
from case_api.kontext import Ctx, Kontext
from case_api.laddning import hamta, hamta_for_kommando
from case_api.responses import COMMAND, CREATE, READ
from case_api.sip import repository, service
from case_api.sip.models import Sip
from case_api.sip.schemas import SipIn, SipOut, SipUppfoljningIn
from case_api.tillstand import anrop
from common.concurrency import IfMatch, etag, set_etag
from common.idempotency import IdempotencyKey, outcome, run_idempotent

router = APIRouter(prefix="/v1", tags=["sip"])


async def _ut(k: Kontext, rows: Sequence[Sip]) -> list[SipOut]:
    bevakningar = await repository.bevakningar(k.session, [s.id for s in rows])
    out = []
    for s in rows:
        b = bevakningar.get(s.id)
        out.append(
            SipOut.model_validate(
                {
                    **s.model_dump(),
                    "initierad_av": {"huvudman": s.initierad_av_huvudman, "namn": s.initierad_av_namn},
                    "bevakning_id": b.id if b else None,
                    **anrop("sip", s.status, s.id),
                }
            )
        )
    return out


@router.post(
    "/arenden/{arende_id}/sip",
    status_code=201,
    response_model=SipOut,
    responses=CREATE,
    summary="Record a SIP, samordnad individuell plan, drawn up for the ärende's child",
    description="Handläggare and arbetsledare of the ärende's enhet. Who initiated it, the huvudmän "
    "and verksamheter taking part, the one with the overall responsibility, the child's samtycke it "
    "rests on (recorded at this enhet, in force on `datum`, not withdrawn) and when it is followed up: "
    "that day is watched (rule `sip_uppfoljning`).",
)
async def create_sip(
    k: Ctx, arende_id: uuid.UUID, body: SipIn, idempotency_key: IdempotencyKey = None
) -> Response:
    async def work():  # type: ignore[no-untyped-def]
        arende = await arende_service.las(k, arende_id)
        sip = await service.upratta(k, arende=arende, indata=body)
        await k.logga("sip", sip)
        headers = {"ETag": etag(sip.version), "Location": f"/v1/sip/{sip.id}"}
        return outcome(201, (await _ut(k, [sip]))[0], headers)

    return await run_idempotent(
        k.session,
        key=idempotency_key,
        principal=k.vem.sub,
        operation=f"create_sip:{arende_id}",
        body=body,
        work=work,
    )


@router.get(
    "/arenden/{arende_id}/sip",
    response_model=list[SipOut],
    responses=READ,
    summary="The ärende's SIP, in the order drawn up",
    description="The ärende's enhet (handläggare, arbetsledare, enhetschef).",
)
async def list_arende_sip(k: Ctx, arende_id: uuid.UUID) -> list[SipOut]:
    arende = await hamta(k, Arende, arende_id, objekt="ärende")
    rows = await repository.for_arende(k.session, arende_id=arende.id)
    await k.logga("arende_sip", arende)
    return await _ut(k, rows)


@router.get("/sip/{sip_id}", response_model=SipOut, responses=READ, summary="One SIP")
async def get_sip(k: Ctx, sip_id: uuid.UUID, response: Response) -> SipOut:
    sip = await hamta(k, Sip, sip_id, objekt="SIP")
    set_etag(response, sip.version)
    await k.logga("sip", sip)
    return (await _ut(k, [sip]))[0]


@router.post(
    "/sip/{sip_id}/uppfoljning",
    response_model=SipOut,
    responses=COMMAND,
    summary="Record that the SIP was followed up, and its next uppföljning (or none: it is finished)",
    description="Meets the bevakning of the uppföljning due and watches the next one. Going on "
    "needs the samtycke still in force; once withdrawn the plan can only be finished.",
)
async def record_sip_uppfoljning(
    k: Ctx, sip_id: uuid.UUID, body: SipUppfoljningIn, response: Response, if_match: IfMatch = None
) -> SipOut:
    sip = await hamta_for_kommando(k, Sip, sip_id, objekt="SIP", if_match=if_match)
    arende = await k.session.get(Arende, sip.arende_id)
    assert arende is not None  # locked by hamta_for_kommando
    await service.folj_upp(k, arende=arende, sip=sip, indata=body)
    set_etag(response, sip.version)
    await k.logga("sip", sip)
    return (await _ut(k, [sip]))[0]
