"""Reading tool results."""

from __future__ import annotations

import json
from typing import Any

from mcp.types import CallToolResult


def text_of(result: CallToolResult) -> str:
    """The text block of a tool result."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


class ProgressLog(list[tuple[float, float | None, str | None]]):
    """A `progress_callback` for `call_tool` that keeps each notification as (progress, total, message)."""

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.append((progress, total, message))


def everything_in(results: list[CallToolResult]) -> list[str]:
    """Each result's text and structured content, as strings to search."""
    parts = []
    for result in results:
        parts.append(text_of(result))
        if result.structured_content is not None:
            parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return parts


def strings_in(value: Any) -> list[str]:
    """Every string in a JSON-like value (dicts, lists), however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []
