"""IVO's quarter boundary (34 kap. 1 § SoL (2025:400)): a beslut whose three months end on the
quarter's last day is reportable in that quarter, because the three months have fully run at the
end of that day. It used to appear first a quarter later. Dates worked out by hand."""

from datetime import UTC, datetime
from typing import Any

from common.clock import FrozenClock
from tests.case_api.flow import Walk, at
from tests.case_api.kvalitet.steps import beslutad_insats, uppdrag

URL = "/v1/rapporter/ivo/ej-verkstallda"


async def test_three_months_ending_on_the_quarters_last_day(
    case_client: Any, case_app: Any, token: Any
) -> None:
    clock = FrozenClock(datetime(2026, 6, 30, 8, 0, tzinfo=UTC))
    case_app.state.clock = clock
    walk = Walk(
        case_client,
        {
            # One child per enhet: the same child's second anmälan would join the first ärende.
            **{e: token("handlaggare", sub=f"hl-{e}", enhet=e) for e in ("bou-1", "bou-2", "bou-3")},
            "utforare": token("utforare", sub="olle", enhet=None, utforare="ov-1"),
            "kval": token("kvalitetssamordnare", sub="kim", enhet=None),
        },
    )
    # A: decided Tuesday 30 June 2026; 30 June + 3 months = Wednesday 30 September, the last
    # day of Q3. Never started.
    at(clock, "2026-06-30 09:00")
    await beslutad_insats(walk, "bou-1", "2026-06-30", "oppenvard")
    # B: decided the same day, started on 30 September: within the three months (the last day counts).
    b = await beslutad_insats(walk, "bou-2", "2026-06-30", "stodsamtal")
    b_path = await uppdrag(walk, "bou-2", b)
    # C: decided 1 July; its three months end 1 October, in Q4.
    at(clock, "2026-07-01 09:00")
    await beslutad_insats(walk, "bou-3", "2026-07-01", "kontaktperson")
    at(clock, "2026-09-30 10:00")
    await walk.command("utforare", f"{b_path}/verkstallighet", b_path, {"verkstallighetsdatum": "2026-09-30"})

    at(clock, "2026-10-05 09:00")
    q3 = (await walk.get("kval", URL, kvartal="2026-Q3")).json()
    rows = q3["individrapporter"]
    assert [(r["beslutsdatum"], r["insatstyp"]) for r in rows] == [("2026-06-30", "oppenvard")]
    # 30 June to 30 September: 92 days; first reported in Q3, nothing before.
    assert (rows[0]["forsta_kvartal"], rows[0]["tidigare_kvartal"], rows[0]["dagar"]) == ("2026-Q3", [], 92)

    at(clock, "2027-01-05 09:00")
    q4 = (await walk.get("kval", URL, kvartal="2026-Q4")).json()
    by_day = {(r["beslutsdatum"], r["insatstyp"]): r for r in q4["individrapporter"]}
    assert sorted(by_day) == [("2026-06-30", "oppenvard"), ("2026-07-01", "kontaktperson")]
    # A again, now with Q3 as its earlier quarter; 30 June to 31 December: 184 days.
    again = by_day[("2026-06-30", "oppenvard")]
    assert (again["forsta_kvartal"], again["tidigare_kvartal"], again["dagar"]) == (
        "2026-Q3",
        ["2026-Q3"],
        184,
    )
    assert by_day[("2026-07-01", "kontaktperson")]["tidigare_kvartal"] == []
