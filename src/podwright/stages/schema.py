"""JSON schemas for ``response_format`` that strict structured-output providers accept.

OpenAI-style strict mode wants every property listed in ``required``, ``additionalProperties:
false`` on every object and no ``default``; string length limits are not supported. The pydantic
response models stay lenient (defaults, stripping, fallbacks in ``parse``) — only the schema sent to
the provider is tightened, so a grammar-constrained local model also fills every field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["response_schema", "strict_schema"]

# Descriptions are our docstrings, written for programmers, not for the model.
_DROPPED = ("default", "minLength", "maxLength", "title", "description")


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with every object closed and all its properties required."""

    def tighten(node: Any, *, in_properties: bool = False) -> Any:
        if isinstance(node, list):
            return [tighten(item) for item in node]
        if not isinstance(node, dict):
            return node
        if in_properties:
            # Keys here are property names, not keywords: keep them all.
            return {name: tighten(sub) for name, sub in node.items()}
        out = {
            key: tighten(value, in_properties=key in ("properties", "$defs"))
            for key, value in node.items()
            if key not in _DROPPED
        }
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    tightened: dict[str, Any] = tighten(schema)
    return tightened


def response_schema(model_type: type[BaseModel]) -> dict[str, Any]:
    """The strict ``response_format`` schema of ``model_type``."""
    return strict_schema(model_type.model_json_schema())
