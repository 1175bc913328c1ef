"""The tools' output schemas as published: flat, and stored so that start-up need not generate them.

`tools/list` shows each tool's output schema in a flat form (`flat_schema`: no `$ref`, no nullable
`anyOf`), which a client checks every result against in pure Python about 40% faster. Generating the
schemas from the output models takes about 13 ms, and building the models about 12 ms more; a host
starts its servers at launch, long before the first question. So the published schemas ship in
`output_schemas.json`, next to a fingerprint of our code they follow from (`output.py`, `wire.py`
and this module). At start-up the server uses the file only while the fingerprint matches: after any
change to that code it generates the schemas as before, just more slowly, so a stale file is never
published.

    python -m huawei_meeting_mcp.schemas    # rewrite output_schemas.json (`make schemas`)

tests/test_output_schema.py fails while the file is out of date, and says to run that. It also holds
the stored schemas to accepting exactly what the installed SDK's own schemas accept, whatever pydantic
and mcp versions are installed (the file says which versions generated it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMA_FILE = HERE / "output_schemas.json"
SOURCES = ("output.py", "wire.py", "schemas.py")
"""Our code the published schemas follow from: the output models, the types they use, and flattening."""


def fingerprint() -> str:
    """A digest of our code the schemas follow from (see SOURCES)."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


@cache
def precomputed() -> dict[str, dict[str, Any]]:
    """The published output schemas by output model name, or nothing when the file is missing or stale.

    Read once per process and shared by every server built in it: not to be changed.
    """
    try:
        stored = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("fingerprint") != fingerprint():
        return {}
    schemas = stored.get("schemas")
    return schemas if isinstance(schemas, dict) else {}


def generated() -> dict[str, Any]:
    """The file's content, generated now: every tool's published output schema by output model name."""
    import anyio

    from .app import TOOLS, add_tools
    from .tooling import MeetingServer, output_model

    server = MeetingServer(name="schemas")
    server.precomputed_schemas = False
    add_tools(server)
    published = {tool.name: tool.output_schema for tool in anyio.run(server.list_tools)}
    schemas = {}
    for spec in TOOLS:
        model = output_model(spec.handler)
        if model is not None and published.get(spec.name) is not None:
            schemas[model.__name__] = published[spec.name]
    return {"fingerprint": fingerprint(), "generated_with": generators(), "schemas": schemas}


def generators() -> dict[str, str]:
    """The versions of the libraries that generate the schemas from the models."""
    from importlib.metadata import version

    return {library: version(library) for library in ("mcp", "pydantic")}


_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})
_TYPE_SPECIFIC = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
    }
    | _ANNOTATIONS
)
"""Keywords that only constrain instances of the schema's own `type` (or constrain nothing)."""


def flat_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The same JSON Schema without `$ref`s or nullable `anyOf`s, accepting exactly the same instances.

    `{"$ref": "#/$defs/X", "description": ...}` becomes X inlined with the description; `{"anyOf": [S,
    {"type": "null"}]}` becomes S with `"type": [T, "null"]` when S has one `type` T and only keywords
    that apply to T alone. A schema with a `$ref` that cannot be inlined (recursive, or elsewhere) is
    returned unchanged.
    """
    definitions: dict[str, Any] = schema.get("$defs", {})

    def flat(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [flat(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref is not None:
            name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else ""
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            if name not in definitions or name in seen or "/" in name or not set(siblings) <= _ANNOTATIONS:
                raise _NotFlat
            return {**flat(definitions[name], (*seen, name)), **siblings}
        out = {key: flat(value, seen) for key, value in node.items() if key != "$defs"}
        branches = out.get("anyOf")
        if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
            other = branches[0] if branches[1] == {"type": "null"} else branches[1]
            kind = other.get("type") if isinstance(other, dict) else None
            outer = {key: value for key, value in out.items() if key != "anyOf"}
            if isinstance(kind, str) and set(other) <= _TYPE_SPECIFIC and not (set(other) & set(outer)) - _ANNOTATIONS:
                return {**other, **outer, "type": [kind, "null"]}  # the field's own annotations win
        return out

    try:
        flattened: dict[str, Any] = flat(schema, ())
    except _NotFlat:
        return schema
    return flattened


class _NotFlat(Exception):
    """A `$ref` that `flat_schema` does not inline."""


def main() -> None:
    """Rewrite output_schemas.json from the models (`make schemas`); says so on stderr, like every server message."""
    SCHEMA_FILE.write_text(json.dumps(generated(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    sys.stderr.write(f"Wrote {SCHEMA_FILE}\n")


if __name__ == "__main__":
    main()
