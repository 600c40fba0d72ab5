import uuid
from datetime import date, datetime

from case_api.columns import pk, ref, text_, tid
from case_api.database import CaseTable


class Placeringsbeslut(CaseTable, table=True):
    """A recorded decision about a placement (vård utanför det egna hemmet): an övervägande, an
    LVU 3 § prövning, a vårdnadsöverflyttning considered, a jourhem stay extended for särskilda
    skäl, an uppföljning after the placement opened or closed. Never edited: each is a new row."""

    __tablename__ = "placeringsbeslut"

    id: uuid.UUID = pk()
    insats_id: uuid.UUID = ref("insats.id")
    arende_id: uuid.UUID = ref("arende.id", index=False)
    enhet: str = text_()
    regel: str = text_()  # the rule it meets or moves
    datum: date
    utfall: str = text_()
    motivering: str = text_()
    # A jourhem stay extended for särskilda skäl: its new last day.
    ny_sista_dag: date | None = None
    registrerad_av: str = text_()
    created_at: datetime = tid()


class Vardplan(CaseTable, table=True):
    """One version of the nämnd's plan for the care (9 kap. 12 § SoL (2025:400)). A revision
    (9 kap. 13 §) is a new row with the next version; a version is never rewritten, except that
    its fastställande (the day it was fastställd and the day it was communicated) is recorded
    once."""

    __tablename__ = "vardplan"

    id: uuid.UUID = pk()
    insats_id: uuid.UUID = ref("insats.id")
    arende_id: uuid.UUID = ref("arende.id", index=False)
    enhet: str = text_()
    version: int
    upprattad: date
    mal: str = text_()
    insatser: str = text_()
    umgange: str = text_()
    synpunkter: str = text_()
    # 9 kap. 12 § tredje stycket: what other huvudmän are responsible for; None: nothing.
    andra_huvudman: str | None = text_(nullable=True)
    # A revision: why (9 kap. 13 § första stycket "vid behov").
    orsak: str | None = text_(nullable=True)
    # The first revision takes up the child's långsiktiga boende, or says the särskilda skäl
    # against it (9 kap. 13 § andra stycket).
    langsiktigt_boende: str | None = text_(nullable=True)
    sarskilda_skal: str | None = text_(nullable=True)
    faststalld: date | None = None
    kommunicerad: date | None = None
    registrerad_av: str = text_()
    faststalld_av: str | None = text_(nullable=True)
    created_at: datetime = tid()
