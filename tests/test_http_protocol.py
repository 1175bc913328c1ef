"""HTTP mode speaks the protocol exactly: 405 for streams, progress as events, only tools declared, spec errors."""

from __future__ import annotations

import httpx
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, METHOD_NOT_FOUND

from huawei_meeting_mcp.http_server import wants_progress
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID
from tests.support import LiveSandbox, ProgressLog, http_server, in_process, text_of
from tests.support.raw import MCP_HEADERS

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ATTENDANCE = "get_historical_meeting_attendance"
LEGACY_HEADERS = {**MCP_HEADERS, "MCP-Protocol-Version": "2025-11-25"}


def _call(request_id: int, arguments: dict[str, object], meta: dict[str, object] | None = None) -> dict[str, object]:
    params: dict[str, object] = {"name": ATTENDANCE, "arguments": arguments}
    if meta is not None:
        params["_meta"] = meta
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_progress_reaches_the_python_client_over_http(live_sandbox: LiveSandbox, mode: str) -> None:
    progress = ProgressLog()

    with http_server(live_sandbox.env()) as run:
        async with Client(run.url, mode=mode) as client:
            result = await client.call_tool(ATTENDANCE, {"confUUID": LARGE_UUID}, progress_callback=progress)
            plain = await client.call_tool(ATTENDANCE, {"confUUID": LARGE_UUID})
    assert result.is_error is False
    assert text_of(plain) == text_of(result)
    assert len(progress) == 3, progress
    assert progress[0] == (0, None, "Reading attendance records")
    records = len(live_sandbox.sandbox.meetings[LARGE_UUID].attendance)
    assert progress[-1][0] == progress[-1][1] == records


async def test_json_unless_a_progress_token_and_405_for_get_and_delete(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.env()) as run:
        async with httpx.AsyncClient(base_url=run.base, timeout=30) as raw:
            plain = await raw.post("/mcp", json=_call(1, {"confUUID": DOCS_EXAMPLE_UUID}), headers=LEGACY_HEADERS)
            streamed = await raw.post(
                "/mcp", json=_call(2, {"confUUID": LARGE_UUID}, {"progressToken": "p1"}), headers=LEGACY_HEADERS
            )
            json_only = await raw.post(
                "/mcp",
                json=_call(3, {"confUUID": LARGE_UUID}, {"progressToken": "p2"}),
                headers={**LEGACY_HEADERS, "Accept": "application/json"},
            )
            get = await raw.get("/mcp", headers={"Accept": "text/event-stream"})
            delete = await raw.delete("/mcp")
            put = await raw.put("/mcp", json={})
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["result"]["isError"] is False
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = [line.removeprefix("data: ") for line in streamed.text.splitlines() if line.startswith("data: ")]
    assert sum('"notifications/progress"' in event for event in events) == 3
    assert '"id":2' in events[-1].replace(" ", "")
    assert json_only.headers["content-type"] == "application/json", "no event stream for a client that takes none"
    assert json_only.json()["result"]["isError"] is False
    for refused in (get, delete, put):
        assert refused.status_code == 405
        assert refused.headers["allow"] == "POST"
        assert "POST each JSON-RPC message" in refused.json()["error_description"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":7}}}', True),
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":{"progressToken":null}}}', False),
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"progressToken":1}}}', False),
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}', False),
        (b'[{"params":{"_meta":{"progressToken":1}}}]', False),
        (b'{"progressToken', False),
    ],
)
def test_only_a_request_with_a_progress_token_is_streamed(body: bytes, expected: bool) -> None:
    assert wants_progress(body) is expected


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_tools_and_prompts_are_declared_and_unknown_names_get_spec_errors(
    live_sandbox: LiveSandbox, mode: str
) -> None:
    with http_server(live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="INFO")) as run:
        async with Client(run.url, mode=mode) as client:
            capabilities = client.server_capabilities
            with pytest.raises(MCPError) as prompt:
                await client.get_prompt("no_such_prompt")
            with pytest.raises(MCPError) as resource:
                await client.read_resource("test://static-text")
            with pytest.raises(MCPError) as tool:
                await client.call_tool("no_such_tool", {})
            for _ in range(5):
                answered = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
    log = run.stderr()
    assert capabilities is not None
    assert capabilities.tools is not None
    assert capabilities.prompts is not None
    assert capabilities.completions is not None
    assert capabilities.resources is None
    assert prompt.value.code == INVALID_PARAMS
    assert resource.value.code == METHOD_NOT_FOUND
    assert tool.value.code == INVALID_PARAMS
    assert "Unknown tool: 'no_such_tool'" in str(tool.value)
    assert answered.is_error is False
    assert "Traceback" not in log
    assert "Terminating session" not in log
    requests_logged = [line for line in log.splitlines() if "POST" in line or "/mcp" in line]
    assert [line for line in requests_logged if "Serving MCP at" not in line] == [], "normal traffic logs nothing"


async def test_the_stdio_server_declares_the_same_capabilities(live_sandbox: LiveSandbox) -> None:
    async with in_process(base_url=live_sandbox.url, access_token="x") as client:
        capabilities = client.server_capabilities
        with pytest.raises(MCPError) as tool:
            await client.call_tool("no_such_tool" * 20, {})
    assert capabilities is not None
    assert (capabilities.tools is not None, capabilities.prompts is not None, capabilities.resources) == (
        True,
        True,
        None,
    )
    assert tool.value.code == INVALID_PARAMS
    assert len(str(tool.value)) < 200, "a long unknown name is cut, not echoed whole"


async def test_at_debug_each_request_gets_one_access_line(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="DEBUG")) as run:
        async with httpx.AsyncClient(base_url=run.base, timeout=30) as raw:
            for request_id in range(3):
                answer = await raw.post(
                    "/mcp", json=_call(request_id, {"confUUID": DOCS_EXAMPLE_UUID}), headers=LEGACY_HEADERS
                )
                assert answer.status_code == 200
            streamed = await raw.post(
                "/mcp", json=_call(9, {"confUUID": LARGE_UUID}, {"progressToken": 1}), headers=LEGACY_HEADERS
            )
    log = run.stderr()  # after the server stopped, so its last line is in
    access = [line for line in log.splitlines() if "huawei_meeting_mcp.http_server: POST /mcp" in line]
    assert streamed.status_code == 200
    assert len(access) == 4, access
    assert all(" DEBUG " in line for line in access)
    assert [line.split("-> ")[1].split(" in ")[0] for line in access] == ["200 (json)"] * 3 + ["200 (event stream)"]
