"""Quick-start demo: a real MCP client session with `huawei-meeting-mcp --demo` over stdio.

Starts the installed server against its built-in sandbox (no credentials, no network), lists
its tools and prints one real answer, exactly as an assistant receives it.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID


def server_command() -> str:
    beside = Path(sys.executable).parent / "huawei-meeting-mcp"
    return str(beside) if beside.exists() else (shutil.which("huawei-meeting-mcp") or "huawei-meeting-mcp")


async def main() -> None:
    params = StdioServerParameters(command=server_command(), args=["--demo"])
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        print(f"Connected to {client.server_info.name} {client.server_info.version} over stdio. Tools:")
        for tool in tools:
            print(f"  - {tool.name}: {tool.title}")
        arguments = {"confUUID": DOCS_EXAMPLE_UUID}
        print(f"\nget_historical_meeting_detail({arguments}) ->\n")
        result = await client.call_tool("get_historical_meeting_detail", arguments)
        for block in result.content:
            print(getattr(block, "text", block))
        print(f"\n(isError={result.is_error}; structured content has {len(result.structured_content or {})} fields)")


if __name__ == "__main__":
    anyio.run(main)
