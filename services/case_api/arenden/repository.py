"""The case file of one ärende read in one statement.

GET /v1/arenden/{id} answers with every kind of object of the ärende, and each kind was a
query of its own (18 statements for a new child, one more per aktualisering): here they are
one UNION ALL of each table's rows as jsonb, validated into the same models the services
use, and laddning.rader serves them to the functions that build the answer. The ärende
itself, its child and the records of the child its enhet may use come in the same statement
(laddning.forladdad), so the read is BEGIN, scope, this, the audit row and COMMIT.
"""

import uuid
from typing import Any

import orjson

from case_api.arenden.models import Arende
from case_api.bevakning.models import Bevakning
from case_api.insats.models import Beslut, Insats, Omprovning
from case_api.intake.models import (
    Aktualisering,
    Aterkoppling,
    Forhandsbedomning,
    ForhandsbedomningForlangning,
    Skyddsbedomning,
)
from case_api.kontext import Kontext
from case_api.personer.models import KALLA_FOLKBOKFORING, Person, PersonUppgifter
from case_api.uppdrag.models import Uppdrag
from case_api.utredning.models import Utredning, UtredningForlangning
from common.db import driver

AKT: tuple[type, ...] = (
    Aktualisering,
    Skyddsbedomning,
    Forhandsbedomning,
    ForhandsbedomningForlangning,
    Aterkoppling,
    Utredning,
    UtredningForlangning,
    Beslut,
    Insats,
    Uppdrag,
    Omprovning,
    Bevakning,
)

# Read with the case file: the ärende, its child, and the child's records this enhet may use
# (its own and the register's; row-level security hides other enheter's).
EGNA: tuple[type, ...] = (Arende, Person, PersonUppgifter)
_EGNA_SQL = (
    "SELECT {arende} AS slag, to_jsonb(t)::text AS rad FROM arende t WHERE t.id = $1",
    "SELECT {person} AS slag, to_jsonb(t)::text AS rad FROM person t "
    "JOIN arende a ON a.id = $1 AND t.id = a.person_id",
    # Two branches, not one OR: without statistics the planner turned the OR into a bitmap scan
    # of every record of the enhet (40 ms at 22,000 children, seen with EXPLAIN ANALYZE).
    "SELECT {uppgifter} AS slag, to_jsonb(t)::text AS rad FROM person_uppgifter t "
    "JOIN arende a ON a.id = $1 AND t.person_id = a.person_id AND t.enhet = a.enhet",
    "SELECT {uppgifter} AS slag, to_jsonb(t)::text AS rad FROM person_uppgifter t "
    "JOIN arende a ON a.id = $1 AND t.person_id = a.person_id WHERE t.kalla = '{folkbokforing}'",
)
SLAG: tuple[type, ...] = (*AKT, *EGNA)

# Table names from the models, slag numbers from SLAG and the register's kalla (a literal, so
# a generic plan can use its partial index) are formatted in; the ärende's id is the one
# parameter; row-level security applies.
_AKT_SQL = " UNION ALL ".join(
    [
        *(
            f"SELECT {n} AS slag, to_jsonb(t)::text AS rad FROM {model.__tablename__} t "  # type: ignore[attr-defined]  # noqa: S608
            "WHERE t.arende_id = $1"
            for n, model in enumerate(AKT)
        ),
        *(
            sql.format(
                arende=len(AKT),
                person=len(AKT) + 1,
                uppgifter=len(AKT) + 2,
                folkbokforing=KALLA_FOLKBOKFORING,
            )
            for sql in _EGNA_SQL
        ),
    ]
)


# A barn-ärende is inserted unless the child has an open one at the enhet (the partial unique
# index uq_arende_oppet_barn); its predicate is literal, so a generic plan still matches it.
_OPPNA_BARN = (
    "INSERT INTO arende (id, person_id, enhet, typ, handlaggare, status, oppnat_at, version) "
    "VALUES ($1, $2, $3, 'barn', $4, 'oppet', $5, 1) "
    "ON CONFLICT (person_id, enhet) WHERE status = 'oppet' AND typ = 'barn' DO NOTHING RETURNING id"
)
_OPPNA = (
    "INSERT INTO arende (id, person_id, enhet, typ, handlaggare, status, oppnat_at, version) "
    "VALUES ($1, $2, $3, $6, $4, 'oppet', $5, 1) RETURNING id"
)


async def oppna(conn: Any, a: Arende) -> bool:
    """Insert the new ärende `a` (status oppet, version 1); False when the child already has an
    open barn-ärende at the enhet and nothing was inserted."""
    args = (a.id, a.person_id, a.enhet, a.handlaggare, a.oppnat_at)
    if a.typ == "barn":
        return await conn.fetchval(_OPPNA_BARN, *args) is not None
    return await conn.fetchval(_OPPNA, *args, a.typ) is not None


async def las_akt(k: Kontext, arende_id: uuid.UUID) -> dict[type, list[Any]]:
    """Every row of the ärende in SLAG's tables, by model (each list in no particular order):
    the ärende's own list is empty when it does not exist or row-level security hides it."""
    found: dict[type, list[Any]] = {model: [] for model in SLAG}
    for row in await (await driver(k.session)).fetch(_AKT_SQL, arende_id):
        model = SLAG[row["slag"]]
        found[model].append(model.model_validate(orjson.loads(row["rad"])))
    return found
