"""What the server offers over MCP, exactly: tools, and nothing it would answer with an empty list.

`MCPServer` registers handlers for prompts and resources whether or not any exist, so it
advertises empty `prompts` and `resources` capabilities and answers `prompts/get` for an unknown
name with error code 0. This server has neither, so `offer_tools_only` removes those handlers:
the capabilities then list only `tools`, and a client that calls a prompt or resource method
anyway gets the JSON-RPC error the spec names for a method the server does not have (-32601).
A `tools/call` naming a tool that does not exist is a protocol error too (-32602, "Unknown
tool"), not a tool result, as the spec's tools page says.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolRequestParams

UNOFFERED_METHODS = (
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/read",
    "resources/templates/list",
    "resources/subscribe",
    "resources/unsubscribe",
)
"""Request methods `MCPServer` would answer (with nothing) that this server does not offer."""

MAX_NAME_SHOWN = 64
"""Characters of an unknown tool name echoed back: enough to spot a typo, not a place to smuggle text."""


def unknown_tool(name: str) -> MCPError:
    """The protocol error for a `tools/call` naming a tool this server does not have."""
    shown = name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "..."
    return MCPError(
        code=INVALID_PARAMS,
        message=f"Unknown tool: {shown!r}. Call tools/list for the tools this server has.",
    )


def offer_tools_only(server: MCPServer[Any]) -> None:
    """Declare only the tools capability on `server` and answer unknown tool names with -32602.

    Call it once the tools are registered. It edits the SDK's handler table, because `MCPServer`
    has no switch for the prompt and resource handlers it installs by default.
    """
    lowlevel = server._lowlevel_server  # private: MCPServer cannot drop default handlers
    for method in UNOFFERED_METHODS:
        lowlevel._request_handlers.pop(method, None)
    entry = lowlevel.get_request_handler("tools/call")
    if entry is None:  # pragma: no cover - MCPServer always registers it
        raise RuntimeError("MCPServer registered no tools/call handler")
    call_tool = entry.handler

    async def call_known_tool(ctx: Any, params: CallToolRequestParams) -> Any:
        if params.name not in {tool.name for tool in await server.list_tools()}:
            raise unknown_tool(params.name)
        return await call_tool(ctx, params)

    lowlevel.add_request_handler("tools/call", CallToolRequestParams, call_known_tool)
