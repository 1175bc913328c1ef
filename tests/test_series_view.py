"""The series view: occurrences of one meeting ID, people followed across them by their list entry."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.dates import resolve_range
from huawei_meeting_mcp.output import MeetingSeries
from huawei_meeting_mcp.reads import AttendanceRead, AttendanceRecords, OccurrenceRead, Outcome, SeriesRead
from huawei_meeting_mcp.view.paging import render_paged
from huawei_meeting_mcp.view.series import SERIES_TEXT, build_series
from huawei_meeting_mcp.wire import AttendanceRecord, ConferenceInfo, HistoryQuery, ParticipantInfo
from tests.support import view_options

T0 = 1795482000000  # 2026-11-24T01:00:00Z
MIN = 60_000
WINDOW = resolve_range("2026-11-01", "2026-11-30", now=datetime(2026, 12, 1, tzinfo=timezone.utc))
INVITED = [
    {"name": "José Müller", "participantID": "+8613800000001", "attendeeType": "normal", "deptName": "QA"},
    {"name": "Ana Silva", "participantID": "+8613800000002", "attendeeType": "normal", "deptName": "QA"},
    {"name": "Lab", "participantID": "+99111700001", "attendeeType": "terminal", "deptName": "Facilities"},
]


def occurrence(
    week: int, minutes: int, joined: list[tuple[str, str, int]], *, uuid: str | None = None
) -> OccurrenceRead:
    start = T0 + week * 7 * 24 * 60 * MIN
    day = datetime.fromtimestamp(start / 1000, timezone.utc)
    end = datetime.fromtimestamp((start + minutes * MIN) / 1000, timezone.utc)
    conf = ConferenceInfo.model_validate(
        {
            "conferenceID": "914087002",
            "confUUID": uuid or f"{week:032x}",
            "subject": "Weekly quality huddle",
            "timeZoneID": "56",
            "startTime": day.strftime("%Y-%m-%d %H:%M"),
            "endTime": end.strftime("%Y-%m-%d %H:%M"),
        }
    )
    records = [
        AttendanceRecord.model_validate(
            {"displayName": name, "callNumber": number, "joinTime": start, "leftTime": start + stay * MIN}
        )
        for name, number, stay in joined
    ]
    read = AttendanceRead(
        records=AttendanceRecords(records=records, reported_total=len(records), pages=1, capped=False),
        meeting=Outcome(conf),
        participants=Outcome([ParticipantInfo.model_validate(p) for p in INVITED]),
    )
    return OccurrenceRead(conf, Outcome(read))


def series(occurrences: list[OccurrenceRead], **read: Any) -> tuple[MeetingSeries, str]:
    query = HistoryQuery(start_ms=WINDOW.start.epoch_ms, end_ms=WINDOW.end.epoch_ms, search_key="914087002")
    result = build_series(
        SeriesRead(query=query, occurrences=occurrences, other_rows=read.get("other_rows", 0), capped=False),
        "914087002",
        WINDOW,
        read.get("offset", 0),
        read.get("limit", 50),
        view_options(),
    )
    return render_paged(result, SERIES_TEXT, read.get("limit", 50), TOOL_NAMES)


def test_people_are_followed_by_their_entry_so_a_device_name_join_counts_for_them() -> None:
    result, text = series(
        [
            occurrence(0, 30, [("José Müller", "+8613800000001", 30), ("Lab", "+99111700001", 30)]),
            occurrence(1, 45, [("iPhone", "+8613800000001", 40), ("Ana Silva", "+8613800000002", 20)]),
            occurrence(2, 25, [("iPhone", "+8613800000001", 25), ("Kwame Mensah", "+233201234567", 10)]),
        ]
    )
    people = {p.name: (p.attended, p.invited, p.minutesAttended, p.kind) for p in result.people}
    assert people == {
        "José Müller": (3, 3, 95.0, "person"),
        "Ana Silva": (1, 3, 20.0, "person"),
        "Lab": (1, 3, 30.0, "room"),
        "Kwame Mensah": (1, 0, 10.0, "person"),
    }
    assert result.people[0].name == "José Müller", "most regular first"
    assert [o.attendees for o in result.occurrences] == [2, 2, 2]
    assert [o.absent for o in result.occurrences] == [1, 1, 2]
    assert result.summary.longest is not None
    assert (result.summary.longest.durationMinutes, result.summary.totalMinutes) == (45, 100)
    assert '- "José Müller" · "QA" · attended 3 of 3 · invited to 3 · 95 min' in text
    assert "Longest: 2026-12-01T01:00Z (2026-12-01T09:00+08:00 local), 45 min" in text


def test_an_unreadable_occurrence_counts_in_the_lengths_and_says_why() -> None:
    broken = OccurrenceRead(occurrence(1, 40, []).meeting, Outcome(problem="The API timed out [X-Request-ID: r1]"))
    result, text = series([occurrence(0, 30, [("Ana Silva", "+8613800000002", 30)]), broken], other_rows=2)
    assert result.occurrences[1].attendees is None
    assert "attendance unreadable (The API timed out [X-Request-ID: r1])" in text
    assert any("could not be read" in n for n in result.notes)
    assert any("2 meetings of the list's search held the digits elsewhere" in n for n in result.notes)
    assert result.people[0].occurrences == 2


def test_no_occurrence_says_how_to_find_the_id_and_people_page_with_the_exact_next_call() -> None:
    empty, text = series([])
    assert empty.summary.occurrences == 0
    assert any("No occurrence of meeting ID 914087002" in n for n in empty.notes)
    many = [occurrence(0, 30, [(f"Guest {i}", f"+86139000000{i:02d}", 5) for i in range(30)])]
    paged, text = series(many, limit=10)
    assert (paged.page.total, paged.page.returned, paged.page.nextOffset) == (33, 10, 10)
    assert (
        f'{TOOL_NAMES.series}(meetingID="914087002", startDate={WINDOW.start.epoch_ms}, '
        f"endDate={WINDOW.end.epoch_ms}, offset=10, limit=10)" in text
    )
