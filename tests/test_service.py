"""What the service reads for an answer, and when: the recording beside the detail once it is known to exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest

from huawei_meeting_mcp import service as service_module
from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.cache import ReadCache
from huawei_meeting_mcp.client import CONF_DETAIL_PATH, RECORDING_PATH, MeetingClient
from huawei_meeting_mcp.errors import NotFoundError
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID, Sandbox
from huawei_meeting_mcp.service import MeetingService
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.view.attendance import build_attendance
from huawei_meeting_mcp.wire import AttendanceQuery, DetailQuery, HistoryQuery
from tests.support import view_options

pytestmark = pytest.mark.anyio


class Gate:
    """An ASGI wrapper around the sandbox that logs each request's path, and can hold the detail answer
    until the recording has been asked for: a service reading them one after the other then never finishes."""

    def __init__(self, sandbox: Sandbox, *, hold_detail: bool = False) -> None:
        self.sandbox = sandbox
        self.hold_detail = hold_detail
        self.recording_asked = anyio.Event()
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
            if scope["path"] == RECORDING_PATH:
                self.recording_asked.set()
            elif scope["path"] == CONF_DETAIL_PATH and self.hold_detail:
                await self.recording_asked.wait()
        await self.sandbox.app(scope, receive, send)


@asynccontextmanager
async def service(gate: Gate) -> AsyncIterator[MeetingService]:
    async with create_http_client("http://sandbox", timeout=10, transport=httpx.ASGITransport(gate)) as http:
        yield MeetingService(MeetingClient(http, StaticToken(DEFAULT_TOKEN), timeout=10), ReadCache("", ttl=0))


def the_recent_meetings() -> HistoryQuery:
    return HistoryQuery(start_ms=0, end_ms=4_102_444_800_000, offset=0, limit=100)


async def test_a_meeting_the_list_said_is_recorded_reads_detail_and_recording_at_once() -> None:
    gate = Gate(Sandbox(), hold_detail=True)
    async with service(gate) as meetings:
        listed = await meetings.history(the_recent_meetings())
        assert any(m.conf_uuid == LARGE_UUID and m.is_has_record_file for m in listed.data or [])
        with anyio.fail_after(5):  # one after the other, the held detail would wait for the recording forever
            read = await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
    assert read.recording.value is not None
    assert gate.paths.count(RECORDING_PATH) == 1


async def test_an_unknown_meeting_reads_its_recording_only_after_the_detail_says_it_has_one() -> None:
    gate = Gate(Sandbox())
    async with service(gate) as meetings:
        plain = await meetings.detail(DetailQuery(DOCS_EXAMPLE_UUID, limit=20))
        recorded = await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
    assert plain.recording.value is None
    assert plain.recording.problem is None
    assert recorded.recording.value is not None
    assert gate.paths == [CONF_DETAIL_PATH, CONF_DETAIL_PATH, RECORDING_PATH]  # nothing read on speculation


async def test_a_second_page_of_a_recorded_meeting_reads_both_at_once() -> None:
    gate = Gate(Sandbox())
    async with service(gate) as meetings:
        await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
        gate.hold_detail, gate.recording_asked = True, anyio.Event()
        with anyio.fail_after(5):
            read = await meetings.detail(DetailQuery(LARGE_UUID, offset=20, limit=20))
    assert read.recording.value is not None


async def test_a_recording_read_beside_a_meeting_that_no_longer_has_one_is_dropped() -> None:
    sandbox = Sandbox()
    gate = Gate(sandbox)
    async with service(gate) as meetings:
        await meetings.detail(DetailQuery(LARGE_UUID, limit=20))  # remembered as recorded
        sandbox.meetings[LARGE_UUID].conference["isHasRecordFile"] = False  # its recording was deleted since
        read = await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
        assert read.recording.value is None
        assert read.recording.problem is None
        assert LARGE_UUID not in meetings.recorded
        gate.paths.clear()
        await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
    assert gate.paths == [CONF_DETAIL_PATH]


async def test_a_participant_list_longer_than_what_is_read_is_said_to_be_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "MAX_PARTICIPANT_PAGES", 1)
    monkeypatch.setattr(service_module, "MAX_PARTICIPANTS", 500)  # the large meeting lists 620
    async with service(Gate(Sandbox())) as meetings:
        read = await meetings.attendance(LARGE_UUID, None)
    assert read.participant_list_capped
    assert len(read.participants.value or []) == 500
    view = build_attendance(read, AttendanceQuery(LARGE_UUID, 0, 20, None), "attendees", view_options())
    assert view.summary.participantList == 500
    assert any("longer than the 500 entries read" in note for note in view.notes)


async def test_a_whole_participant_list_is_not_said_to_be_cut() -> None:
    async with service(Gate(Sandbox())) as meetings:
        read = await meetings.attendance(LARGE_UUID, None)
    assert not read.participant_list_capped
    view = build_attendance(read, AttendanceQuery(LARGE_UUID, 0, 20, None), "attendees", view_options())
    assert not any("longer than the" in note for note in view.notes)


async def test_a_failing_detail_read_beside_the_recording_fails_the_answer_with_its_own_error() -> None:
    sandbox = Sandbox()
    async with service(Gate(sandbox)) as meetings:
        await meetings.detail(DetailQuery(LARGE_UUID, limit=20))  # remembered as recorded
        del sandbox.meetings[LARGE_UUID]  # gone since: the detail says not found, the recording read is cut short
        with pytest.raises(NotFoundError):
            await meetings.detail(DetailQuery(LARGE_UUID, limit=20))
