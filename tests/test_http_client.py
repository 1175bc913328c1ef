"""The shared httpx client: built with the shared state on the first tool call, one connection, proxy settings."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from anyio.abc import SocketAttribute, SocketStream
from mcp import Client
from pydantic import SecretStr

from huawei_meeting_mcp.app import create_server
from huawei_meeting_mcp.client import CONF_DETAIL_PATH
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import INTERNAL_ERROR
from huawei_meeting_mcp.transport import create_http_client
from tests.support import LiveSandbox, text_of

TOKEN = "stbHTTP-CLIENT-TEST-TOKEN-00000000000"

pytestmark = pytest.mark.anyio


async def test_the_client_and_its_tls_settings_wait_for_the_first_tool_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    settings = Settings(base_url="https://api.meeting.huaweicloud.com", access_token=SecretStr(TOKEN))
    async with Client(create_server(settings)) as client:
        listed = await client.list_tools()  # the shared state, with the HTTP client, is not opened yet
        result = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
    assert len(listed.tools) >= 4
    assert result.is_error is True
    assert text_of(result) == INTERNAL_ERROR, "the first call opens it, and reads the CA bundle"


async def test_sequential_requests_share_one_connection(live_sandbox: LiveSandbox) -> None:
    async with create_http_client(live_sandbox.url, timeout=5) as http:
        for _ in range(5):
            response = await http.get(CONF_DETAIL_PATH, params={"confUUID": DOCS_EXAMPLE_UUID})
            assert response.status_code == 401  # no token: the sandbox still records the request
    assert len(live_sandbox.sandbox.requests) == 5
    assert len(live_sandbox.sandbox.connections) == 1


async def test_https_proxy_from_the_environment_is_still_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    seen: list[bytes] = []
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(SocketAttribute.local_port)  # noqa: S610 - anyio typed attribute, not Django

    async def refuse(stream: SocketStream) -> None:
        async with stream:
            received = b""
            while b"\r\n\r\n" not in received:
                received += await stream.receive()
            seen.append(received.split(b"\r\n", 1)[0])
            await stream.send(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    async with anyio.create_task_group() as group:
        group.start_soon(listener.serve, refuse)
        async with create_http_client("https://api.meeting.huaweicloud.com", timeout=5) as http:
            with pytest.raises(httpx.ProxyError):
                await http.get("/v1/anything")
        group.cancel_scope.cancel()
    assert seen == [b"CONNECT api.meeting.huaweicloud.com:443 HTTP/1.1"]
