"""Issue 11 item 4: control characters are refused with a 422 naming the field, and neither a
personnummer nor a name reaches a log line (exception text included)."""

import json
import logging
import sys
from types import UnionType
from typing import Any, get_args

from fastapi.routing import APIRoute

from case_api.schemas_base import Kontrollerad
from common.logging import configure_logging, redact
from tests.case_api.flow import ANMALAN, TEST_PNR
from tests.helpers import assert_problem, bearer


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


async def test_nul_in_a_query_filter_is_a_422_naming_it(case_client, token) -> None:  # type: ignore[no-untyped-def]
    response = await case_client.get("/v1/arenden?handlaggare=a%00b", headers=bearer(token("handlaggare")))
    assert_problem(response, 422)
    assert _fields(response) == {"query.handlaggare"}
    assert response.headers["x-request-id"]


async def test_other_control_characters_in_query_and_path(case_client, token) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(token("handlaggare"))
    response = await case_client.get("/v1/arenden?handlaggare=a%1Bb", headers=auth)
    assert_problem(response, 422)
    assert _fields(response) == {"query.handlaggare"}
    response = await case_client.get("/v1/regler/a%00b", headers=auth)
    assert_problem(response, 422)
    assert _fields(response) == {"path"}
    # An ordinary filter still works.
    assert (await case_client.get("/v1/arenden?handlaggare=anna", headers=auth)).status_code == 200


async def test_nul_in_a_name_is_a_422_and_logs_no_personal_data(case_client, token, capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("INFO", json_output=True)
    body = {**ANMALAN, "barn": {**ANMALAN["barn"], "fornamn": "Te\x00st"}}
    response = await case_client.post("/v1/aktualiseringar", json=body, headers=bearer(token("handlaggare")))
    assert_problem(response, 422)
    assert _fields(response) == {"barn.fornamn"}
    assert TEST_PNR not in response.text and "Testsson" not in response.text
    logged = capsys.readouterr().err
    assert logged, "expected the request line"
    for secret in (TEST_PNR, TEST_PNR[2:], "Testsson", "Oro från skolan"):
        assert secret not in logged


async def test_bidi_controls_refused_in_names_kept_out_of_free_text_checks(case_client, token) -> None:  # type: ignore[no-untyped-def]
    auth = bearer(token("handlaggare"))
    rlo = {**ANMALAN, "barn": {**ANMALAN["barn"], "efternamn": "Test\u202esson"}}
    response = await case_client.post("/v1/aktualiseringar", json=rlo, headers=auth)
    assert_problem(response, 422)
    assert _fields(response) == {"barn.efternamn"}
    kalla = {**ANMALAN, "kalla": {"typ": "skola", "namn": "Skolan\nrad två"}}
    response = await case_client.post("/v1/aktualiseringar", json=kalla, headers=auth)
    assert_problem(response, 422)
    assert _fields(response) == {"kalla.namn"}
    escape = {**ANMALAN, "beskrivning": "Oro\x1b[31m från skolan"}
    response = await case_client.post("/v1/aktualiseringar", json=escape, headers=auth)
    assert_problem(response, 422)
    assert _fields(response) == {"beskrivning"}
    # Free text keeps its line breaks and tabs.
    ok = {**ANMALAN, "beskrivning": "Oro från skolan.\r\n\tRad två."}
    response = await case_client.post("/v1/aktualiseringar", json=ok, headers=auth)
    assert response.status_code == 201, response.text


def _routes(routes: Any) -> Any:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        yield from _routes(getattr(getattr(route, "original_router", None), "routes", None) or [])
        yield from _routes(getattr(route, "routes", None) or [])


def test_every_request_body_is_checked_for_control_characters(case_app) -> None:  # type: ignore[no-untyped-def]
    bodies = 0
    for route in _routes(case_app.routes):
        for param in route.dependant.body_params:
            annotation = param.field_info.annotation
            models = get_args(annotation) if isinstance(annotation, UnionType) else (annotation,)
            for model in models:
                bodies += 1
                assert isinstance(model, type) and issubclass(model, Kontrollerad), (route.name, model)
    assert bodies > 20


def test_exception_text_is_redacted_in_the_rendered_line(capsys) -> None:  # type: ignore[no-untyped-def]
    # What uvicorn does with an exception that escapes the app: its traceback quotes the
    # driver's error, which quoted the INSERT's parameters.
    # As `uvicorn --factory` leaves it: its own handler on its error log, set before the app.
    uvicorn_handler = logging.StreamHandler(sys.stderr)
    logging.getLogger("uvicorn.error").addHandler(uvicorn_handler)
    logging.getLogger("uvicorn.error").propagate = False
    configure_logging("INFO", json_output=True)
    try:
        raise ValueError(f"invalid byte sequence; parameters: ('{TEST_PNR}', '20150314-2380')")
    except ValueError as exc:
        logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=exc)
    logged = capsys.readouterr().err
    assert "Exception in ASGI application" in logged
    assert TEST_PNR not in logged and "20150314-2380" not in logged
    assert "[personnummer]" in logged


def test_uuids_survive_redaction(capsys) -> None:  # type: ignore[no-untyped-def]
    ids = ["12345678-1234-4234-8234-123456789012", "550e8400-e29b-41d4-a716-446655440000"]
    for value in ids:
        assert redact(f"arende {value}.") == f"arende {value}."
    assert redact(f"{ids[0]} {TEST_PNR}") == f"{ids[0]} [personnummer]"
    configure_logging("INFO", json_output=True)
    logging.getLogger("probe").info("arende %s", ids[1])
    line = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert ids[1] in line["event"]


async def test_a_failing_statement_names_no_bound_parameter(case_engine) -> None:  # type: ignore[no-untyped-def]
    """The services' engines (common.db.make_engine, as case_engine here) keep bound values out
    of the error that uvicorn's traceback would quote; an engine without the option does not."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from common.db import make_engine

    secret = "Hemlig Testsson"
    statement = text("SELECT 1 / 0 WHERE CAST(:namn AS text) <> ''")

    async def error_of(engine) -> str:  # type: ignore[no-untyped-def]
        async with engine.connect() as conn:
            try:
                await conn.execute(statement, {"namn": secret})
            except DBAPIError as exc:
                return str(exc)
        raise AssertionError("the statement was expected to fail")

    hidden = await error_of(case_engine)
    assert "division by zero" in hidden and secret not in hidden
    assert "parameters hidden" in hidden
    url = case_engine.url.render_as_string(hide_password=False)
    shown_engine = make_engine(url, hide_parameters=False, pool_size=1)
    try:
        assert secret in await error_of(shown_engine)  # what the setting guards against
    finally:
        await shown_engine.dispose()
