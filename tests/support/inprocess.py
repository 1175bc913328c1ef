"""The server built in this process, with an MCP client connected to it in memory (no subprocess, no port)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from mcp import Client

from huawei_meeting_mcp.app import create_server
from huawei_meeting_mcp.auth import TokenProvider
from huawei_meeting_mcp.client import RetryPolicy
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, Sandbox
from huawei_meeting_mcp.settings import Settings

Upstream = Sandbox | Callable[[httpx.Request], httpx.Response] | httpx.AsyncBaseTransport | None
"""What the server's HTTP client talks to: a Sandbox (its ASGI app), a handler (httpx.MockTransport),
any httpx transport, or None for real connections to the settings' `base_url`."""


def _transport(upstream: Upstream) -> httpx.AsyncBaseTransport | None:
    if isinstance(upstream, Sandbox):
        return httpx.ASGITransport(app=upstream.app)
    if upstream is None or isinstance(upstream, httpx.AsyncBaseTransport):
        return upstream
    return httpx.MockTransport(upstream)


@asynccontextmanager
async def in_process(
    upstream: Upstream = None,
    *,
    tokens: TokenProvider | None = None,
    retry: RetryPolicy | None = None,
    **settings: Any,
) -> AsyncIterator[Client]:
    """`create_server(...)` against `upstream`, and a connected MCP client.

    `settings` override the defaults: a loopback base URL, no retries, and the sandbox's token.
    """
    values: dict[str, Any] = {"base_url": "http://127.0.0.1", "max_retries": 0, "access_token": DEFAULT_TOKEN}
    configured = Settings(**{**values, **settings})
    server = create_server(configured, transport=_transport(upstream), tokens=tokens, retry=retry)
    async with Client(server) as client:
        yield client
