"""Quick-start demo: a real MCP client session with `huawei-meeting-mcp --demo` over stdio.

Starts the installed server against its built-in sandbox (no credentials, no network) and walks
the flagship flow as an assistant would: find the Q3 supply-chain review by searching, then its
details and recording, who actually attended, who missed it, and what happened in it. Every answer
is printed exactly as the assistant receives it (long lists cut to a few rows with `limit`).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

SEARCH = "Q3 supply-chain review"
"""The sandbox's flagship meeting, found by its subject (its date moves with the clock, its confUUID may too)."""
ROWS = 5


def server_command() -> str:
    beside = Path(sys.executable).parent / "huawei-meeting-mcp"
    return str(beside) if beside.exists() else (shutil.which("huawei-meeting-mcp") or "huawei-meeting-mcp")


async def ask(client: Client, step: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call one tool, print the call and the text answer; return the structured answer."""
    shown = ", ".join(f"{name}={value!r}" for name, value in arguments.items())
    print(f"\n== {step}\n{tool}({shown}) ->\n")
    result = await client.call_tool(tool, arguments)
    for block in result.content:
        print(getattr(block, "text", block))
    if result.is_error:
        raise SystemExit(f"\nThe demo stopped: {tool} answered with an error (above).")
    return dict(result.structured_content or {})


async def main() -> None:
    params = StdioServerParameters(command=server_command(), args=["--demo"])
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        info = client.server_info
        assert info is not None, "connected, so the server has introduced itself"
        print(f"Connected to {info.name} {info.version} over stdio (--demo: the built-in sandbox). Tools:")
        for tool in tools:
            print(f"  - {tool.name}: {tool.title}")
        listing = await ask(
            client, "1. Which meetings match?", "list_historical_meetings", {"searchKey": SEARCH, "limit": ROWS}
        )
        meetings = listing.get("meetings") or []
        if not meetings:
            raise SystemExit(f"\nThe demo stopped: no meeting matching {SEARCH!r} in the sandbox's last 30 days.")
        conf_uuid = meetings[0]["confUUID"]
        await ask(
            client,
            "2. What was it, was it recorded, and who was on its participant list?",
            "get_historical_meeting_detail",
            {"confUUID": conf_uuid, "limit": ROWS},
        )
        await ask(
            client,
            "3. Who actually attended, and for how long?",
            "get_historical_meeting_attendance",
            {"confUUID": conf_uuid, "limit": ROWS},
        )
        await ask(
            client,
            "4. Who missed it?",
            "get_historical_meeting_attendance",
            {"confUUID": conf_uuid, "show": "absent", "limit": ROWS},
        )
        await ask(
            client,
            "5. Who started the recording, and what else happened?",
            "get_historical_meeting_events",
            {"confUUID": conf_uuid, "limit": ROWS},
        )
    print("\nThat was the sandbox. With your credentials set (README, 'Settings'), the same questions go to Huawei.")


if __name__ == "__main__":
    anyio.run(main)
