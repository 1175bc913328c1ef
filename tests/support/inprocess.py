"""The server built in this process, with an MCP client connected to it in memory (no subprocess, no port)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.types import CallToolResult

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


def _no_answer_yet(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"the test set no upstream answer before calling ({request.url.path})")


class SwitchableUpstream:
    """An upstream (an httpx handler) whose answers each example sets: one server then serves many examples."""

    def __init__(self) -> None:
        self.handler: Callable[[httpx.Request], httpx.Response] = _no_answer_yet

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.handler(request)


@dataclass
class SyncClient:
    """An in-process MCP client, called from synchronous code; its event loop runs in a thread of its own."""

    portal: BlockingPortal
    client: Client

    def call_tool(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """`client.call_tool`, waited for."""
        result: CallToolResult = self.portal.call(self.client.call_tool, name, arguments)
        return result


@contextmanager
def in_process_sync(upstream: Upstream = None, **kwargs: Any) -> Iterator[SyncClient]:
    """`in_process(...)` for synchronous callers such as property tests, open until the block ends.

    One server and session then serve every example: the MCP client compiles each tool's output schema once per
    session, which made a fresh session per example cost more than the example itself. Pass `cache_ttl=0` where
    the upstream's answers change between calls.
    """
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(in_process(upstream, **kwargs)) as client:
        yield SyncClient(portal, client)
