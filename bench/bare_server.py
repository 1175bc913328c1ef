"""The benchmark's baseline: a bare MCPServer with two trivial tools, and nothing of ours imported.

python bench/bare_server.py                        # MCP over stdio
python bench/bare_server.py --http 127.0.0.1 8001  # stateless JSON streamable HTTP at /mcp

`echo` does nothing; `relay` makes one GET with a shared httpx client and returns the body as it
came, which is the least any server answering from an HTTP API must do (the HTTP rows compare
our server's throughput with it as well as with `echo`). The bench runs it by its path, so not even
the bench package is imported with it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from mcp.server.mcpserver import MCPServer

if TYPE_CHECKING:
    import httpx

server = MCPServer(name="bare")
_http: dict[str, httpx.AsyncClient] = {}


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@server.tool()
async def relay(url: str, params: dict[str, str], headers: dict[str, str]) -> str:
    """GET `url` with `params` and `headers` (one pooled client per process); return the body."""
    if "client" not in _http:
        import httpx  # imported on first use, so the cold-start row's baseline stays bare

        _http["client"] = httpx.AsyncClient(timeout=10)
    http = _http["client"]
    response = await http.get(url, params=params, headers=headers)
    response.raise_for_status()
    return response.text


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--http":
        server.run("streamable-http", host=sys.argv[2], port=int(sys.argv[3]), stateless_http=True, json_response=True)
    else:
        server.run("stdio")
