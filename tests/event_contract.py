"""Every event any test makes case_api emit must have a message in the catalogue and fit its
data schema (services/case_api/events/katalog.json). Installed for every test by conftest.py,
so the lifecycle walk, the quality flows and the sweep are all checked as they run."""

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.encoders import jsonable_encoder

from case_api.events import katalog
from case_api.events import service as events_service

# The relay's own tests send synthetic events of these types; they are not domain events.
SYNTHETIC_PREFIX = events_service.TYPE_PREFIX + "test."


def _validators() -> dict[str, Any]:
    return {
        short: jsonschema_rs.validator_for(schema, validate_formats=True)
        for short, schema in katalog.data_schemas().items()
    }


VALIDATORS = _validators()


def check(event_type: str, data: dict[str, Any]) -> None:
    if event_type.startswith(SYNTHETIC_PREFIX):
        return
    short = event_type.removeprefix(events_service.TYPE_PREFIX)
    validator = VALIDATORS.get(short)
    if validator is None:
        pytest.fail(f"{event_type} has no message in the event catalogue (add it to katalog.json)")
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(data)]
    if errors:
        pytest.fail(f"{event_type} data does not fit its schema: {errors}")


@pytest.fixture(autouse=True)
def events_fit_the_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    emit = events_service.emit

    async def checked(session: Any, **kwargs: Any) -> Any:
        check(events_service.TYPE_PREFIX + kwargs["type"], jsonable_encoder(kwargs["data"]))
        return await emit(session, **kwargs)

    monkeypatch.setattr(events_service, "emit", checked)
    yield
