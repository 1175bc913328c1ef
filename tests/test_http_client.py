"""The shared httpx client builds its connection pool on first use, and still honours proxy settings."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from anyio.abc import SocketAttribute, SocketStream

from huawei_meeting_mcp.client import CONF_DETAIL_PATH, _DeferredTransport, create_http_client
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from tests.support import LiveSandbox

pytestmark = pytest.mark.anyio


class CountingBuild:
    """Builds MockTransports that answer 200, counting builds and closes."""

    def __init__(self) -> None:
        self.built = 0
        self.closed = 0

    def __call__(self) -> httpx.AsyncBaseTransport:
        self.built += 1
        outer = self

        class Closing(httpx.MockTransport):
            async def aclose(self) -> None:
                outer.closed += 1

        return Closing(lambda request: httpx.Response(200, json={"path": request.url.path}))


async def test_the_pool_is_built_on_the_first_request_once_and_closed_with_the_client() -> None:
    build = CountingBuild()
    http = httpx.AsyncClient(base_url="http://upstream.test", transport=_DeferredTransport(build))
    async with http:
        assert build.built == 0
        results: list[int] = []

        async def get(i: int) -> None:
            results.append((await http.get(f"/n/{i}")).status_code)

        async with anyio.create_task_group() as group:
            for i in range(10):
                group.start_soon(get, i)
        assert (await http.get("/again")).json() == {"path": "/again"}
    assert results == [200] * 10
    assert (build.built, build.closed) == (1, 1)


async def test_a_pool_never_used_is_never_built() -> None:
    build = CountingBuild()
    async with httpx.AsyncClient(transport=_DeferredTransport(build)):
        pass
    assert (build.built, build.closed) == (0, 0)


async def test_the_pool_and_its_tls_settings_wait_for_the_first_request(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    async with create_http_client("https://api.meeting.huaweicloud.com", timeout=5) as http:  # nothing loaded yet
        with pytest.raises(FileNotFoundError):
            await http.get("/v1/anything")  # the pool is built now, and reads the CA bundle


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
