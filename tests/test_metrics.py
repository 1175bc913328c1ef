"""Metrics: every counter moves by exactly the calls made, served as Prometheus text, with no caller data in a label."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from huawei_meeting_mcp import app, auth, client, metrics
from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DOCS_EXAMPLE_UUID, Sandbox
from huawei_meeting_mcp.settings import ConfigError, Settings
from tests.support import LiveSandbox, http_server

pytestmark = pytest.mark.anyio
NAMES = app.TOOL_NAMES
PREFIX = "huawei_meeting_mcp_"


@pytest.fixture
def on() -> Iterator[metrics.Metrics]:
    yield metrics.enable()
    metrics.disable()


def value(on: metrics.Metrics, name: str, **labels: str) -> float:
    return on.registry.get_sample_value(name, labels) or 0.0


def audit_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The audit records logged (observe.py: a dict[str, Any] each, set on the LogRecord through `extra=`)."""
    return [vars(r)["audit"] for r in caplog.records if r.name == "huawei_meeting_mcp.audit"]


async def test_every_counter_moves_by_exactly_the_calls_made(
    on: metrics.Metrics, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = Sandbox()
    server = app.create_server(
        Settings(base_url="http://127.0.0.1", app_id=DEFAULT_APP_ID, app_key=DEFAULT_APP_KEY, max_retries=0),
        transport=httpx.ASGITransport(app=sandbox.app),
    )
    with caplog.at_level(logging.INFO, logger="huawei_meeting_mcp.audit"):
        async with Client(server) as session:
            await session.list_tools()
            first = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
            again = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
            missing = await session.call_tool(NAMES.detail, {"confUUID": "sandbox-error-not-found"})
            invalid = await session.call_tool(NAMES.detail, {})
            with pytest.raises(MCPError, match="Unknown tool"):
                await session.call_tool("no_such_tool_Alice", {})
    assert (first.is_error, again.is_error, missing.is_error, invalid.is_error) == (False, False, True, True)

    calls = PREFIX + "tool_calls_total"
    assert value(on, calls, tool=NAMES.detail, outcome="ok") == 2
    assert value(on, calls, tool=NAMES.detail, outcome="error") == 2
    assert value(on, calls, tool="unknown", outcome="error") == 1
    assert sum(s.value for s in next(iter(on.tool_calls.collect())).samples if s.name == calls) == 5

    assert value(on, PREFIX + "signins_total", result="ok") == 1
    assert value(on, PREFIX + "signins_total", result="error") == 0
    by_api = Counter(metrics.api_name(r.path) for r in sandbox.requests)
    by_api["signin_app_id"] += sandbox.auth.sign_ins
    counted: Counter[str] = Counter()
    for sample in next(iter(on.upstream_requests.collect())).samples:
        if sample.name.endswith("_total"):
            counted[sample.labels["api"]] += int(sample.value)
    assert counted == by_api
    for api, made in by_api.items():
        assert value(on, PREFIX + "upstream_request_duration_seconds_count", api=api) == made
    assert value(on, PREFIX + "upstream_requests_total", api="conf_detail", status="200") == 1
    upstream = sum(by_api.values())

    records = audit_records(caplog)
    assert [r["outcome"] for r in records] == ["ok", "ok", "error", "error", "error"]
    assert [r["tool"] for r in records] == [NAMES.detail] * 4 + ["unknown"]
    assert sum(int(r["upstream_requests"]) for r in records) == upstream
    assert records[1]["upstream_requests"] == 0, "the second call is answered from the cache"
    hits = int(records[1]["cache_hits"])
    assert hits >= 1
    assert value(on, PREFIX + "cache_requests_total", result="hit") == hits
    assert value(on, PREFIX + "cache_requests_total", result="miss") == len(sandbox.requests)

    operations = "mcp_server_operation_duration_seconds_count"
    assert value(on, operations, mcp_method_name="tools/list", gen_ai_tool_name="", error_type="") == 1
    assert value(on, operations, mcp_method_name="tools/call", gen_ai_tool_name=NAMES.detail, error_type="") == 2
    assert (
        value(on, operations, mcp_method_name="tools/call", gen_ai_tool_name=NAMES.detail, error_type="tool_error") == 2
    )
    assert value(on, operations, mcp_method_name="tools/call", gen_ai_tool_name="unknown", error_type="-32602") == 1


async def test_a_refused_sign_in_counts_as_an_error(on: metrics.Metrics) -> None:
    server = app.create_server(
        Settings(base_url="http://127.0.0.1", app_id=DEFAULT_APP_ID, app_key="not-the-app-key", max_retries=0),
        transport=httpx.ASGITransport(app=Sandbox().app),
    )
    async with Client(server) as session:
        result = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
    assert result.is_error is True
    assert value(on, PREFIX + "signins_total", result="error") == 1
    assert value(on, PREFIX + "signins_total", result="ok") == 0
    assert value(on, PREFIX + "upstream_requests_total", api="signin_app_id", status="401") == 1
    assert value(on, PREFIX + "tool_calls_total", tool=NAMES.detail, outcome="error") == 1


async def test_an_upstream_request_that_gets_no_answer_is_status_error(on: metrics.Metrics) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    server = app.create_server(
        Settings(base_url="http://127.0.0.1", access_token="static-token-1234", max_retries=0),
        transport=httpx.MockTransport(refuse),
    )
    async with Client(server) as session:
        result = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
    assert result.is_error is True
    assert value(on, PREFIX + "upstream_requests_total", api="conf_detail", status="error") == 1


def test_every_api_path_has_a_fixed_label() -> None:
    paths = {
        client.CONF_DETAIL_PATH,
        client.HISTORY_PATH,
        client.ATTENDANCE_PATH,
        client.CONTROL_PATH,
        client.RECORDING_PATH,
        auth.APP_AUTH_PATH,
        auth.ACCOUNT_AUTH_PATH,
    }
    assert set(metrics.API_NAMES) == paths
    assert metrics.api_name("/v1/mmc/management/conferences/history/confDetail/Alice") == "other"


def test_metrics_off_count_nothing_but_the_call_tally() -> None:
    metrics.disable()
    with metrics.tallying() as tally, metrics.upstream_request("/v1/usg/acs/auth/account"):
        metrics.cache_lookup(hit=True)
    assert (tally.upstream_requests, tally.cache_hits) == (1, 1)
    assert metrics.current() is None


def test_the_metrics_port_serves_prometheus_text_and_a_taken_port_names_the_setting(on: metrics.Metrics) -> None:
    on.tool_calls.labels(NAMES.list, "ok").inc()
    server = metrics.start("127.0.0.1", 0)
    try:
        port = server.server_port
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics")
        with pytest.raises(ConfigError, match="HUAWEI_MEETING_METRICS_PORT"):
            metrics.start("127.0.0.1", port)
    finally:
        server.shutdown()
        server.server_close()
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert f'{PREFIX}tool_calls_total{{outcome="ok",tool="{NAMES.list}"}} 1.0' in scraped.text
    assert "# TYPE mcp_server_operation_duration_seconds histogram" in scraped.text
    assert "process_cpu_seconds_total" in scraped.text or "python_info" in scraped.text


@pytest.mark.e2e
async def test_the_installed_server_serves_metrics_beside_http_mode(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_METRICS_PORT="0")
    with http_server(env) as run:
        found = re.search(r"Serving Prometheus metrics at (\S+)", run.stderr())
        assert found, run.stderr()
        async with Client(run.url) as session:
            await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
            await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
        async with httpx.AsyncClient() as raw:
            scraped = (await raw.get(found[1])).text
    assert f'{PREFIX}tool_calls_total{{outcome="ok",tool="{NAMES.detail}"}} 2.0' in scraped
    made = len(live_sandbox.sandbox.requests)
    assert f'{PREFIX}upstream_requests_total{{api="conf_detail",status="200"}} {float(made)}' in scraped
    assert DOCS_EXAMPLE_UUID not in scraped, "no label carries a confUUID"
