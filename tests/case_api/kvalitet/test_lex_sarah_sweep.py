"""A lex Sarah report about no ärende is watched like one about an ärende: the sweep sends its
late alert (to the enhet) the day after the due date, exactly once, and the investigation meets it."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from case_api.bevakning.sweep import sweep_batch
from common.clock import FrozenClock
from tests.case_api.kvalitet.test_avvikelser import KVAL, LEX_SARAH, UTREDNING, register

FORSENAD = "se.socialtjanst.bevakning.forsenad"


async def sweep(case_app: Any, clock: FrozenClock, when: datetime) -> None:
    clock.set(when)
    factory, settings = case_app.state.session_factory, case_app.state.settings
    while await sweep_batch(factory, settings, clock, limit=1):
        pass


async def late_alerts(conn: AsyncConnection, avvikelse_id: str) -> list[Any]:
    query = text(
        "SELECT subject, arende_id, data FROM outbox_event WHERE type = :t AND data->>'objekt_id' = :id"
    )
    return list((await conn.execute(query, {"t": FORSENAD, "id": avvikelse_id})).all())


async def lex_sarah_bevakningar(case_client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await case_client.get(
        "/v1/bevakningar", params={"typ": "lex_sarah_utredning"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_lex_sarah_without_arende_goes_late_once(  # type: ignore[no-untyped-def]
    case_client, case_app, case_conn, clock, as_role
) -> None:
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    # Reported by someone of another enhet, about bou-1, naming no ärende.
    created = (await register(case_client, as_role("handlaggare", enhet="bou-2"), LEX_SARAH)).json()
    assert (created["arende_id"], created["utredning_forfallodatum"]) == (None, "2026-03-16")
    chef = as_role("enhetschef", enhet="bou-1")
    [bevakning] = await lex_sarah_bevakningar(case_client, chef)
    assert (bevakning["arende_id"], bevakning["enhet"], bevakning["handlaggare"]) == (None, "bou-1", None)
    assert (bevakning["objekt_typ"], bevakning["objekt_id"]) == ("avvikelse", created["id"])
    assert (bevakning["forfallodatum"], bevakning["status"]) == ("2026-03-16", "oppen")
    assert await lex_sarah_bevakningar(case_client, as_role("enhetschef", enhet="bou-2")) == []

    await sweep(case_app, clock, datetime(2026, 3, 16, 20, 0, tzinfo=UTC))  # the due day: not late yet
    assert await late_alerts(case_conn, created["id"]) == []
    await sweep(case_app, clock, datetime(2026, 3, 17, 6, 0, tzinfo=UTC))  # 07:00 in Stockholm
    await sweep(case_app, clock, datetime(2026, 3, 17, 15, 0, tzinfo=UTC))
    await sweep(case_app, clock, datetime(2026, 3, 20, 9, 0, tzinfo=UTC))

    [alert] = await late_alerts(case_conn, created["id"])
    assert (alert.subject, alert.arende_id) == (f"avvikelse/{created['id']}", None)
    assert (alert.data["enhet"], alert.data["typ"], alert.data["forfallodatum"]) == (
        "bou-1",
        "lex_sarah_utredning",
        "2026-03-16",
    )
    assert alert.data["troskel"] == "forsenad:2026-03-16"
    [bevakning] = await lex_sarah_bevakningar(case_client, chef)
    assert bevakning["status"] == "forsenad"

    # Investigated late: the bevakning is met that day, and the egenkontroll counts it late.
    kval = as_role(*KVAL, enhet=None)
    utred = await case_client.post(
        f"/v1/avvikelser/{created['id']}/utred", json=UTREDNING, headers={**kval, "If-Match": '"1"'}
    )
    assert utred.status_code == 200, utred.text
    [bevakning] = await lex_sarah_bevakningar(case_client, chef)
    assert (bevakning["status"], bevakning["uppfylld_datum"]) == ("uppfylld", "2026-03-20")
    report = await case_client.get(
        "/v1/rapporter/egenkontroll", params={"fran": "2026-03-01", "till": "2026-03-31"}, headers=kval
    )
    [rad] = [r for r in report.json()["per_typ"] if r["typ"] == "lex_sarah_utredning"]
    assert (rad["antal"], rad["i_tid"], rad["sent_uppfyllda"], rad["max_dagar_sen"]) == (1, 0, 1, 4)
    await sweep(case_app, clock, datetime(2026, 4, 30, 9, 0, tzinfo=UTC))
    assert len(await late_alerts(case_conn, created["id"])) == 1


async def test_lex_sarah_without_arende_investigated_in_time_never_alerts(  # type: ignore[no-untyped-def]
    case_client, case_app, case_conn, clock, as_role
) -> None:
    kval = as_role(*KVAL, enhet=None)
    created = (await register(case_client, kval, LEX_SARAH)).json()
    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    utred = await case_client.post(
        f"/v1/avvikelser/{created['id']}/utred", json=UTREDNING, headers={**kval, "If-Match": '"1"'}
    )
    assert utred.status_code == 200, utred.text
    await sweep(case_app, clock, datetime(2026, 3, 20, 9, 0, tzinfo=UTC))
    assert await late_alerts(case_conn, created["id"]) == []
    [bevakning] = await lex_sarah_bevakningar(case_client, as_role("enhetschef", enhet="bou-1"))
    assert (bevakning["status"], bevakning["uppfylld_datum"]) == ("uppfylld", "2026-03-16")
