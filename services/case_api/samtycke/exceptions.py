import uuid
from typing import Any

from common.problems import Conflict, UnprocessableContent


class SamtyckeSaknas(Conflict):
    """No samtycke in force covers what is about to cross the boundary. The refusal is audited."""

    slug, title = "samtycke-saknas", "No samtycke in force for this"
    audit_refusal = True

    def __init__(self, detail: str, *, person_id: uuid.UUID, **extensions: Any) -> None:
        # The caller may see the child (it is their ärende): the problem names whom it is about.
        super().__init__(detail, person_id=str(person_id), **extensions)
        self.audit_person_id = person_id


class SamtyckeAterkallat(Conflict):
    slug, title = "samtycke-aterkallat", "The samtycke is already withdrawn"


class BarnetUnder15(UnprocessableContent):
    slug, title = "barnet-under-15", "The child cannot give samtycke before 15"
