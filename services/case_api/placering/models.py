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
