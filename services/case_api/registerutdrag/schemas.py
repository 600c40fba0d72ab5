import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from case_api.audit.schemas import LoggPost


class Registerutdrag(BaseModel):
    """Everything stored about one person (GDPR art. 15), for review before it is released."""

    person_id: uuid.UUID
    upprattat_at: datetime
    upprattat_av: str
    person: dict[str, Any] = Field(
        description="The person row as stored: identity only (nothing masked); what each enhet "
        "recorded about the person is under `uppgifter.person_uppgifter`, one row per enhet"
    )
    uppgifter: dict[str, list[dict[str, Any]]] = Field(
        description="Per table, every row that names the person or one of the person's ärenden"
    )
    atkomster: list[LoggPost] = Field(description="The audit log about the person: who accessed what, when")
