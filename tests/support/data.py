"""Recorded-shape API answers and view options, for the view tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.view import ViewOptions

FIXTURES = Path(__file__).parent.parent / "fixtures"
"""Recorded-shape API answers, for the view tests."""


def fixture_json(name: str) -> Any:
    """One fixture file, parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def docs_body() -> dict[str, Any]:
    """The confDetail answer from Huawei's reference page (the docs example)."""
    body: dict[str, Any] = fixture_json("confdetail-docs-example.json")["response"]["body"]
    return body


def view_options(**options: Any) -> ViewOptions:
    """View options with the tool table's names, as the server builds them."""
    return ViewOptions(tools=TOOL_NAMES, **options)
