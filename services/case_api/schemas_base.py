"""Base classes for request and response bodies (never table models)."""

from pydantic import BaseModel, ConfigDict


class Indata(BaseModel):
    """A request body: unknown fields are refused, so nothing is mass-assigned by accident."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Utdata(BaseModel):
    model_config = ConfigDict(from_attributes=True)
