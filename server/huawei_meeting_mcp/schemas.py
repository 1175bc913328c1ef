"""The tools' output schemas as published, precomputed: generating them costs a third of our start-up.

`tools/list` shows each tool's output schema (the flat form of `tooling.flat_schema`). Generating
them from the output models takes about 13 ms, and building the models about 12 ms more; a host
starts its servers at launch, long before the first question. So the published schemas ship in
`output_schemas.json`, next to a fingerprint of everything they are generated from (the sources of
`output.py` and `wire.py`, pydantic's version, and the SDK module that generates them). At start-up the server uses the
file only when the fingerprint still matches: after any change to the models it generates the
schemas as before, just more slowly, so a stale file can never be published.

    python -m huawei_meeting_mcp.schemas    # rewrite output_schemas.json (`make schemas`)

tests/test_output_schema.py fails while the file is out of date, and says to run that.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import pydantic
import pydantic_core
from mcp.server.mcpserver.utilities import func_metadata

HERE = Path(__file__).resolve().parent
SCHEMA_FILE = HERE / "output_schemas.json"
SOURCES = ("output.py", "wire.py")
"""The modules the output models (and the types they use) are defined in."""
GENERATOR = Path(func_metadata.__file__)
"""The SDK module that turns the output models into schemas (pydantic does the rest)."""


def fingerprint() -> str:
    """A digest of what the schemas are generated from: the models' sources and the generating code."""
    digest = hashlib.sha256()
    for path in (*(HERE / name for name in SOURCES), GENERATOR):
        digest.update(path.read_bytes())
    digest.update(f"pydantic {pydantic.VERSION} core {pydantic_core.__version__}".encode())
    return digest.hexdigest()


def precomputed() -> dict[str, dict[str, Any]]:
    """The published output schemas by output model name, or nothing when the file is missing or stale.

    Parsed afresh on each call: the caller may keep and change them.
    """
    text = _current_file()
    stored = json.loads(text) if text else {}
    schemas = stored.get("schemas") if isinstance(stored, dict) else None
    return schemas if isinstance(schemas, dict) else {}


@cache
def _current_file() -> str:
    """The schema file's text when its fingerprint matches the models as they are now, else ''."""
    try:
        text = SCHEMA_FILE.read_text(encoding="utf-8")
        stored = json.loads(text)
    except (OSError, ValueError):
        return ""
    return text if isinstance(stored, dict) and stored.get("fingerprint") == fingerprint() else ""


def generated() -> dict[str, Any]:
    """The file's content, generated now: every tool's published output schema by output model name."""
    from .app import add_tools
    from .tooling import MeetingServer, output_model

    server = MeetingServer(name="schemas")
    server.precomputed_schemas = False
    add_tools(server)
    schemas = {}
    for tool in server._tool_manager.list_tools():
        model = output_model(tool.fn)
        if model is not None and tool.output_schema is not None:
            schemas[model.__name__] = tool.output_schema
    return {"fingerprint": fingerprint(), "schemas": schemas}


def main() -> None:
    """Rewrite output_schemas.json from the models."""
    SCHEMA_FILE.write_text(json.dumps(generated(), indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")
    print(f"Wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
