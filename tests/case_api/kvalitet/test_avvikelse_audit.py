"""Avvikelse texts may name a child: every read (one, or a list) and change leaves audit rows,
naming the child of the ärende an avvikelse is about, or no person when it names none."""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_api.kvalitet.test_avvikelser import KLAGOMAL, KVAL, UTREDNING, new_arende, register
from tests.helpers import assert_problem


async def audit_rows(conn: AsyncConnection, request_id: str) -> list[Any]:
    query = text(
        "SELECT sub, handling, objekt_typ, objekt_id, person_id, arende_id, utfall FROM audit_logg"
        " WHERE request_id = :r ORDER BY id"
    )
    return list((await conn.execute(query, {"r": request_id})).all())


async def child_of(conn: AsyncConnection, arende_id: str) -> uuid.UUID:
    await conn.execute(text("SELECT set_config('app.alla', 'on', true)"))  # past row-level security
    person_id: uuid.UUID = (
        await conn.execute(text("SELECT person_id FROM arende WHERE id = :id"), {"id": arende_id})
    ).scalar_one()
    return person_id


async def test_reads_and_changes_are_audited(case_client, case_conn, clock, as_role) -> None:  # type: ignore[no-untyped-def]
    arende_id = await new_arende(case_client, as_role)
    child = await child_of(case_conn, arende_id)
    kval = as_role(*KVAL, enhet=None, sub="kim")
    about_child = (await register(case_client, kval, {**KLAGOMAL, "arende_id": arende_id})).json()
    about_none = (await register(case_client, as_role("handlaggare", sub="hugo"), KLAGOMAL)).json()

    one = await case_client.get(f"/v1/avvikelser/{about_child['id']}", headers=kval)
    assert one.status_code == 200
    assert await audit_rows(case_conn, one.headers["X-Request-ID"]) == [
        ("kim", "las", "avvikelse", uuid.UUID(about_child["id"]), child, uuid.UUID(arende_id), "tillaten")
    ]
    other = await case_client.get(f"/v1/avvikelser/{about_none['id']}", headers=kval)
    assert [r.person_id for r in await audit_rows(case_conn, other.headers["X-Request-ID"])] == [None]

    listed = await case_client.get("/v1/avvikelser", headers=kval)
    items = listed.json()["items"]
    assert {i["id"] for i in items} == {about_child["id"], about_none["id"]}
    rows = await audit_rows(case_conn, listed.headers["X-Request-ID"])
    assert sorted((str(r.objekt_id), r.person_id, r.handling, r.objekt_typ) for r in rows) == sorted(
        [
            (about_child["id"], child, "sok", "avvikelse"),
            (about_none["id"], None, "sok", "avvikelse"),
        ]
    )
    # An empty page returns no text and leaves no row.
    empty = await case_client.get("/v1/avvikelser", params={"typ": "risk"}, headers=kval)
    assert empty.json()["items"] == [] and await audit_rows(case_conn, empty.headers["X-Request-ID"]) == []

    changed = await case_client.post(
        f"/v1/avvikelser/{about_child['id']}/utred", json=UTREDNING, headers={**kval, "If-Match": '"1"'}
    )
    assert changed.status_code == 200
    [row] = await audit_rows(case_conn, changed.headers["X-Request-ID"])
    assert (row.handling, row.person_id, row.arende_id) == ("andra", child, uuid.UUID(arende_id))


async def test_an_enhetschef_reading_an_avvikelse_about_another_enhets_arende(  # type: ignore[no-untyped-def]
    case_client, case_conn, clock, as_role
) -> None:
    """The avvikelse is the chef's enhet's; the ärende it names is another's: the audit row still
    names that ärende's child, and the chef sees nothing more of the ärende."""
    arende_id = await new_arende(case_client, as_role)  # bou-1
    child = await child_of(case_conn, arende_id)
    created = (
        await register(
            case_client, as_role("handlaggare"), {**KLAGOMAL, "enhet": "bou-2", "arende_id": arende_id}
        )
    ).json()
    chef = as_role("enhetschef", enhet="bou-2", sub="cecilia")
    read = await case_client.get(f"/v1/avvikelser/{created['id']}", headers=chef)
    assert read.status_code == 200
    [row] = await audit_rows(case_conn, read.headers["X-Request-ID"])
    assert (row.sub, row.person_id) == ("cecilia", child)
    assert_problem(await case_client.get(f"/v1/arenden/{arende_id}", headers=chef), 404)
    # An enhetschef of a third enhet gets no text and leaves no allowed read.
    refused = await case_client.get(
        f"/v1/avvikelser/{created['id']}", headers=as_role("enhetschef", enhet="bou-3")
    )
    assert_problem(refused, 404)
    assert [r.utfall for r in await audit_rows(case_conn, refused.headers["X-Request-ID"])] == ["nekad"]
