"""The meeting list across meetings: the window's totals, each row's attendance, and a search that forgives spelling.

Expected values come from the sandbox's own data (its meetings, participants and attendance records),
never from the server's views.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from mcp import Client
from pydantic import SecretStr

from huawei_meeting_mcp.app import MAX_ATTENDANCE_ROWS, TOOL_NAMES, create_server
from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.cache import ReadCache
from huawei_meeting_mcp.client import MeetingClient
from huawei_meeting_mcp.dates import resolve_range
from huawei_meeting_mcp.people import is_room_device
from huawei_meeting_mcp.reads import MAX_WINDOW_MEETINGS
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID, Sandbox
from huawei_meeting_mcp.sandbox.data import TOWN_HALL_UUID, SandboxMeeting, from_api_time
from huawei_meeting_mcp.sandbox.history_api import HISTORY_PATH, start_ms
from huawei_meeting_mcp.search import loose, loosely_matches
from huawei_meeting_mcp.service import MeetingService
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.view.attendance import build_attendance
from huawei_meeting_mcp.view.history import HISTORY_TEXT, build_history
from huawei_meeting_mcp.view.paging import render_paged
from huawei_meeting_mcp.wire import AttendanceQuery, ConferenceInfo, HistoryQuery
from tests.support import ProgressLog, text_of, view_options

pytestmark = pytest.mark.anyio

EVERYTHING = (946_684_800_000, 4_102_444_800_000)


@asynccontextmanager
async def service(sandbox: Sandbox) -> AsyncIterator[MeetingService]:
    transport = httpx.ASGITransport(sandbox.app)
    async with create_http_client("http://sandbox", timeout=10, transport=transport) as http:
        yield MeetingService(MeetingClient(http, StaticToken(DEFAULT_TOKEN), timeout=10), ReadCache("", ttl=0))


def listed(sandbox: Sandbox) -> list[SandboxMeeting]:
    """The meetings the signed-in user's list shows (queryAll=false), newest first: from the raw data."""
    return sorted((m for m in sandbox.meetings.values() if m.mine), key=start_ms, reverse=True)


def minutes(meeting: SandboxMeeting) -> int:
    conf = meeting.conference
    return int((from_api_time(conf["endTime"]) - from_api_time(conf["startTime"])).total_seconds() // 60)


def history_requests(sandbox: Sandbox, since: int) -> list[tuple[int, int]]:
    return [(int(r.query["offset"]), int(r.query["limit"])) for r in sandbox.requests[since:] if r.path == HISTORY_PATH]


@pytest.mark.parametrize(
    ("key", "subject", "found"),
    [
        ("town hall", "Town-hall Q4 2026", True),
        ("TOWN HALL", "Town-hall Q4 2026", True),
        ("townhall", "Town hall Q4", True),
        ("town-hall", "Townhall Q4", True),
        ("all hands", "All-hands December 2026", True),
        ("supply chain review", "Q3 supply-chain review / 第三季度供应链评审", True),
        ("\uff54\uff4f\uff57\uff4e \uff48\uff41\uff4c\uff4c", "Town-hall Q4 2026", True),  # full-width
        ("供应链", "Supply-chain review / 供应链周会", True),
        ("town hall", "Finance forecast sync", False),
        ("---", "Town-hall", False),
    ],
)
def test_a_loose_match_ignores_case_spaces_hyphens_and_full_width_forms(key: str, subject: str, found: bool) -> None:
    assert loosely_matches(key, ConferenceInfo(subject=subject)) is found


def test_loose_folding() -> None:
    assert loose("  \uff31\uff13\uff0fSupply-chain_review!! ") == "q3 supply chain review"


async def test_a_window_on_one_page_costs_no_more_requests_and_its_totals_are_the_raw_sums() -> None:
    sandbox = Sandbox()
    raw = listed(sandbox)
    async with service(sandbox) as meetings:
        before = len(sandbox.requests)
        read = await meetings.meeting_list(HistoryQuery(*EVERYTHING, limit=500))
    assert history_requests(sandbox, before) == [(0, 500)], "the page held the whole window: nothing more read"
    assert read.window.value is not None
    window = resolve_range(*EVERYTHING, now=datetime.now(timezone.utc))
    summary = build_history(read, HistoryQuery(*EVERYTHING, limit=500), window, view_options()).summary
    assert summary is not None
    assert (summary.meetings, summary.totalMinutes) == (len(raw), sum(minutes(m) for m in raw))
    assert summary.recorded == sum(1 for m in raw if m.conference.get("isHasRecordFile"))
    assert summary.capped is False


async def test_a_larger_window_reads_the_rest_at_once_around_the_page_asked_for() -> None:
    sandbox = Sandbox()
    raw = listed(sandbox)
    query = HistoryQuery(*EVERYTHING, offset=40, limit=10)
    async with service(sandbox) as meetings:
        before = len(sandbox.requests)
        read = await meetings.meeting_list(query)
    assert history_requests(sandbox, before) == [(40, 10), (0, 40), (50, len(raw) - 50)]
    assert read.window.value is not None
    assert [m.conf_uuid for m in read.window.value.meetings] == [m.conference["confUUID"] for m in raw]


def many_meetings(sandbox: Sandbox, extra: int) -> None:
    """`extra` more ended meetings of ten minutes each, copies of the town hall at other times and confUUIDs."""
    model = sandbox.meetings[TOWN_HALL_UUID]
    start = from_api_time(model.conference["startTime"])
    for i in range(extra):
        begin = start - timedelta(minutes=15 * (i + 1))
        conf = dict(
            model.conference,
            confUUID=f"{i:032x}",
            subject=f"Drill {i}",
            startTime=begin.strftime("%Y-%m-%d %H:%M"),
            endTime=(begin + timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M"),
        )
        sandbox.meetings[conf["confUUID"]] = SandboxMeeting(conf, [], [])


async def test_the_totals_stop_at_a_thousand_meetings_and_say_so() -> None:
    sandbox = Sandbox()
    many_meetings(sandbox, 1_200)
    raw = listed(sandbox)
    query = HistoryQuery(*EVERYTHING, limit=20)
    async with service(sandbox) as meetings:
        before = len(sandbox.requests)
        read = await meetings.meeting_list(query)
    assert history_requests(sandbox, before) == [(0, 20), (20, 500), (520, 480)]
    window = resolve_range(*EVERYTHING, now=datetime.now(timezone.utc))
    result = build_history(read, query, window, view_options())
    assert result.summary is not None
    first = raw[:MAX_WINDOW_MEETINGS]
    assert (result.summary.meetings, result.summary.capped, result.summary.inWindow) == (1_000, True, len(raw))
    assert result.summary.totalMinutes == sum(minutes(m) for m in first)
    _, text = render_paged(result, HISTORY_TEXT, 20, TOOL_NAMES)
    assert f"(the first 1,000 of {len(raw):,})" in text
    assert "narrow the window" in text


async def test_a_search_that_finds_nothing_as_typed_is_matched_loosely_and_says_so() -> None:
    sandbox = Sandbox()
    town_hall = sandbox.meetings[TOWN_HALL_UUID].conference
    query = HistoryQuery(*EVERYTHING, search_key="town hall")
    async with service(sandbox) as meetings:
        literal = await meetings.history(query)
        read = await meetings.meeting_list(query)
    assert literal.count == 0, "the sandbox's search is literal, as Huawei's is"
    assert [m.conf_uuid for m in read.page.data or []] == [TOWN_HALL_UUID]
    window = resolve_range(*EVERYTHING, now=datetime.now(timezone.utc))
    result = build_history(read, query, window, view_options())
    assert result.searchLoosely is True
    assert result.summary is not None
    assert result.summary.meetings == 1
    _, text = render_paged(result, HISTORY_TEXT, 20, TOOL_NAMES)
    assert f'"{town_hall["subject"]}"' in text
    assert "as typed (the API's search is literal)" in text


async def test_a_search_found_as_typed_is_not_matched_again() -> None:
    sandbox = Sandbox()
    query = HistoryQuery(*EVERYTHING, search_key="Town-hall")
    async with service(sandbox) as meetings:
        before = len(sandbox.requests)
        read = await meetings.meeting_list(query)
    assert read.searched is None
    assert history_requests(sandbox, before) == [(0, 20)]


def sandboxed_server(sandbox: Sandbox) -> Any:
    settings = Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(DEFAULT_TOKEN))
    return create_server(settings, transport=httpx.ASGITransport(sandbox.app))


async def test_each_row_counts_attendance_as_the_attendance_tool_does_with_progress() -> None:
    sandbox = Sandbox()
    review = sandbox.meetings[LARGE_UUID]
    day = from_api_time(review.conference["startTime"]).date().isoformat()
    progress = ProgressLog()

    async with Client(sandboxed_server(sandbox)) as client:
        result = await client.call_tool(
            TOOL_NAMES.list,
            {"startDate": day, "endDate": day, "withAttendance": True},
            progress_callback=progress,
        )
        attendance = await client.call_tool(TOOL_NAMES.attendance, {"confUUID": LARGE_UUID})
    assert result.is_error is False, text_of(result)
    rows = (result.structured_content or {})["meetings"]
    [row] = [r for r in rows if r["confUUID"] == LARGE_UUID]
    summary = (attendance.structured_content or {})["summary"]
    counts = row["attendance"]
    assert counts["invited"] == len(review.participants) == summary["participantList"]
    assert counts["absent"] == summary["absent"]
    assert counts["uninvited"] == summary["uninvited"]
    assert counts["people"] + counts["rooms"] == summary["uniqueAttendees"]
    rooms_joined = {r["displayName"] for r in review.attendance if is_room_device(r["deviceType"])}
    assert counts["rooms"] == len(rooms_joined)
    assert progress[0] == (0, None, "Reading the meeting list")
    assert progress[-1][0] == progress[-1][1] == len(rows)


async def test_with_attendance_a_page_holds_at_most_twenty_rows_and_says_how_to_get_the_rest() -> None:
    sandbox = Sandbox()
    async with Client(sandboxed_server(sandbox)) as client:
        result = await client.call_tool(
            TOOL_NAMES.list, {"startDate": EVERYTHING[0], "limit": 50, "withAttendance": True}
        )
    content = result.structured_content or {}
    assert len(content["meetings"]) == MAX_ATTENDANCE_ROWS
    assert all("attendance" in row for row in content["meetings"])
    assert content["page"]["nextOffset"] == MAX_ATTENDANCE_ROWS
    text = text_of(result)
    assert f"withAttendance=true, offset={MAX_ATTENDANCE_ROWS}, limit={MAX_ATTENDANCE_ROWS})" in text
    assert f"at most {MAX_ATTENDANCE_ROWS} meetings a call" in text


async def test_attendance_counts_match_a_fresh_attendance_read() -> None:
    sandbox = Sandbox()
    async with service(sandbox) as meetings:
        counts = await meetings.attendance_of([LARGE_UUID, TOWN_HALL_UUID])
        fresh = await meetings.attendance(TOWN_HALL_UUID, None)
    assert set(counts) == {LARGE_UUID, TOWN_HALL_UUID}
    town_hall = counts[TOWN_HALL_UUID].value
    assert town_hall is not None
    built = build_attendance(fresh, AttendanceQuery(TOWN_HALL_UUID), "attendees", view_options())
    assert built.summary.uniqueAttendees == len(town_hall.records.people or [])
