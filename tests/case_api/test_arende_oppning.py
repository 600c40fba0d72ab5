"""Opening ärenden over a long-lived connection.

Found by this suite: the insert that opens an ärende named the partial unique index's
predicate with bound parameters (`ON CONFLICT (person_id, enhet) WHERE status = $9 AND
typ = $10`). PostgreSQL infers the arbiter index when it plans the statement; after five
executions of a prepared statement (asyncpg prepares and caches them per connection) it may
switch to a generic plan, where $9 and $10 are unknown, the partial index cannot be inferred,
and every further new child's registration on that pooled connection failed with 500.
"""

from typing import Any

from tests.case_api.flow import Walk
from tests.case_api.steg import Steg, frozen, people
from tests.conftest import TokenFactory

# Fictitious personnummer with valid check digits (the 1912/1913 test series moved to 2012/2013,
# so the persons are children; and the 2015 series).
PNR = [
    "201212121212",
    "201304052390",
    "201211152390",
    "201303192387",
    "201212302382",
    "201503142380",
    "201306072396",
    "201302032386",
]


async def test_many_new_children_on_one_connection(
    case_app: Any, case_client: Any, token: TokenFactory
) -> None:
    frozen(case_app)
    steg = Steg(Walk(case_client, people(token)))
    arenden = set()
    for pnr in PNR:
        akt = await steg.aktualisering(barn={"personnummer": pnr})
        arenden.add(akt["arende_id"])
    assert len(arenden) == len(PNR)
    # And a second anmälan for each joins the child's open ärende, also past the fifth.
    for pnr in PNR:
        again = await steg.aktualisering(barn={"personnummer": pnr}, kalla={"typ": "polis"})
        assert again["arende_id"] in arenden
