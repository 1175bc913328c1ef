"""What the operator chose that changes what an answer shows, and the tool names hints point at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TEXT_BUDGET = 24_000
"""The text block of any answer stays under this many characters."""


@dataclass(frozen=True)
class ToolNames:
    """The tools' names as the tool table registers them, so views can point at the right next call."""

    list: str
    detail: str
    attendance: str
    events: str
    series: str


@dataclass(frozen=True)
class ViewOptions:
    """Operator choices that change what the view shows, and the tool names the hints use."""

    tools: ToolNames
    include_contacts: bool = False
    api_times: Literal["utc", "local"] = "utc"
