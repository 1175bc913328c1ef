"""HTTP mode against a hostile client: exact Host and Origin match, no redirect built from Host, no body logged."""

from __future__ import annotations

import pytest
from mcp import Client

from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID
from tests.helpers import LiveSandbox, http_server, leaked, text_of

pytestmark = pytest.mark.anyio


@pytest.mark.e2e
async def test_no_request_or_response_body_reaches_the_log_at_debug(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="DEBUG", HUAWEI_MEETING_INCLUDE_CONTACTS="true")
    arguments = {"confUUID": LARGE_UUID, "searchKey": "Priya Nair", "limit": 500}
    progress: list[float] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    with http_server(env) as run:
        async with Client(run.url, mode="legacy") as legacy:  # progress: an event stream (sse_starlette)
            streamed = await legacy.call_tool(
                "get_historical_meeting_attendance", arguments, progress_callback=on_progress
            )
        async with Client(run.url) as modern:  # a JSON body
            detail = await modern.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
    log = run.stderr()
    said = text_of(streamed) + text_of(detail)
    assert progress, "the attendance answer came as an event stream"
    assert "Priya Nair" in said
    assert "+919812345678" in said, "contacts are on: the phone number is in the answer"
    assert "POST /mcp -> 200 (event stream)" in log, "the log was at DEBUG"
    assert "Priya Nair" not in log
    assert "919812345678" not in log
    assert leaked(log, live_sandbox.sandbox.contact_strings()) == []
    assert "user8001" not in log, "nor the detail answer's organiser"
