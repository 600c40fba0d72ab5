"""Base classes for request and response bodies (never table models)."""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from common import text


def _refuse_controls(value: Any) -> None:
    # Nested models validate themselves; lists and free-form dicts (jsonb) are walked here.
    if isinstance(value, str):
        if not text.free_text_ok(value):
            raise PydanticCustomError(text.CODE, text.FREE_TEXT_MESSAGE)
    elif isinstance(value, dict):
        for k, v in value.items():
            _refuse_controls(k)
            _refuse_controls(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _refuse_controls(v)


class Kontrollerad(BaseModel):
    """A request body whose every string, at any depth, is free of control characters.

    One validator for every field of every input model, so a new field cannot forget it: the
    422 names the field, and a NUL never reaches PostgreSQL (where it failed as a 500).
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _ingen_kontrolltecken(cls, value: Any) -> Any:
        _refuse_controls(value)
        return value


class Indata(Kontrollerad):
    """A request body: unknown fields are refused, so nothing is mass-assigned by accident."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _name(value: str) -> str:
    if not text.name_ok(value):
        raise PydanticCustomError(text.CODE, text.NAME_MESSAGE)
    return value


# A person's or family's name: no control characters at all (not even a line break) and no bidi
# controls, which would make the name read differently from what is stored.
NamnTecken = AfterValidator(_name)
Namn = Annotated[str, Field(min_length=1, max_length=200), NamnTecken]


class Utdata(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Anrop(BaseModel):
    """A command the client can call on the object now, and where."""

    kommando: str
    metod: Literal["POST"]
    href: str = Field(description="The path to send it to (for `uppdrag`, with the insats_id in the body).")
