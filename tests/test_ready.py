"""`GET /ready` answers whether a call could be served now (and flips with the credentials); MCP at a sub-path."""

from __future__ import annotations

import httpx
import pytest
from mcp import Client

from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.settings import ConfigError, Settings, load_settings
from tests.support import LiveSandbox, http_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
HTTP_TOKEN = "http-bearer-Rk2mW9qL5vT8xN3p"


def base_of(url: str, path: str = "/mcp") -> str:
    return url.removesuffix(path)


async def test_ready_when_a_token_can_be_had_and_open_without_the_bearer(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.app_id_env(HUAWEI_MEETING_HTTP_TOKEN=HTTP_TOKEN)) as run:
        async with httpx.AsyncClient() as raw:
            ready = await raw.get(run.base + "/ready")
            again = await raw.get(run.base + "/ready")
            mcp = await raw.post(run.url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert again.status_code == 200
    assert live_sandbox.sandbox.auth.sign_ins == 1, "the token is signed in for once and then held"
    assert mcp.status_code == 401, "/mcp still needs the token"


async def test_readiness_flips_when_the_credentials_are_wrong(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.app_id_env(key="not-the-sandbox-app-key")) as run:
        async with httpx.AsyncClient() as raw:
            ready = await raw.get(run.base + "/ready")
            probed = await raw.get(run.base + "/ready")
            health = await raw.get(run.base + "/health")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert "sign-in" in ready.json()["reason"].lower()
    assert "not-the-sandbox-app-key" not in ready.text
    assert probed.status_code == 503
    assert len(live_sandbox.sandbox.auth.attempts) == 1, "a second probe waits out the sign-in's back-off"
    assert health.status_code == 200, "liveness is not readiness"


async def test_no_credentials_is_not_ready_and_says_what_to_set(clean_env: pytest.MonkeyPatch) -> None:
    with http_server({}) as run:
        async with httpx.AsyncClient() as raw:
            ready = await raw.get(run.base + "/ready")
    assert ready.status_code == 503
    assert "HUAWEI_MEETING_APP_ID" in ready.json()["reason"]


async def test_mcp_at_a_sub_path(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.env(HUAWEI_MEETING_HTTP_PATH="/meetings/mcp/")) as run:
        assert run.url.endswith("/meetings/mcp")
        base = base_of(run.url, "/meetings/mcp")
        async with Client(run.url) as session:
            result = await session.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
        async with httpx.AsyncClient() as raw:
            old = await raw.post(base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            trailing = await raw.get(run.url + "/")
            ready = await raw.get(base + "/ready")
    assert result.is_error is False
    assert "user8001" in text_of(result)
    assert old.status_code == 404
    assert trailing.status_code == 405, "the path with a slash is the same path"
    assert ready.status_code == 200


@pytest.mark.parametrize("path", ["/", "/health", "/ready", "https://mcp.example.com/mcp", "/a b", "/mcp?x=1"])
def test_an_unusable_http_path_is_refused(clean_env: pytest.MonkeyPatch, path: str) -> None:
    clean_env.setenv("HUAWEI_MEETING_HTTP_PATH", path)
    with pytest.raises(ConfigError, match="HUAWEI_MEETING_HTTP_PATH"):
        load_settings()


def test_the_http_path_is_read_with_one_leading_slash() -> None:
    assert Settings(http_path="meetings/mcp/").http_path == "/meetings/mcp"
