"""The benchmark's baseline: a bare MCPServer with one trivial tool, and nothing of ours imported.

python scripts/bare_server.py                        # MCP over stdio
python scripts/bare_server.py --http 127.0.0.1 8001  # stateless JSON streamable HTTP at /mcp
"""

from __future__ import annotations

import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="bare")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--http":
        server.run("streamable-http", host=sys.argv[2], port=int(sys.argv[3]), stateless_http=True, json_response=True)
    else:
        server.run("stdio")
