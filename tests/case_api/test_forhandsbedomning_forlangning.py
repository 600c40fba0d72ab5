"""Förlängning of the förhandsbedömning for synnerliga skäl (20 kap. 2 § SoL (2025:400)) as a
recorded decision: reasons and a new last day, the bevakning moved, and a förhandsbedömning
decided within the extended time needs no reasons of its own. Dates worked out by hand."""

from typing import Any

import pytest

from common.clock import FrozenClock
from tests.case_api.flow import ANMALAN, Walk, at
from tests.case_api.steg import frozen, people
from tests.conftest import TokenFactory
from tests.helpers import assert_problem

SKAL = "Polisförhör med barnet är bokat till den 25 februari."


@pytest.fixture
def clock(case_app: Any) -> FrozenClock:
    return frozen(case_app)


@pytest.fixture
def walk(case_client: Any, token: TokenFactory) -> Walk:
    return Walk(case_client, people(token))


async def anmalan(walk: Walk, clock: FrozenClock) -> tuple[dict[str, Any], str]:
    # Tuesday 3 February 2026 + 14 days = Tuesday 17 February.
    at(clock, "2026-02-03 10:00")
    akt = (await walk.post("handlaggare", "/v1/aktualiseringar", ANMALAN, expect=201)).json()
    path = f"/v1/aktualiseringar/{akt['id']}"
    await walk.command(
        "handlaggare",
        f"{path}/skyddsbedomning",
        path,
        {
            "bedomd_at": "2026-02-03T10:00:00+01:00",
            "omedelbart_skydd": False,
            "motivering": "Ingen akut fara.",
        },
    )
    return akt, path


async def forhands(walk: Walk, arende_id: str) -> dict[str, Any]:
    return (await walk.bevakningar(arende_id))["forhandsbedomning"][0]


async def test_a_recorded_extension_moves_the_limit(walk: Walk, clock: FrozenClock) -> None:
    akt, path = await anmalan(walk, clock)
    assert (await forhands(walk, akt["arende_id"]))["forfallodatum"] == "2026-02-17"

    at(clock, "2026-02-12 09:00")
    body = {"beslutsdatum": "2026-02-12", "synnerliga_skal": SKAL, "ny_forfallodatum": "2026-03-03"}
    extended = await walk.command("arbetsledare", f"{path}/forlangning", path, body)
    assert [
        {
            k: f[k]
            for k in ("beslutsdatum", "tidigare_forfallodatum", "ny_forfallodatum", "sen", "synnerliga_skal")
        }
        for f in extended["forlangningar"]
    ] == [
        {
            "beslutsdatum": "2026-02-12",
            "tidigare_forfallodatum": "2026-02-17",
            "ny_forfallodatum": "2026-03-03",
            "sen": False,
            "synnerliga_skal": SKAL,
        }
    ]
    bev = await forhands(walk, akt["arende_id"])
    assert (bev["forfallodatum"], bev["status"]) == ("2026-03-03", "oppen")

    # Friday 27 February: after the fourteen days, within the extension; no reasons needed now.
    at(clock, "2026-02-27 09:00")
    decided = await walk.command(
        "handlaggare",
        f"{path}/forhandsbedomning",
        path,
        {"beslut": "inled_utredning", "beslutsdatum": "2026-02-27", "motivering": "Behov av utredning."},
    )
    assert decided["status"] == "utredning_inledd" and decided["forhandsbedomning"]["synnerliga_skal"] is None
    bev = await forhands(walk, akt["arende_id"])
    assert (bev["status"], bev["uppfylld_datum"]) == ("uppfylld", "2026-02-27")
    # Decided: nothing left to extend.
    assert "forlangning" not in decided["tillatna_kommandon"]
    refused = await walk.command(
        "arbetsledare", f"{path}/forlangning", path, body | {"ny_forfallodatum": "2026-03-10"}, expect=409
    )
    assert refused["tillstand"] == "utredning_inledd"


async def test_without_an_extension_a_late_decision_still_states_its_reasons(
    walk: Walk, clock: FrozenClock
) -> None:
    _, path = await anmalan(walk, clock)
    at(clock, "2026-02-27 09:00")
    late = {"beslut": "inled_ej_utredning", "beslutsdatum": "2026-02-27", "motivering": "Ingen oro kvar."}
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    body = assert_problem(
        await walk.post("handlaggare", f"{path}/forhandsbedomning", late, etag=etag, expect=422), 422
    )
    assert "synnerliga_skal" in str(body)


async def test_only_the_arbetsledare_decides_it(walk: Walk, clock: FrozenClock) -> None:
    _, path = await anmalan(walk, clock)
    etag = (await walk.get("handlaggare", path)).headers["ETag"]
    body = {"beslutsdatum": "2026-02-03", "synnerliga_skal": SKAL, "ny_forfallodatum": "2026-03-03"}
    assert_problem(await walk.post("handlaggare", f"{path}/forlangning", body, etag=etag, expect=403), 403)


@pytest.mark.parametrize(
    ("change", "falt"),
    [
        ({"synnerliga_skal": "   "}, "synnerliga_skal"),
        ({"ny_forfallodatum": "2026-02-17"}, "ny_forfallodatum"),  # not after the current limit
        ({"beslutsdatum": "2026-02-02"}, "beslutsdatum"),  # before the anmälan came in
        ({"beslutsdatum": "2026-02-04"}, "beslutsdatum"),  # in the future
    ],
)
async def test_bad_extensions_are_refused(
    walk: Walk, clock: FrozenClock, change: dict[str, str], falt: str
) -> None:
    akt, path = await anmalan(walk, clock)
    etag = (await walk.get("arbetsledare", path)).headers["ETag"]
    body = {"beslutsdatum": "2026-02-03", "synnerliga_skal": SKAL, "ny_forfallodatum": "2026-03-03"} | change
    response = await walk.post("arbetsledare", f"{path}/forlangning", body, etag=etag, expect=422)
    assert falt in response.text
    assert (await forhands(walk, akt["arende_id"]))["forfallodatum"] == "2026-02-17"
