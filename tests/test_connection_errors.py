"""Connection errors say whether the request reached Huawei, and tell an unknown host, a refused port and TLS apart."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from huawei_meeting_mcp import errors
from huawei_meeting_mcp.client import MeetingClient, RetryPolicy
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.wire import DetailQuery
from tests.support import FakeTokens, LiveSandbox

pytestmark = pytest.mark.anyio


def closed_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def probe(base_url: str, transport: httpx.AsyncBaseTransport | None = None) -> errors.UpstreamError:
    """One confDetail call against `base_url`, no retries; returns the error it raised."""
    http = create_http_client(base_url, timeout=10, transport=transport)
    client = MeetingClient(http, FakeTokens(), timeout=10, retry=RetryPolicy(max_retries=0))
    async with http:
        with pytest.raises(errors.UpstreamError) as caught:
            await client.conf_detail(DetailQuery("abc"))
    return caught.value


def assert_not_sent(error: errors.UpstreamError) -> None:
    message = str(error)
    assert isinstance(error, errors.UpstreamConnectionError)
    assert "The request did not reach Huawei" in message
    assert "X-Request-ID" not in message
    assert error.request_id not in message
    assert "token-1" not in message


async def test_a_refused_connection_is_named_and_never_reached_huawei() -> None:
    port = closed_loopback_port()
    error = await probe(f"http://127.0.0.1:{port}")
    assert type(error) is errors.ConnectionRefusedByHostError
    assert_not_sent(error)
    assert f"127.0.0.1:{port} refused the connection" in str(error)
    assert "check the host and port in HUAWEI_MEETING_BASE_URL" in str(error)


async def test_https_to_a_plain_http_port_is_a_tls_failure(live_sandbox: LiveSandbox) -> None:
    error = await probe(live_sandbox.url.replace("http://", "https://"))
    assert type(error) is errors.TlsHandshakeError
    assert_not_sent(error)
    assert "The TLS handshake with 127.0.0.1:" in str(error)
    assert "plain-HTTP server, the https:// is wrong" in str(error)
    assert live_sandbox.sandbox.requests == []


async def test_an_unknown_host_is_named() -> None:
    def no_such_host(request: httpx.Request) -> Any:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    error = await probe("https://api.meeting.huaweicloud.invalid", httpx.MockTransport(no_such_host))
    assert type(error) is errors.UnknownHostError
    assert_not_sent(error)
    assert "No address was found for api.meeting.huaweicloud.invalid." in str(error)
    assert "its host name is unknown" in str(error)


async def test_a_connect_timeout_never_reached_huawei() -> None:
    def slow(request: httpx.Request) -> Any:
        raise httpx.ConnectTimeout("no SYN-ACK", request=request)

    error = await probe("https://api.meeting.huaweicloud.com", httpx.MockTransport(slow))
    assert type(error) is errors.UpstreamConnectionError
    assert_not_sent(error)
    assert "Connecting to api.meeting.huaweicloud.com:443 timed out." in str(error)


async def test_a_connection_broken_mid_answer_did_reach_huawei_and_quotes_the_request_id() -> None:
    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self) -> Any:
            yield b'{"conf'
            raise httpx.ReadError("connection reset")

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "application/json"}, stream=Broken())

    error = await probe("https://api.meeting.huaweicloud.com", httpx.MockTransport(answer))
    assert type(error) is errors.ConnectionBrokenError
    assert f"[X-Request-ID: {error.request_id}]" in str(error)
    assert "did not reach Huawei" not in str(error)
