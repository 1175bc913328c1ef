"""The tools' schemas as published in `tools/list`: generated from our models when the server is built.

- Input: a pydantic model of the handler's parameters (`arguments_model`), with their `Field`
  constraints and descriptions; its title is the tool's own ("List historical meetings: arguments").
- Output: the output model's schema, in serialization mode.

Both are published flat (`flat_schema`): `$ref`s inlined, and no nullable types. Structured content
is dumped with `exclude_none=True`, so a field that may be None is published with its own type and
left out of `required`: it is absent, never null (an argument left out is None, and an explicit null
is still accepted). A schema that can hold null anywhere else (a list item, say) cannot be published
so, and building the server fails.

Titles pydantic derives from names (`Confuuid`, `TimeZoneInfo`) are left out: each schema has one
title, the one a person wrote. tests/snapshots/tools_list.json shows the result for review.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

ARGUMENTS_CONFIG = ConfigDict(extra="ignore", hide_input_in_errors=True)
"""Arguments a tool does not take are ignored, as MCPServer does; errors never echo the values."""

_NULL = {"type": "null"}
_FIELD_ANNOTATIONS = frozenset({"description", "default", "examples"})
_VALUES = frozenset({"default", "examples", "enum", "const"})
"""Keywords whose values are instances, not schemas: copied as they are."""


STORED = Path(__file__).with_name("tool_schemas.json")
"""Every published tool's input and output schema as generated from the models, stored with the package and
served from there: generating them at each start-up was most of a start-up's own cost (docs/performance.md,
row 1). tests/test_tool_surface.py fails, saying how to write it again, when it differs from
what the models generate."""


@cache
def stored_schemas() -> dict[str, dict[str, Any]]:
    """`STORED`: by tool name, `{"inputSchema": ..., "outputSchema": ...}`; empty where the file is absent."""
    try:
        stored: dict[str, dict[str, Any]] = json.loads(STORED.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return stored


def stored_form(schemas: dict[str, dict[str, Any]]) -> str:
    """`schemas` as `STORED` holds them: sorted and indented, so that a change shows in a review."""
    return json.dumps(schemas, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class SchemaError(ValueError):
    """A model whose schema cannot be published in the flat, null-free form."""


def arguments_model(handler: Callable[..., Any], title: str, *, context: type) -> tuple[type[BaseModel], str | None]:
    """A model of `handler`'s parameters, and the name of its `context` parameter (the call, not an argument)."""
    hints = get_type_hints(handler, include_extras=True)
    fields: dict[str, Any] = {}
    context_parameter = None
    for parameter in inspect.signature(handler).parameters.values():
        hint = hints[parameter.name]
        if (get_origin(hint) or hint) is context:
            context_parameter = parameter.name
            continue
        required = parameter.default is inspect.Parameter.empty
        fields[parameter.name] = (hint, ... if required else parameter.default)
    model: type[BaseModel] = create_model(title, __config__=ARGUMENTS_CONFIG, **fields)
    return model, context_parameter


def input_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The input schema of a tool whose arguments `model` validates, titled `title`."""
    schema = _untitled(flat_schema(model.model_json_schema()))
    return {"title": title, **schema}


def output_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The output schema of answers dumped from `model` with `exclude_none=True`, flat and titled `title`."""
    schema = _untitled(flat_schema(model.model_json_schema(mode="serialization")))
    return {"title": title, **schema}


def flat_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `$ref` inlined, and every nullable property made optional and non-null.

    `{"$ref": "#/$defs/X", "description": ...}` becomes X inlined with the description. A property
    `{"anyOf": [S, {"type": "null"}], "default": null}` becomes S (with the property's description)
    and leaves `required`: what `exclude_none=True` dumps, which never holds null. Raises SchemaError
    for a `$ref` that cannot be inlined (recursive, or elsewhere) and for null outside a property.
    """
    definitions: dict[str, Any] = schema.get("$defs", {})

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref is None:
            return {key: inline(value, seen) for key, value in node.items() if key != "$defs"}
        name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else ""
        if name not in definitions or name in seen or "/" in name:
            raise SchemaError(f"cannot inline {ref!r}: recursive, or not in $defs")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        return {**inline(definitions[name], (*seen, name)), **siblings}

    flattened: dict[str, Any] = _without_null(inline(schema, ()), "#")
    return flattened


def _without_null(node: Any, where: str) -> Any:
    """`node` with nullable properties made optional; SchemaError where null remains possible."""
    if isinstance(node, list):
        return [_without_null(item, f"{where}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or None in node.get("enum", ()):
        raise SchemaError(f"{where} may be null, but only an optional property can be left out instead")
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _VALUES:
            out[key] = value
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _property(prop, f"{where}/properties/{name}") for name, prop in value.items()}
        else:
            out[key] = _without_null(value, f"{where}/{key}")
    nullable = {name for name, prop in node.get("properties", {}).items() if _is_nullable(prop)}
    if nullable and "required" in out:
        out["required"] = [name for name in out["required"] if name not in nullable]
        if not out["required"]:
            del out["required"]
    return out


def _is_nullable(prop: Any) -> bool:
    return isinstance(prop, dict) and _NULL in prop.get("anyOf", [])


def _property(prop: Any, where: str) -> Any:
    """A property's schema without its null branch and null default: the property is then simply left out."""
    if not _is_nullable(prop):
        return _without_null(prop, where)
    branches = [branch for branch in prop["anyOf"] if branch != _NULL]
    outer = {key: value for key, value in prop.items() if key != "anyOf" and not (key == "default" and value is None)}
    if len(branches) > 1:
        return _without_null({"anyOf": branches, **outer}, where)
    if set(outer) - _FIELD_ANNOTATIONS - {"title"}:
        raise SchemaError(f"{where}: keywords beside a nullable anyOf: {sorted(outer)}")
    return _without_null({**branches[0], **outer}, where)  # the field's own description wins


def _untitled(node: Any) -> Any:
    """`node` without the titles pydantic derives from model and field names."""
    if isinstance(node, list):
        return [_untitled(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _VALUES:
            out[key] = value
        elif key == "properties" and isinstance(value, dict):
            out[key] = {name: _untitled(prop) for name, prop in value.items()}
        elif key != "title":
            out[key] = _untitled(value)
    return out
