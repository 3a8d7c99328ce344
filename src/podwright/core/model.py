"""The base class of every core record: frozen, typed, strict about unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Record"]


class Record(BaseModel):
    """A frozen pydantic model that rejects unknown fields (a typo in a show file is an error)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
