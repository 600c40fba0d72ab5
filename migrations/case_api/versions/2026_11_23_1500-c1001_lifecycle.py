"""The case lifecycle: people, ärenden, aktualiseringar, utredningar, beslut, insatser, uppdrag,
plans, uppföljningar and bevakningar, with row-level security on every table holding personal data.

Revision ID: c1001
Revises: c0001
Create Date: 2026-11-23 14:46:39.404765
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from devstack.migration_ops import grant_function

revision: str = "c1001"
down_revision: str | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Row-level security: the second wall behind the services' object checks. The app role
# sees a row only when the transaction's scope (set_config('app.enhet'|'app.utforare'|'app.alla',
# ..., true), set per request from the token) admits it; no setting means no rows.
ENHET_TABLES = [
    "aktualisering",
    "skyddsbedomning",
    "forhandsbedomning",
    "utredning",
    "utredning_forlangning",
    "beslut",
    "samtycke",
]
UTFORARE_TABLES = ["uppdrag", "genomforandeplan", "uppfoljning", "bevakning", "ej_verkstallt_rapport"]

LIFECYCLE_SQL = """
CREATE UNIQUE INDEX uq_person_personnummer ON person (personnummer);
CREATE UNIQUE INDEX uq_arende_oppet_barn ON arende (person_id, enhet) WHERE status = 'oppet' AND typ = 'barn';
CREATE UNIQUE INDEX uq_skyddsbedomning_aktualisering ON skyddsbedomning (aktualisering_id);
CREATE UNIQUE INDEX uq_forhandsbedomning_aktualisering ON forhandsbedomning (aktualisering_id);
CREATE UNIQUE INDEX uq_genomforandeplan_version ON genomforandeplan (uppdrag_id, versionsnummer);
CREATE INDEX ix_bevakning_enhet_forfallo ON bevakning (enhet, forfallodatum, id);
CREATE INDEX ix_bevakning_utforare_forfallo ON bevakning (utforare, forfallodatum, id)
    WHERE utforare IS NOT NULL;
CREATE INDEX ix_bevakning_forfallo ON bevakning (forfallodatum, id);
CREATE INDEX ix_bevakning_objekt ON bevakning (objekt_id, typ);
CREATE INDEX ix_bevakning_nasta_larm ON bevakning (nasta_larm) WHERE nasta_larm IS NOT NULL;

-- One child, one person row, found across enheter without seeing the row itself.
CREATE FUNCTION case_person_id(p text) RETURNS uuid LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$ SELECT id FROM person WHERE personnummer = p $$;
REVOKE ALL ON FUNCTION case_person_id(text) FROM PUBLIC;

-- Which persons are protected, as ids only: loggkontroll reports on them without seeing them.
CREATE FUNCTION skyddade_person_ids() RETURNS SETOF uuid LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public AS $$ SELECT id FROM person WHERE skyddad_identitet $$;
REVOKE ALL ON FUNCTION skyddade_person_ids() FROM PUBLIC;

CREATE FUNCTION app_ser_enhet(e text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('app.alla', true), '') = 'on'
        OR (coalesce(e, '') <> '' AND e = current_setting('app.enhet', true)) $$;
CREATE FUNCTION app_ser_utforare(u text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(u, '') <> '' AND u = current_setting('app.utforare', true) $$;
"""

POLICY_SQL = {
    **{t: "app_ser_enhet(enhet)" for t in ENHET_TABLES},
    **{t: "app_ser_enhet(enhet) OR app_ser_utforare(utforare)" for t in UTFORARE_TABLES},
    # An utförare touches the ärende and insats of its own uppdrag (locks, state), nothing else.
    "arende": "app_ser_enhet(enhet) OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.arende_id = arende.id"
    " AND app_ser_utforare(u.utforare))",
    "insats": "app_ser_enhet(enhet) OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.insats_id = insats.id"
    " AND app_ser_utforare(u.utforare))",
    "omprovning": "app_ser_enhet(enhet) OR EXISTS (SELECT 1 FROM uppdrag u"
    " WHERE u.insats_id = omprovning.insats_id AND app_ser_utforare(u.utforare))",
    "skyddad_behorighet": "EXISTS (SELECT 1 FROM person p WHERE p.id = skyddad_behorighet.person_id)",
    "person": "app_ser_enhet(skapad_av_enhet)"
    " OR EXISTS (SELECT 1 FROM arende a WHERE a.person_id = person.id AND app_ser_enhet(a.enhet))"
    " OR EXISTS (SELECT 1 FROM uppdrag u WHERE u.person_id = person.id AND app_ser_utforare(u.utforare))",
}

DROP_SQL = """
DROP FUNCTION IF EXISTS case_person_id(text);
DROP FUNCTION IF EXISTS skyddade_person_ids();
"""


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("identitet_typ", sa.Text(), nullable=False),
        sa.Column("personnummer", sa.Text(), nullable=True),
        sa.Column("fornamn", sa.Text(), nullable=True),
        sa.Column("efternamn", sa.Text(), nullable=True),
        sa.Column("fodelsedatum", sa.Date(), nullable=True),
        sa.Column("skyddad_identitet", sa.Boolean(), nullable=False),
        sa.Column("kontakt", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("skapad_av_enhet", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_table(
        "arende",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("typ", sa.Text(), nullable=False),
        sa.Column("handlaggare", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("oppnat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("avslutat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avslut_orsak", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_arende_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arende")),
    )
    op.create_index(op.f("ix_arende_enhet"), "arende", ["enhet"], unique=False)
    op.create_index(op.f("ix_arende_handlaggare"), "arende", ["handlaggare"], unique=False)
    op.create_index(op.f("ix_arende_person_id"), "arende", ["person_id"], unique=False)
    op.create_table(
        "samtycke",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("givet_av", sa.Text(), nullable=False),
        sa.Column("omfattning", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("giltigt_fran", sa.Date(), nullable=False),
        sa.Column("giltigt_till", sa.Date(), nullable=True),
        sa.Column("aterkallat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registrerat_av", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_samtycke_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_samtycke")),
    )
    op.create_index(op.f("ix_samtycke_enhet"), "samtycke", ["enhet"], unique=False)
    op.create_index(op.f("ix_samtycke_person_id"), "samtycke", ["person_id"], unique=False)
    op.create_table(
        "skyddad_behorighet",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("sub", sa.Text(), nullable=False),
        sa.Column("beviljad_av", sa.Text(), nullable=False),
        sa.Column("skal", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_skyddad_behorighet_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skyddad_behorighet")),
    )
    op.create_index(
        op.f("ix_skyddad_behorighet_person_id"), "skyddad_behorighet", ["person_id"], unique=False
    )
    op.create_table(
        "aktualisering",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("typ", sa.Text(), nullable=False),
        sa.Column("inkom", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inkom_dag", sa.Date(), nullable=False),
        sa.Column("kalla", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("beskrivning", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("ansluten_utredning_id", sa.Uuid(), nullable=True),
        sa.Column("registrerad_av", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_aktualisering_arende_id_arende")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aktualisering")),
    )
    op.create_index(op.f("ix_aktualisering_arende_id"), "aktualisering", ["arende_id"], unique=False)
    op.create_index(op.f("ix_aktualisering_enhet"), "aktualisering", ["enhet"], unique=False)
    op.create_table(
        "bevakning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("typ", sa.Text(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("handlaggare", sa.Text(), nullable=True),
        sa.Column("utforare", sa.Text(), nullable=True),
        sa.Column("objekt_typ", sa.Text(), nullable=False),
        sa.Column("objekt_id", sa.Uuid(), nullable=False),
        sa.Column("startdatum", sa.Date(), nullable=False),
        sa.Column("forfallodatum", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("uppfylld_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("uppfylld_datum", sa.Date(), nullable=True),
        sa.Column("avbruten_orsak", sa.Text(), nullable=True),
        sa.Column("paminnelser", sa.ARRAY(sa.Integer()), nullable=False),
        sa.Column("nasta_larm", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_bevakning_arende_id_arende")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bevakning")),
    )
    op.create_index(op.f("ix_bevakning_arende_id"), "bevakning", ["arende_id"], unique=False)
    op.create_table(
        "bevakning_larm",
        sa.Column("bevakning_id", sa.Uuid(), nullable=False),
        sa.Column("troskel", sa.Text(), nullable=False),
        sa.Column("skickat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("skickat", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bevakning_id"], ["bevakning.id"], name=op.f("fk_bevakning_larm_bevakning_id_bevakning")
        ),
        sa.PrimaryKeyConstraint("bevakning_id", "troskel", name=op.f("pk_bevakning_larm")),
    )
    op.create_table(
        "forhandsbedomning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aktualisering_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("beslut", sa.Text(), nullable=False),
        sa.Column("beslutsdatum", sa.Date(), nullable=False),
        sa.Column("motivering", sa.Text(), nullable=False),
        sa.Column("synnerliga_skal", sa.Text(), nullable=True),
        sa.Column("beslutad_av", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aktualisering_id"],
            ["aktualisering.id"],
            name=op.f("fk_forhandsbedomning_aktualisering_id_aktualisering"),
        ),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_forhandsbedomning_arende_id_arende")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forhandsbedomning")),
    )
    op.create_index(
        op.f("ix_forhandsbedomning_aktualisering_id"), "forhandsbedomning", ["aktualisering_id"], unique=False
    )
    op.create_index(op.f("ix_forhandsbedomning_arende_id"), "forhandsbedomning", ["arende_id"], unique=False)
    op.create_table(
        "skyddsbedomning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aktualisering_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("bedomd_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bedomd_av", sa.Text(), nullable=False),
        sa.Column("omedelbart_skydd", sa.Boolean(), nullable=False),
        sa.Column("motivering", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aktualisering_id"],
            ["aktualisering.id"],
            name=op.f("fk_skyddsbedomning_aktualisering_id_aktualisering"),
        ),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_skyddsbedomning_arende_id_arende")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skyddsbedomning")),
    )
    op.create_index(
        op.f("ix_skyddsbedomning_aktualisering_id"), "skyddsbedomning", ["aktualisering_id"], unique=False
    )
    op.create_index(op.f("ix_skyddsbedomning_arende_id"), "skyddsbedomning", ["arende_id"], unique=False)
    op.create_table(
        "utredning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("aktualisering_id", sa.Uuid(), nullable=True),
        sa.Column("startdatum", sa.Date(), nullable=False),
        sa.Column("slutdatum", sa.Date(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("resultat", sa.Text(), nullable=True),
        sa.Column("avslutad_datum", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aktualisering_id"],
            ["aktualisering.id"],
            name=op.f("fk_utredning_aktualisering_id_aktualisering"),
        ),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_utredning_arende_id_arende")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utredning")),
    )
    op.create_index(op.f("ix_utredning_arende_id"), "utredning", ["arende_id"], unique=False)
    op.create_index(op.f("ix_utredning_enhet"), "utredning", ["enhet"], unique=False)
    op.create_table(
        "beslut",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utredning_id", sa.Uuid(), nullable=True),
        sa.Column("utfall", sa.Text(), nullable=False),
        sa.Column("insatstyp", sa.Text(), nullable=False),
        sa.Column("rattslig_grund", sa.Text(), nullable=False),
        sa.Column("beslutsdatum", sa.Date(), nullable=False),
        sa.Column("period_fran", sa.Date(), nullable=True),
        sa.Column("period_till", sa.Date(), nullable=True),
        sa.Column("beslutsfattare", sa.Text(), nullable=False),
        sa.Column("motivering", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_beslut_arende_id_arende")),
        sa.ForeignKeyConstraint(
            ["utredning_id"], ["utredning.id"], name=op.f("fk_beslut_utredning_id_utredning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beslut")),
    )
    op.create_index(op.f("ix_beslut_arende_id"), "beslut", ["arende_id"], unique=False)
    op.create_index(op.f("ix_beslut_enhet"), "beslut", ["enhet"], unique=False)
    op.create_table(
        "utredning_forlangning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("utredning_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("beslutad_av", sa.Text(), nullable=False),
        sa.Column("beslutsdatum", sa.Date(), nullable=False),
        sa.Column("skal", sa.Text(), nullable=False),
        sa.Column("tidigare_slutdatum", sa.Date(), nullable=False),
        sa.Column("ny_slutdatum", sa.Date(), nullable=False),
        sa.Column("sen", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_utredning_forlangning_arende_id_arende")
        ),
        sa.ForeignKeyConstraint(
            ["utredning_id"], ["utredning.id"], name=op.f("fk_utredning_forlangning_utredning_id_utredning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utredning_forlangning")),
    )
    op.create_index(
        op.f("ix_utredning_forlangning_utredning_id"), "utredning_forlangning", ["utredning_id"], unique=False
    )
    op.create_table(
        "insats",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("beslut_id", sa.Uuid(), nullable=True),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("insatstyp", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("beslutsdatum", sa.Date(), nullable=True),
        sa.Column("verkstallighetsdatum", sa.Date(), nullable=True),
        sa.Column("avbrott_datum", sa.Date(), nullable=True),
        sa.Column("avslutad_datum", sa.Date(), nullable=True),
        sa.Column("avslut_orsak", sa.Text(), nullable=True),
        sa.Column("samtycke_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_insats_arende_id_arende")),
        sa.ForeignKeyConstraint(["beslut_id"], ["beslut.id"], name=op.f("fk_insats_beslut_id_beslut")),
        sa.ForeignKeyConstraint(
            ["samtycke_id"], ["samtycke.id"], name=op.f("fk_insats_samtycke_id_samtycke")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insats")),
    )
    op.create_index(op.f("ix_insats_arende_id"), "insats", ["arende_id"], unique=False)
    op.create_index(op.f("ix_insats_beslut_id"), "insats", ["beslut_id"], unique=False)
    op.create_index(op.f("ix_insats_enhet"), "insats", ["enhet"], unique=False)
    op.create_table(
        "omprovning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("insats_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("anledning", sa.Text(), nullable=False),
        sa.Column("beskrivning", sa.Text(), nullable=False),
        sa.Column("rapporterad_av", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_omprovning_arende_id_arende")),
        sa.ForeignKeyConstraint(["insats_id"], ["insats.id"], name=op.f("fk_omprovning_insats_id_insats")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_omprovning")),
    )
    op.create_index(op.f("ix_omprovning_arende_id"), "omprovning", ["arende_id"], unique=False)
    op.create_index(op.f("ix_omprovning_enhet"), "omprovning", ["enhet"], unique=False)
    op.create_index(op.f("ix_omprovning_insats_id"), "omprovning", ["insats_id"], unique=False)
    op.create_table(
        "uppdrag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("insats_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utforare", sa.Text(), nullable=False),
        sa.Column("kontaktfamilj_id", sa.Uuid(), nullable=True),
        sa.Column("behovsbedomning", sa.Text(), nullable=False),
        sa.Column("omfattning", sa.Text(), nullable=False),
        sa.Column("mal", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("uppfoljningsform", sa.Text(), nullable=False),
        sa.Column("kontaktuppgifter", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("skickat_av", sa.Text(), nullable=False),
        sa.Column("skickat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mottaget_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("avbojt_orsak", sa.Text(), nullable=True),
        sa.Column("verkstallighetsdatum", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_uppdrag_arende_id_arende")),
        sa.ForeignKeyConstraint(["insats_id"], ["insats.id"], name=op.f("fk_uppdrag_insats_id_insats")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_uppdrag_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uppdrag")),
    )
    op.create_index(op.f("ix_uppdrag_arende_id"), "uppdrag", ["arende_id"], unique=False)
    op.create_index(op.f("ix_uppdrag_enhet"), "uppdrag", ["enhet"], unique=False)
    op.create_index(op.f("ix_uppdrag_insats_id"), "uppdrag", ["insats_id"], unique=False)
    op.create_index(op.f("ix_uppdrag_person_id"), "uppdrag", ["person_id"], unique=False)
    op.create_index(op.f("ix_uppdrag_utforare"), "uppdrag", ["utforare"], unique=False)
    op.create_table(
        "ej_verkstallt_rapport",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uppdrag_id", sa.Uuid(), nullable=True),
        sa.Column("insats_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utforare", sa.Text(), nullable=True),
        sa.Column("kalla", sa.Text(), nullable=False),
        sa.Column("typ", sa.Text(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("orsak", sa.Text(), nullable=False),
        sa.Column("rapporterad_av", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_ej_verkstallt_rapport_arende_id_arende")
        ),
        sa.ForeignKeyConstraint(
            ["insats_id"], ["insats.id"], name=op.f("fk_ej_verkstallt_rapport_insats_id_insats")
        ),
        sa.ForeignKeyConstraint(
            ["uppdrag_id"], ["uppdrag.id"], name=op.f("fk_ej_verkstallt_rapport_uppdrag_id_uppdrag")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ej_verkstallt_rapport")),
    )
    op.create_index(
        op.f("ix_ej_verkstallt_rapport_insats_id"), "ej_verkstallt_rapport", ["insats_id"], unique=False
    )
    op.create_index(
        op.f("ix_ej_verkstallt_rapport_uppdrag_id"), "ej_verkstallt_rapport", ["uppdrag_id"], unique=False
    )
    op.create_table(
        "genomforandeplan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uppdrag_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utforare", sa.Text(), nullable=False),
        sa.Column("versionsnummer", sa.Integer(), nullable=False),
        sa.Column("foregaende_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("mal", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("aktiviteter", sa.Text(), nullable=False),
        sa.Column("deltagare", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("barnets_delaktighet", sa.Text(), nullable=False),
        sa.Column("barnets_synpunkter", sa.Text(), nullable=True),
        sa.Column("synpunkter_saknas_skal", sa.Text(), nullable=True),
        sa.Column("barnet_eget_talan", sa.Boolean(), nullable=False),
        sa.Column("faststalld_datum", sa.Date(), nullable=True),
        sa.Column("undertecknad_av", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("kopia_lamnad_datum", sa.Date(), nullable=True),
        sa.Column("upprattad_av", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["arende_id"], ["arende.id"], name=op.f("fk_genomforandeplan_arende_id_arende")
        ),
        sa.ForeignKeyConstraint(
            ["uppdrag_id"], ["uppdrag.id"], name=op.f("fk_genomforandeplan_uppdrag_id_uppdrag")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genomforandeplan")),
    )
    op.create_index(op.f("ix_genomforandeplan_uppdrag_id"), "genomforandeplan", ["uppdrag_id"], unique=False)
    op.create_index(op.f("ix_genomforandeplan_utforare"), "genomforandeplan", ["utforare"], unique=False)
    op.create_table(
        "uppfoljning",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uppdrag_id", sa.Uuid(), nullable=False),
        sa.Column("arende_id", sa.Uuid(), nullable=False),
        sa.Column("enhet", sa.Text(), nullable=False),
        sa.Column("utforare", sa.Text(), nullable=False),
        sa.Column("avser", sa.Text(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("barnets_synpunkter", sa.Text(), nullable=True),
        sa.Column("vardnadshavares_synpunkter", sa.Text(), nullable=True),
        sa.Column("maluppfyllelse", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sammanfattning", sa.Text(), nullable=False),
        sa.Column("dokumenterad_av", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["arende_id"], ["arende.id"], name=op.f("fk_uppfoljning_arende_id_arende")),
        sa.ForeignKeyConstraint(
            ["uppdrag_id"], ["uppdrag.id"], name=op.f("fk_uppfoljning_uppdrag_id_uppdrag")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uppfoljning")),
    )
    op.create_index(op.f("ix_uppfoljning_uppdrag_id"), "uppfoljning", ["uppdrag_id"], unique=False)
    for statement in LIFECYCLE_SQL.split(";\n"):
        if statement.strip():
            op.execute(statement)
    grant_function("case_person_id(text)")
    grant_function("skyddade_person_ids()")
    for table, condition in POLICY_SQL.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY scope ON {table} USING ({condition}) WITH CHECK ({condition})")


def downgrade() -> None:
    for table in POLICY_SQL:
        op.execute(f"DROP POLICY IF EXISTS scope ON {table}")
    for statement in DROP_SQL.split(";\n"):
        if statement.strip():
            op.execute(statement)
    op.drop_index(op.f("ix_uppfoljning_uppdrag_id"), table_name="uppfoljning")
    op.drop_table("uppfoljning")
    op.drop_index(op.f("ix_genomforandeplan_utforare"), table_name="genomforandeplan")
    op.drop_index(op.f("ix_genomforandeplan_uppdrag_id"), table_name="genomforandeplan")
    op.drop_table("genomforandeplan")
    op.drop_index(op.f("ix_ej_verkstallt_rapport_uppdrag_id"), table_name="ej_verkstallt_rapport")
    op.drop_index(op.f("ix_ej_verkstallt_rapport_insats_id"), table_name="ej_verkstallt_rapport")
    op.drop_table("ej_verkstallt_rapport")
    op.drop_index(op.f("ix_uppdrag_utforare"), table_name="uppdrag")
    op.drop_index(op.f("ix_uppdrag_person_id"), table_name="uppdrag")
    op.drop_index(op.f("ix_uppdrag_insats_id"), table_name="uppdrag")
    op.drop_index(op.f("ix_uppdrag_enhet"), table_name="uppdrag")
    op.drop_index(op.f("ix_uppdrag_arende_id"), table_name="uppdrag")
    op.drop_table("uppdrag")
    op.drop_index(op.f("ix_omprovning_insats_id"), table_name="omprovning")
    op.drop_index(op.f("ix_omprovning_enhet"), table_name="omprovning")
    op.drop_index(op.f("ix_omprovning_arende_id"), table_name="omprovning")
    op.drop_table("omprovning")
    op.drop_index(op.f("ix_insats_enhet"), table_name="insats")
    op.drop_index(op.f("ix_insats_beslut_id"), table_name="insats")
    op.drop_index(op.f("ix_insats_arende_id"), table_name="insats")
    op.drop_table("insats")
    op.drop_index(op.f("ix_utredning_forlangning_utredning_id"), table_name="utredning_forlangning")
    op.drop_table("utredning_forlangning")
    op.drop_index(op.f("ix_beslut_enhet"), table_name="beslut")
    op.drop_index(op.f("ix_beslut_arende_id"), table_name="beslut")
    op.drop_table("beslut")
    op.drop_index(op.f("ix_utredning_enhet"), table_name="utredning")
    op.drop_index(op.f("ix_utredning_arende_id"), table_name="utredning")
    op.drop_table("utredning")
    op.drop_index(op.f("ix_skyddsbedomning_arende_id"), table_name="skyddsbedomning")
    op.drop_index(op.f("ix_skyddsbedomning_aktualisering_id"), table_name="skyddsbedomning")
    op.drop_table("skyddsbedomning")
    op.drop_index(op.f("ix_forhandsbedomning_arende_id"), table_name="forhandsbedomning")
    op.drop_index(op.f("ix_forhandsbedomning_aktualisering_id"), table_name="forhandsbedomning")
    op.drop_table("forhandsbedomning")
    op.drop_table("bevakning_larm")
    op.drop_index(op.f("ix_bevakning_arende_id"), table_name="bevakning")
    op.drop_table("bevakning")
    op.drop_index(op.f("ix_aktualisering_enhet"), table_name="aktualisering")
    op.drop_index(op.f("ix_aktualisering_arende_id"), table_name="aktualisering")
    op.drop_table("aktualisering")
    op.drop_index(op.f("ix_skyddad_behorighet_person_id"), table_name="skyddad_behorighet")
    op.drop_table("skyddad_behorighet")
    op.drop_index(op.f("ix_samtycke_person_id"), table_name="samtycke")
    op.drop_index(op.f("ix_samtycke_enhet"), table_name="samtycke")
    op.drop_table("samtycke")
    op.drop_index(op.f("ix_arende_person_id"), table_name="arende")
    op.drop_index(op.f("ix_arende_handlaggare"), table_name="arende")
    op.drop_index(op.f("ix_arende_enhet"), table_name="arende")
    op.drop_table("arende")
    op.drop_table("person")
    op.execute("DROP FUNCTION IF EXISTS app_ser_enhet(text)")
    op.execute("DROP FUNCTION IF EXISTS app_ser_utforare(text)")
