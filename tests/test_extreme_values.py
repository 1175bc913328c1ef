"""Extreme values from the API degrade the one field or row they are in, never the whole answer.

Hostile upstream #10: a `rcdTime` of 10^400, a start of 9999-12-31 23:00 in a +08:00 zone, an
`operateTime` or `leftTime` of 253402300799999 (the documented maximum) each made the whole answer
an internal error (OverflowError).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from mcp import Client

from huawei_meeting_mcp.app import create_server
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import INTERNAL_ERROR
from tests.support import docs_body, fixture_json, text_of

UUID = "9a0fa6d10a5b11eaae5e191763c22c0e"
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the API doc's maximum


def upstream(**bodies: Any) -> httpx.MockTransport:
    """Answers each API path with the body named after its last segment (history, confDetail, ...)."""

    def handle(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        body = bodies.get(name, {"error_code": "MMC.111070005", "error_msg": "not found"})
        status = 200 if name in bodies else 404
        return httpx.Response(status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    return httpx.MockTransport(handle)


async def call(transport: httpx.MockTransport, tool: str, arguments: dict[str, Any], **settings: Any) -> Any:
    server = create_server(
        Settings(base_url="http://127.0.0.1", max_retries=0, access_token="stb-extreme-values-token", **settings),
        transport=transport,
    )
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


def meeting_at(start: str, end: str) -> dict[str, Any]:
    body = docs_body()
    conf: dict[str, Any] = copy.deepcopy(body["conferenceData"])
    conf.update(startTime=start, endTime=end, timeZoneID="56", confUUID=UUID, isHasRecordFile=1)
    return conf


@pytest.mark.anyio
@pytest.mark.parametrize("api_times", ["utc", "local"])
async def test_a_start_at_the_end_of_time_degrades_its_row(api_times: str) -> None:
    history = fixture_json("history-page.json")
    history["data"][0].update(startTime="9999-12-31 23:00", endTime="9999-12-31 23:59", timeZoneID="56")
    if api_times == "local":
        history["data"][1].update(startTime="0001-01-01 00:00", endTime="0001-01-01 01:00", timeZoneID="56")
    result = await call(upstream(history=history), "list_historical_meetings", {}, api_times=api_times)
    assert not result.is_error, text_of(result)
    rows = result.structured_content["meetings"]
    assert len(rows) == len(history["data"])  # every row is still there
    assert rows[2]["start"]["utc"]  # the other rows keep their times
    if api_times == "local":
        assert "could not be read" in text_of(result)


@pytest.mark.anyio
async def test_a_recording_ten_to_the_four_hundred_seconds_long_is_left_out() -> None:
    detail = docs_body()
    detail["conferenceData"] = meeting_at("2026-11-18 09:00", "2026-11-18 10:00")
    files = {"rcdTime": 10**400, "rcdSize": 10**400, "isDecodeFinish": False, "decodeEndTime": MAX_MS}
    result = await call(upstream(confDetail=detail, files=files), "get_historical_meeting_detail", {"confUUID": UUID})
    assert not result.is_error, text_of(result)
    recording = result.structured_content["recording"]
    assert "lengthMinutes" not in recording
    assert "sizeMB" not in recording
    assert result.structured_content["subject"]


@pytest.mark.anyio
async def test_events_and_attendance_at_the_documented_maximum_time() -> None:
    detail = docs_body()
    detail["conferenceData"] = meeting_at("2026-11-18 09:00", "2026-11-18 10:00")
    records = {"offset": 0, "count": 1, "data": [{"operateTime": MAX_MS, "operator": "Li Na", "operateCode": "1"}]}
    attendance = fixture_json("attendance-page.json")
    attendance["data"][0]["leftTime"] = MAX_MS
    transport = upstream(confDetail=detail, confCtlRecord=records, confAttendeeRecord=attendance)
    events = await call(transport, "get_historical_meeting_events", {"confUUID": UUID})
    assert not events.is_error, text_of(events)
    assert INTERNAL_ERROR not in text_of(events)
    [event] = events.structured_content["events"]
    assert event["time"]["utc"].startswith("9999-12-31")
    assert "local" not in event["time"]  # 9999-12-31 23:59 UTC is past year 9999 in +08:00
    attended = await call(transport, "get_historical_meeting_attendance", {"confUUID": UUID})
    assert not attended.is_error, text_of(attended)
    assert attended.structured_content["attendees"]
