"""The statements that record a child at registration, as SQL the driver prepares once.

Every aktualisering and serviceinsats runs them, so they are fixed text with $n parameters
(common.db.driver): built per request with SQLAlchemy's expression language, this upsert was
the largest single cost of POST /v1/aktualiseringar (docs/bench.md).
"""

from datetime import date, datetime
from typing import Any

# The enhet's own record of the person ($2 names it), added to and never unprotected: a later
# registration adds what it gives and keeps what it does not. No row from `kalla` records
# nothing and returns nothing.
_UPSERT = """
    INSERT INTO person_uppgifter (id, person_id, kalla, enhet, fornamn, efternamn,
                                  skyddad_identitet, kontakt, tolkbehov, created_at, updated_at)
    SELECT $1, kalla.id, 'enhet', $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $9
    FROM {kalla} WHERE kalla.id IS NOT NULL
    ON CONFLICT (person_id, enhet) DO UPDATE SET
        fornamn = coalesce(EXCLUDED.fornamn, person_uppgifter.fornamn),
        efternamn = coalesce(EXCLUDED.efternamn, person_uppgifter.efternamn),
        skyddad_identitet = person_uppgifter.skyddad_identitet OR EXCLUDED.skyddad_identitet,
        kontakt = person_uppgifter.kontakt || EXCLUDED.kontakt,
        tolkbehov = coalesce(EXCLUDED.tolkbehov, person_uppgifter.tolkbehov),
        updated_at = EXCLUDED.updated_at
    RETURNING person_id
"""

# A known identity: case_person_id is SECURITY DEFINER and returns only the id, so the caller
# learns nothing another enhet recorded.
SPARA_KAND = _UPSERT.format(kalla="(SELECT case_person_id($2) AS id) kalla")

# A new identity: the person row and the enhet's record in one statement; nothing when a
# concurrent registration created the identity first (the person INSERT then did nothing).
_NY_PERSON = """
    WITH kalla AS (
        INSERT INTO person (id, identitet_typ, personnummer, fodelsedatum, skapad_av_enhet, created_at)
        VALUES ($2, $10, $11, $12, $13, $9)
        ON CONFLICT (personnummer) DO NOTHING RETURNING id)
"""
SKAPA = _NY_PERSON + _UPSERT.format(kalla="kalla")


def uppgifter_args(
    *,
    enhet: str,
    fornamn: str | None,
    efternamn: str | None,
    skyddad_identitet: bool,
    kontakt: str,
    tolkbehov: str | None,
    nu: datetime,
) -> tuple[Any, ...]:
    """$3..$9 of both statements ($1 is the record's id, $2 the person's or the pnr)."""
    return (enhet, fornamn, efternamn, skyddad_identitet, kontakt, tolkbehov, nu)


def skapa_args(
    *, identitet_typ: str, personnummer: str | None, fodd: date | None, skapad_av_enhet: str
) -> tuple[Any, ...]:
    """$10..$13 of SKAPA."""
    return (identitet_typ, personnummer, fodd, skapad_av_enhet)
