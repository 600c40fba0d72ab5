from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from case_api.avvikelser.schemas import Enhet
from case_api.dependencies import Caller
from case_api.rapporter import ivo, service
from case_api.rapporter.schemas import AvvikelseSammanstallning, Egenkontroll, IvoRapport
from common.clock import ClockDep
from common.db import SessionDep

router = APIRouter(prefix="/v1/rapporter", tags=["rapporter"])

CSV_MEDIA_TYPE = "text/csv"
CSV_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}},
}
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv for a spreadsheet; `Accept: text/csv` does the same."),
]
Accept = Annotated[str | None, Header(include_in_schema=False)]


def wants_csv(format_: str | None, accept: str | None) -> bool:
    if format_ is not None:
        return format_ == "csv"
    return accept is not None and CSV_MEDIA_TYPE in accept.lower()


def csv_response(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/avvikelser/sammanstallning",
    response_model=AvvikelseSammanstallning,
    responses=CSV_RESPONSE,
    summary="Avvikelser by kind, unit, cause and outcome, with the trend (default: this half-year)",
)
async def get_avvikelse_sammanstallning(
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    fran: Annotated[date | None, Query(description="First day (Europe/Stockholm), inclusive.")] = None,
    till: Annotated[date | None, Query(description="Last day, inclusive.")] = None,
    enhet: Enhet | None = None,
    format: Format = None,
    accept: Accept = None,
) -> AvvikelseSammanstallning | Response:
    report = await service.avvikelse_sammanstallning(
        session, caller=caller, fran=fran, till=till, enhet=enhet, now=clock()
    )
    if wants_csv(format, accept):
        name = f"avvikelser_{report.period.fran}_{report.period.till}.csv"
        return csv_response(service.sammanstallning_csv(report), name)
    return report


@router.get(
    "/egenkontroll",
    response_model=Egenkontroll,
    responses=CSV_RESPONSE,
    summary="Time limits kept, per rule, from the bevakningar due in the period (default: this half-year)",
)
async def get_egenkontroll(
    request: Request,
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    fran: Annotated[date | None, Query(description="First due day (Europe/Stockholm), inclusive.")] = None,
    till: Annotated[date | None, Query(description="Last due day, inclusive.")] = None,
    enhet: Enhet | None = None,
    format: Format = None,
    accept: Accept = None,
) -> Egenkontroll | Response:
    report = await service.egenkontroll(
        session,
        caller=caller,
        fran=fran,
        till=till,
        enhet=enhet,
        now=clock(),
        settings=request.app.state.settings,
    )
    if wants_csv(format, accept):
        name = f"egenkontroll_{report.period.fran}_{report.period.till}.csv"
        return csv_response(service.egenkontroll_csv(report), name)
    return report


@router.get(
    "/ivo/ej-verkstallda",
    response_model=IvoRapport,
    responses=CSV_RESPONSE,
    summary="Ej verkställda beslut for a quarter: IVO's individrapporter and the statistics report",
)
async def get_ivo_ej_verkstallda(
    session: SessionDep,
    caller: Caller,
    clock: ClockDep,
    kvartal: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-Q[1-4]$", description="Like 2026-Q3; default the last whole quarter."),
    ] = None,
    enhet: Enhet | None = None,
    format: Format = None,
    accept: Accept = None,
) -> IvoRapport | Response:
    report = await ivo.ivo_rapport(session, caller=caller, kvartal_text=kvartal, enhet=enhet, now=clock())
    if wants_csv(format, accept):
        return csv_response(ivo.ivo_csv(report), f"ivo_ej_verkstallda_{report.kvartal}.csv")
    return report
