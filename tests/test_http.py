"""Streamable HTTP mode: the installed command serving real MCP clients over loopback, and its guards."""

from __future__ import annotations

import subprocess

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from huawei_meeting_mcp.http_server import MAX_REQUEST_BODY, check_bind, host_rules, transport_security
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.settings import ConfigError, Settings
from tests.support import LiveSandbox, base_env, console_script, http_server, leaked, text_of
from tests.support.raw import INITIALIZE, MCP_HEADERS

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOOL = "get_historical_meeting_detail"
HTTP_TOKEN = "http-bearer-Zq8w3vN5x2Lk7Tq9Rb4m"


def _leaf_errors(error: BaseException) -> list[BaseException]:
    nested = getattr(error, "exceptions", None)
    return [leaf for inner in nested for leaf in _leaf_errors(inner)] if nested else [error]


async def test_loopback_needs_no_token_and_serves_both_protocol_eras(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.env()) as run:
        async with Client(run.url) as modern:
            tools = (await modern.list_tools()).tools
            result = await modern.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
            era = modern.protocol_version
        async with Client(run.url, mode="legacy") as legacy:
            again = await legacy.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
            legacy_era = legacy.protocol_version
        async with httpx.AsyncClient() as raw:
            health = await raw.get(run.base + "/health")
    assert TOOL in [t.name for t in tools]
    assert result.is_error is False
    assert 'Meeting "user8001\'s test meeting"' in text_of(result)
    assert text_of(again) == text_of(result)
    assert (era, legacy_era) == ("2026-07-28", "2025-11-25")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert "no token (loopback only)" in run.stderr()


async def test_bearer_token_origin_host_and_body_guards(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(
        HUAWEI_MEETING_HTTP_TOKEN=HTTP_TOKEN,
        HUAWEI_MEETING_HTTP_ALLOWED_ORIGINS="https://chat.example.com",
    )
    authorized = {**MCP_HEADERS, "Authorization": f"Bearer {HTTP_TOKEN}"}
    with http_server(env) as run:
        with_token = httpx2.AsyncClient(headers={"Authorization": f"Bearer {HTTP_TOKEN}"})
        async with with_token, Client(streamable_http_client(run.url, http_client=with_token)) as client:
            result = await client.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
        calls_so_far = len(live_sandbox.sandbox.requests)
        with pytest.raises(Exception) as refused:  # noqa: PT011 - the SDK wraps the 401 in task-group errors
            async with Client(run.url) as client:
                await client.list_tools()
        async with httpx.AsyncClient(base_url=run.base) as raw:
            no_token = await raw.post("/mcp", json=INITIALIZE, headers=MCP_HEADERS)
            wrong = await raw.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": "Bearer nope"})
            basic = await raw.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": "Basic eDp5"})
            good = await raw.post("/mcp", json=INITIALIZE, headers=authorized)
            foreign = await raw.post("/mcp", json=INITIALIZE, headers={**authorized, "Origin": "http://evil.example"})
            allowed = await raw.post(
                "/mcp", json=INITIALIZE, headers={**authorized, "Origin": "https://chat.example.com"}
            )
            rebound = await raw.post("/mcp", json=INITIALIZE, headers={**authorized, "Host": "evil.example"})
            huge = await raw.post("/mcp", content=b"x" * (MAX_REQUEST_BODY + 1), headers=authorized)
            health = await raw.get("/health")
    assert result.is_error is False
    assert any(isinstance(leaf, MCPError) for leaf in _leaf_errors(refused.value))
    for response in (no_token, wrong, basic):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "HUAWEI_MEETING_HTTP_TOKEN" in response.json()["error_description"]
    assert good.status_code == 200
    assert good.json()["result"]["serverInfo"]["name"] == "huawei-meeting-mcp"
    assert foreign.status_code == 403
    assert allowed.status_code == 200
    assert rebound.status_code == 421
    assert huge.status_code == 413
    assert health.status_code == 200, "the health route answers load balancers without a token"
    assert len(live_sandbox.sandbox.requests) == calls_so_far, "refused requests never reached Huawei"
    upstream_headers = [value for r in live_sandbox.sandbox.requests for value in r.headers.values()]
    assert leaked("\n".join(upstream_headers), [HTTP_TOKEN]) == [], "the MCP token is never passed upstream"
    assert leaked(run.stderr(), [HTTP_TOKEN]) == []


def test_public_address_without_token_is_refused() -> None:
    done = subprocess.run(  # noqa: S603 - our own console script
        [console_script(), "--demo", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "0"],  # noqa: S104
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "HUAWEI_MEETING_HTTP_TOKEN" in done.stderr
    assert "Serving MCP" not in done.stderr


@pytest.mark.parametrize(
    ("host", "settings", "fix"),
    [
        ("0.0.0.0", Settings(), "HUAWEI_MEETING_HTTP_TOKEN"),  # noqa: S104
        ("192.0.2.10", Settings(), "HUAWEI_MEETING_HTTP_TOKEN"),
        ("::", Settings(http_token=HTTP_TOKEN), "HUAWEI_MEETING_HTTP_ALLOWED_HOSTS"),
    ],
)
def test_unsafe_or_unusable_binds_name_the_fix(host: str, settings: Settings, fix: str) -> None:
    with pytest.raises(ConfigError, match=fix):
        check_bind(host, settings)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_binds_need_nothing(host: str) -> None:
    check_bind(host, Settings())


def test_allow_lists_cover_loopback_the_bound_address_and_configured_names() -> None:
    settings = Settings(
        http_token=HTTP_TOKEN,
        http_allowed_hosts="mcp.example.com, mcp.example.com:8443, other.example.com:8080",
        http_allowed_origins="https://chat.example.com/",
    )
    rules = host_rules("192.0.2.10", settings)
    for host in ("127.0.0.1:8000", "localhost:1", "[::1]:8000", "192.0.2.10", "192.0.2.10:8000", "mcp.example.com"):
        assert rules.allows_host(host), host
    assert rules.allows_host("other.example.com:8080")
    assert not rules.allows_host("other.example.com"), "a name listed with a port is allowed with that port only"
    assert rules.allows_origin("https://chat.example.com")
    assert not host_rules("0.0.0.0", settings).allows_host("0.0.0.0:8000"), "a wildcard bind names no host"  # noqa: S104
    assert transport_security().enable_dns_rebinding_protection is False, "HostOriginGuard checks, not the SDK"


@pytest.mark.parametrize(
    ("name", "allowed", "refused"),
    [
        ("mcp.example.com", ["mcp.example.com", "mcp.example.com:8000"], ["mcp.example.com.evil"]),
        ("mcp.example.com:8443", ["mcp.example.com:8443"], ["mcp.example.com", "mcp.example.com:8444"]),
        ("mcp.example.com:*", ["mcp.example.com", "mcp.example.com:1"], ["mcp.example.com:1@evil"]),
        ("2001:db8::1", ["[2001:db8::1]", "[2001:db8::1]:8000"], ["2001:db8::1"]),
        ("[2001:db8::1]:8000", ["[2001:db8::1]:8000"], ["[2001:db8::1]", "[2001:db8::1]:8001"]),
    ],
)
def test_configured_host_names(name: str, allowed: list[str], refused: list[str]) -> None:
    rules = host_rules("127.0.0.1", Settings(http_allowed_hosts=name))
    assert [host for host in allowed if not rules.allows_host(host)] == []
    assert [host for host in refused if rules.allows_host(host)] == []
