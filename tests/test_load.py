"""Load: 50 concurrent tool calls complete correctly with one sign-in and a few upstream connections."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from huawei_meeting_mcp.sandbox import LARGE_UUID, AuthApi, Sandbox, serving
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import connection_bound
from tests.support import SCAN, LiveSandbox, ServerRun, http_server, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

TOOL = "get_historical_meeting_detail"
CALLS = 50
POOL = connection_bound(Settings.model_fields["concurrency"].default)
"""The connections the server may open to the API (16 at the default concurrency of 8)."""
DEBUG = {"HUAWEI_MEETING_LOG_LEVEL": "DEBUG"}
"""Debug logs, so that the leak scan reads the most talkative stderr."""


async def fifty_concurrent_calls(run: ServerRun) -> dict[int, Any]:
    results: dict[int, Any] = {}

    async def one(i: int) -> None:
        results[i] = await run.call(TOOL, {"confUUID": LARGE_UUID, "offset": i * 10, "limit": 10})

    async with anyio.create_task_group() as group:
        for i in range(CALLS):
            group.start_soon(one, i)
    return results


def check_results(results: dict[int, Any]) -> None:
    assert len(results) == CALLS
    for i, result in results.items():
        assert result.is_error is False
        assert result.structured_content is not None
        assert result.structured_content["page"]["offset"] == i * 10
        assert result.structured_content["participants"][0]["accountId"] == f"user{i * 10:03d}@examplecorp"


async def test_fifty_concurrent_calls_over_stdio_with_app_id_sign_in() -> None:
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    with serving(sandbox) as url:
        async with run_server(LiveSandbox(sandbox, url).app_id_env(**DEBUG)) as run:
            results = await fifty_concurrent_calls(run)
    SCAN.secrets.update(sandbox.secret_strings())
    check_results(results)
    assert sandbox.auth.sign_ins == 1, "concurrent calls shared one sign-in"
    assert sum(1 for r in sandbox.requests if "confDetail" in r.path) == CALLS
    assert 1 <= len(sandbox.connections) <= POOL, "the shared client's pool bounds connections"


async def test_fifty_concurrent_calls_over_http_with_app_id_sign_in() -> None:
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    with (
        serving(sandbox) as url,
        http_server(LiveSandbox(sandbox, url).app_id_env(HUAWEI_MEETING_LOG_LEVEL="DEBUG")) as server,
    ):
        results: dict[int, Any] = {}

        async def one(i: int) -> None:
            async with Client(server.url) as client:
                results[i] = await client.call_tool(TOOL, {"confUUID": LARGE_UUID, "offset": i * 10, "limit": 10})

        async with anyio.create_task_group() as group:
            for i in range(CALLS):
                group.start_soon(one, i)
    SCAN.secrets.update(sandbox.secret_strings())
    said = "\n".join(text_of(r) for r in results.values())
    SCAN.record(said, contacts_allowed=False)
    check_results(results)
    assert sandbox.auth.sign_ins == 1, "concurrent HTTP requests shared one sign-in"
    assert 1 <= len(sandbox.connections) <= POOL, "the shared client's pool bounds connections"
