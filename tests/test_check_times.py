"""`check` shows a recent meeting's start read both ways, and which reading the attendance records fit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, cast

import pytest

from huawei_meeting_mcp.check import times_evidence
from huawei_meeting_mcp.client import MeetingClient
from huawei_meeting_mcp.errors import PermissionDeniedError
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.wire import AttendancePage, AttendanceQuery, HistoryListResponse, HistoryQuery
from tests.support.commands import InProcessCommand

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
FIRST_JOIN_MS = int(datetime(2026, 12, 3, 12, 57, tzinfo=timezone.utc).timestamp() * 1000)


@dataclass
class RecordedAnswers:
    """A stand-in for the API client's two reads that `check` makes: the history list and one attendance page."""

    meetings: list[dict[str, Any]]
    joins: list[int] = field(default_factory=lambda: [FIRST_JOIN_MS + 60_000, FIRST_JOIN_MS])
    refuse_list: bool = False

    async def history(self, query: HistoryQuery) -> HistoryListResponse:
        if self.refuse_list:
            raise PermissionDeniedError(request_id="req-1", status=403, error_code="MMC.111070010")
        return HistoryListResponse.model_validate({"count": len(self.meetings), "data": self.meetings})

    async def attendance_page(self, query: AttendanceQuery) -> AttendancePage:
        return AttendancePage.model_validate({"data": [{"displayName": "A", "joinTime": ms} for ms in self.joins]})


def meeting(start: str, end: str, zone: str = "56") -> dict[str, Any]:
    return {"confUUID": "a" * 32, "subject": "Weekly R&D sync", "timeZoneID": zone, "startTime": start, "endTime": end}


async def evidence_of(answers: RecordedAnswers, api_times: str = "utc") -> Any:
    return await times_evidence(cast(MeetingClient, answers), Settings(api_times=api_times), NOW)


async def test_api_times_in_utc_are_believed_utc() -> None:
    evidence = await evidence_of(RecordedAnswers([meeting("2026-12-03 13:00", "2026-12-03 13:40")]))
    text = "\n".join(evidence.lines)
    assert "read as utc    2026-12-03T13:00Z = 2026-12-03T21:00+08:00 in the meeting's zone" in text
    assert "read as local  2026-12-03T05:00Z = 2026-12-03T13:00+08:00 in the meeting's zone" in text
    assert "(time zone (GMT+08:00) Beijing" in text
    assert '"Weekly R\\u0026D sync"' in text
    assert evidence.believed == "utc"


async def test_api_times_in_the_meetings_zone_are_believed_local() -> None:
    evidence = await evidence_of(RecordedAnswers([meeting("2026-12-03 21:00", "2026-12-03 21:40")]), "utc")
    assert evidence.believed == "local"
    assert evidence.offset.total_seconds() == 8 * 3600
    assert "fits only the local reading" in evidence.lines[-1]


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        (RecordedAnswers([meeting("2026-12-03 13:00", "2026-12-03 13:40", zone="26")]), "both readings agree"),
        (RecordedAnswers([meeting("2026-12-03 13:00", "2026-12-03 13:40")], joins=[]), "no attendance records"),
        (RecordedAnswers([]), "no ended meeting in the last 30 days"),
        (RecordedAnswers([], refuse_list=True), "could not list recent meetings"),
    ],
)
async def test_when_the_answers_cannot_tell_check_says_so(answers: RecordedAnswers, says: str) -> None:
    evidence = await evidence_of(answers)
    assert evidence.believed is None
    assert says in "\n".join(evidence.lines)


def test_check_shows_the_sandbox_meeting_both_ways_and_flags_a_wrong_setting(
    cli: InProcessCommand,
) -> None:
    right, wrong = cli("--demo", "check"), cli("--demo", "check", HUAWEI_MEETING_API_TIMES="local")
    assert right.code == wrong.code == 0
    assert re.search(r"^  read as utc .*<- HUAWEI_MEETING_API_TIMES$", right.out, re.MULTILINE)
    assert re.search(r"^  read as local ", right.out, re.MULTILINE)
    assert "HUAWEI_MEETING_API_TIMES=utc agrees with what the API answered." in right.out
    assert "Warning: HUAWEI_MEETING_API_TIMES is local, but this meeting's attendance fits the utc reading" in (
        wrong.out
    )
    assert "Set HUAWEI_MEETING_API_TIMES=utc" in wrong.out
