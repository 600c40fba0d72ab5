"""The case file of one ärende read in one statement.

GET /v1/arenden/{id} answers with every kind of object of the ärende, and each kind was a
query of its own (18 statements for a new child, one more per aktualisering): here they are
one UNION ALL of each table's rows as jsonb, validated into the same models the services
use, and laddning.rader serves them to the functions that build the answer.
"""

import uuid
from typing import Any

import orjson

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

# Table names from the models, the ärende's id the one parameter; row-level security applies.
_AKT_SQL = " UNION ALL ".join(
    f"SELECT {n} AS slag, to_jsonb(t)::text AS rad FROM {model.__tablename__} t "  # type: ignore[attr-defined]  # noqa: S608
    "WHERE t.arende_id = $1"
    for n, model in enumerate(AKT)
)


async def las_akt(k: Kontext, arende_id: uuid.UUID) -> dict[type, list[Any]]:
    """Every row of the ärende in AKT's tables, by model (each list in no particular order)."""
    found: dict[type, list[Any]] = {model: [] for model in AKT}
    for row in await (await driver(k.session)).fetch(_AKT_SQL, arende_id):
        model = AKT[row["slag"]]
        found[model].append(model.model_validate(orjson.loads(row["rad"])))
    return found
