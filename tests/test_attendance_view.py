"""Attendance: folding join/leave records into people, the summary, paging, redaction and the budget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.attendance_fold import AttendanceFold, aggregate, join_order, merged_ms, person_key
from huawei_meeting_mcp.output import AttendanceShow, MeetingAttendance
from huawei_meeting_mcp.reads import AttendanceRead, AttendanceRecords, Outcome
from huawei_meeting_mcp.view import TEXT_BUDGET, ViewOptions
from huawei_meeting_mcp.view.attendance import ATTENDANCE_TEXT, attendance_text, build_attendance
from huawei_meeting_mcp.view.paging import render_paged
from huawei_meeting_mcp.wire import (
    AttendancePage,
    AttendanceQuery,
    AttendanceRecord,
    ConfDetailResponse,
    ParticipantInfo,
)
from tests.support import docs_body, fixture_json, view_options

T0 = 1795482000000  # 2026-11-24T01:00:00Z
MIN = 60_000
UUID = "4d2b9c7e51a011efb7e3fa163e5a9c01"


def record(
    name: str | None, number: str | None, joined: int | None, left: int | None, **extra: Any
) -> AttendanceRecord:
    raw: dict[str, Any] = {"displayName": name, "callNumber": number, "joinTime": joined, "leftTime": left}
    raw.update(extra)
    return AttendanceRecord.model_validate({k: v for k, v in raw.items() if v is not None})


def fetched(records: list[AttendanceRecord], *, capped: bool = False, total: int | None = None) -> AttendanceRecords:
    return AttendanceRecords(
        records=records, reported_total=len(records) if total is None else total, pages=1, capped=capped
    )


def meeting() -> ConfDetailResponse:
    return ConfDetailResponse.model_validate(docs_body())


def render(result: MeetingAttendance, limit: int) -> tuple[MeetingAttendance, str]:
    return render_paged(result, ATTENDANCE_TEXT[result.show], limit, TOOL_NAMES)


def build(
    records: AttendanceRecords,
    query: AttendanceQuery,
    meeting: ConfDetailResponse | None,
    problem: str | None,
    options: ViewOptions,
    *,
    participants: list[ParticipantInfo] | None = None,
    show: AttendanceShow = "attendees",
) -> MeetingAttendance:
    """The attendance view, given what the service read (the participant list unread unless given)."""
    read = AttendanceRead(
        records=records,
        meeting=Outcome(meeting.conference_data if meeting else None, problem),
        participants=Outcome(participants, None if participants is not None else "not read in this test"),
    )
    return build_attendance(read, query, show, options)


@pytest.mark.parametrize(
    ("intervals", "total"),
    [
        ([], 0),
        ([(0, 10)], 10),
        ([(0, 10), (20, 30)], 20),
        ([(0, 10), (5, 15)], 15),
        ([(5, 15), (0, 10)], 15),
        ([(0, 100), (10, 20), (30, 40)], 100),
        ([(0, 10), (10, 20)], 20),
        ([(0, 10), (0, 10)], 10),
        ([(3, 3)], 0),
    ],
)
def test_merged_ms_counts_overlaps_once(intervals: list[tuple[int, int]], total: int) -> None:
    assert merged_ms(intervals) == total


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])), max_size=12))
def test_merged_ms_equals_the_covered_length(intervals: list[tuple[int, int]]) -> None:
    covered = {tick for start, end in intervals for tick in range(start, end)}
    assert merged_ms(intervals) == len(covered)


RECORDS = st.builds(
    record,
    st.sampled_from([None, "Li Na", "li na ", "Wang Wei", "王伟"]),
    st.sampled_from([None, "+8613800000001", "+8613800000002"]),
    st.one_of(st.none(), st.integers(-5, 40), st.just(10**15)),
    st.one_of(st.none(), st.integers(-5, 60)),
    deviceType=st.sampled_from(["PC", "Mobile", "IdeaHub"]),
    deptName=st.sampled_from(["Sales", "R&D", None]),
)


@given(st.lists(RECORDS, max_size=30), st.integers(1, 7), st.booleans())
def test_folding_page_by_page_gives_what_folding_everything_gives(
    records: list[AttendanceRecord], page: int, join_ordered: bool
) -> None:
    if join_ordered:  # as the API sends them: the fold is done as the pages come
        records = sorted(records, key=join_order)
    fold = AttendanceFold()
    for start in range(0, len(records), page):
        fold.add(records[start : start + page])
    assert fold.in_join_order or not join_ordered
    assert fold.people(records) == aggregate(records)


def test_records_out_of_join_order_are_folded_again_in_order() -> None:
    records = [record("B", None, 20, 30, deptName="later"), record("b", None, 10, 15, deptName="first")]
    fold = AttendanceFold()
    fold.add(records)
    assert not fold.in_join_order
    [person] = fold.people(records)
    assert (person.name, person.dept_name, person.attended_ms) == ("b", "first", 15)


def test_rejoins_and_overlapping_devices_fold_into_one_person() -> None:
    records = [
        record("Kwame Mensah", "+233201234567", T0 + 90 * MIN, T0 + 135 * MIN, deviceType="PC", mediaType="Video"),
        record("Kwame Mensah", "+233201234567", T0, T0 + 40 * MIN, deviceType="PC", mediaType="Video"),
        record(" kwame mensah ", "+233201234567", T0 + 30 * MIN, T0 + 70 * MIN, deviceType="Mobile", mediaType="Voice"),
    ]
    [person] = aggregate(records[::-1])
    assert person.sessions == 3
    assert person.attended_ms == 115 * MIN, "01:00-02:10 (PC and phone overlapping) plus 02:30-03:15"
    assert person.first_join_ms == T0
    assert person.last_leave_ms == T0 + 135 * MIN
    assert person.device_types == ["PC", "Mobile"], "in the order they were first used"
    assert person.media_types == ["Video", "Voice"]
    assert person.name == "Kwame Mensah", "the name as first seen, not the normalised key"


def test_same_name_with_another_number_is_another_person_and_anonymous_records_stay_apart() -> None:
    records = [
        record("Ana Souza", "+5511987654321", T0, T0 + 10 * MIN),
        record("Ana Souza", "+5511912345678", T0 + 5 * MIN, T0 + 6 * MIN),
        record(None, None, T0 + 1 * MIN, T0 + 2 * MIN),
        record(None, None, T0 + 3 * MIN, T0 + 4 * MIN),
        record(None, "+8610123", T0 + 7 * MIN, T0 + 8 * MIN),
    ]
    people = aggregate(records)
    assert len(people) == 5
    assert person_key(records[2]) is None
    assert [p.name for p in people] == ["Ana Souza", None, None, "Ana Souza", None]


def test_missing_or_backwards_leave_times_count_sessions_but_no_minutes() -> None:
    records = [
        record("Li Na", "1", T0, T0 + 10 * MIN),
        record("Li Na", "1", T0 + 20 * MIN, None),
        record("Li Na", "1", T0 + 30 * MIN, T0 + 25 * MIN),
        record("Nobody Timed", "2", None, None),
        record("Wild Clock", "3", 10**20, T0),
    ]
    li, wild, nobody = aggregate(records)
    assert (li.sessions, li.sessions_without_leave, li.attended_ms) == (3, 2, 10 * MIN)
    assert li.last_leave_ms == T0 + 10 * MIN
    assert (nobody.first_join_ms, nobody.attended_ms, nobody.sessions_without_leave) == (None, None, 1)
    assert wild.first_join_ms is None, "an absurd epoch value is ignored, not an overflow"


def test_people_are_ordered_by_first_join_then_name() -> None:
    records = [
        record("b", "1", T0 + 5 * MIN, T0 + 6 * MIN),
        record("A", "2", T0 + 5 * MIN, T0 + 6 * MIN),
        record("c", "3", T0, T0 + 1 * MIN),
        record("untimed", "4", None, None),
    ]
    assert [p.name for p in aggregate(records)] == ["c", "A", "b", "untimed"]


def sample_records() -> list[AttendanceRecord]:
    return [
        record("Kwame Mensah", "+233201234567", T0, T0 + 40 * MIN, deviceType="PC", deptName="Partners"),
        record("Kwame Mensah", "+233201234567", T0 + 30 * MIN, T0 + 70 * MIN, deviceType="Mobile"),
        record("Daniel Kim", "+821012345678", T0 - 10 * MIN, T0 + 140 * MIN, deviceType="PC"),
        record("Fatima Noor", "+971501234567", T0 + 134 * MIN + 30_000, T0 + 135 * MIN, deviceType="Mobile"),
    ]


def test_summary_and_times_in_utc_and_the_meetings_zone() -> None:
    request = AttendanceQuery(conf_uuid=UUID)
    result = build(fetched(sample_records()), request, meeting(), None, view_options())
    assert result.summary.uniqueAttendees == 3
    assert result.summary.sessions == 4
    assert result.summary.longestStay is not None
    assert (result.summary.longestStay.name, result.summary.longestStay.minutesAttended) == ("Daniel Kim", 150.0)
    assert result.summary.shortestStay is not None
    assert (result.summary.shortestStay.name, result.summary.shortestStay.minutesAttended) == ("Fatima Noor", 0.5)
    daniel, kwame, fatima = result.attendees
    assert daniel.firstJoin.model_dump() == {"utc": "2026-11-24T00:50:00Z", "local": "2026-11-24T08:50:00+08:00"}
    assert kwame.minutesAttended == 70.0
    assert kwame.sessions == 2
    assert fatima.lastLeave.utc == "2026-11-24T03:15:00Z"
    assert result.subject == "user8001's test meeting"
    assert result.timeZone is not None
    assert result.timeZone.timeZoneID == "56"


def test_call_numbers_only_with_contacts() -> None:
    request = AttendanceQuery(conf_uuid=UUID)
    hidden = build(fetched(sample_records()), request, meeting(), None, view_options())
    shown = build(fetched(sample_records()), request, meeting(), None, view_options(include_contacts=True))
    _, hidden_text = render(hidden, 50)
    _, shown_text = render(shown, 50)
    assert "+233201234567" not in hidden_text
    assert "+233201234567" not in hidden.model_dump_json()
    assert "+233201234567" in shown_text
    assert shown.attendees[1].callNumber == "+233201234567"


def test_without_the_meeting_times_are_utc_only_and_the_reason_is_given() -> None:
    request = AttendanceQuery(conf_uuid=UUID)
    result = build(fetched(sample_records()), request, None, "The API timed out [X-Request-ID: r1]", view_options())
    assert result.attendees[0].firstJoin.local is None
    assert result.timeZone is None
    assert any("could not be read (The API timed out [X-Request-ID: r1])" in n for n in result.notes)
    _, text = render(result, 50)
    assert text.startswith("Attendance · confUUID")


def test_paging_over_people_gives_the_exact_next_call() -> None:
    request = AttendanceQuery(conf_uuid=UUID, offset=1, limit=1, search_key="M")
    result = build(fetched(sample_records()), request, meeting(), None, view_options())
    assert (result.page.total, result.page.returned, result.page.nextOffset) == (3, 1, 2)
    assert result.attendees[0].name == "Kwame Mensah"
    _, text = render(result, 1)
    call = (
        'get_historical_meeting_attendance(confUUID="4d2b9c7e51a011efb7e3fa163e5a9c01", '
        'searchKey="M", offset=2, limit=1)'
    )
    assert call in text
    assert "Attendees 2-2 of 3" in text


def test_empty_capped_and_beyond_the_end_are_explained() -> None:
    empty = build(fetched([]), AttendanceQuery(conf_uuid=UUID), meeting(), None, view_options())
    assert any("No attendance records" in n and "list_historical_meetings" in n for n in empty.notes)
    assert empty.summary.longestStay is None
    capped = build(
        AttendanceRecords(records=sample_records(), reported_total=12_000, pages=20, capped=True),
        AttendanceQuery(conf_uuid=UUID),
        meeting(),
        None,
        view_options(),
    )
    assert any("Reading stopped after 20 pages (4 records) of the 12000" in n for n in capped.notes)
    _, text = render(capped, 50)
    assert "(capped)" in text
    beyond = build(fetched(sample_records()), AttendanceQuery(UUID, offset=9), meeting(), None, view_options())
    _, text = render(beyond, 50)
    assert "Attendees, in order of first join: none at offset 9 (3 in all)." in text
    assert beyond.page.nextOffset is None


def test_a_recorded_shape_page_parses() -> None:
    page = AttendancePage.model_validate(fixture_json("attendance-page.json"))
    assert page.count == 3
    assert page.data is not None
    first = page.data[0]
    assert (first.display_name, first.device_type, first.join_time, first.left_time) == (
        "user8002",
        "PC",
        1574119860000,
        1574119920000,
    )
    assert page.data[2].join_time is None, "a join time of the wrong type becomes None, not a failure"


def test_a_huge_page_is_trimmed_to_the_budget_and_says_where_to_continue() -> None:
    records = [
        record(f"Attendee {i:04d} " + "名" * 40, f"+86130{i:08d}", T0 + i * 1000, T0 + 60 * MIN, deviceType="PC")
        for i in range(500)
    ]
    request = AttendanceQuery(conf_uuid=UUID, limit=500)
    result, text = render(build(fetched(records), request, meeting(), None, view_options(include_contacts=True)), 500)
    assert len(text) < TEXT_BUDGET
    page = result.page
    assert page.trimmedToFit is True
    assert 0 < page.returned < 500
    assert page.nextOffset == page.returned
    assert len(re.findall(r"^- ", text, flags=re.MULTILINE)) == page.returned
    assert f"offset={page.returned}, limit=500" in text
    assert result.summary.uniqueAttendees == 500, "the summary covers everyone, not just the page"


# --- filters that never change who is absent, people and rooms, webinars ---------------------------


def entry(name: str, number: str, kind: str = "normal", dept: str = "Logistics") -> ParticipantInfo:
    return ParticipantInfo.model_validate(
        {"name": name, "participantID": number, "attendeeType": kind, "deptName": dept}
    )


def invited() -> list[ParticipantInfo]:
    return [
        entry("José Müller", "+8613800000001"),
        entry("Ana Silva", "+8613800000002", dept="Finance"),
        entry("Lars Jensen", "+8613800000003", dept="Finance"),
        entry("Dock Room", "+99111700001", kind="terminal", dept="Facilities"),
        entry("Harbour Room", "+99111700002", kind="ideahub", dept="Facilities"),
    ]


def joined_records() -> list[AttendanceRecord]:
    return [
        record("iPhone", "+8613800000001", T0, T0 + 30 * MIN, deviceType="Mobile"),  # José, by number
        record("Ana Silva", "+8613800000002", T0, T0 + 20 * MIN, deviceType="PC", deptName="Finance"),
        record("Dock Room", "+99111700001", T0, T0 + 60 * MIN, deviceType="TE30"),
        record("Kwame Mensah", "+233201234567", T0, T0 + 10 * MIN, deviceType="PC"),  # uninvited
        record("Ana Silva", "+8613999999999", T0, T0 + 5 * MIN, deviceType="Mobile"),  # same name, second number
    ]


def reconciled(
    query: AttendanceQuery, show: AttendanceShow = "attendees", webinar: bool = False, **filters: Any
) -> MeetingAttendance:
    conf = meeting().conference_data.model_copy(update={"webinar": webinar})
    read = AttendanceRead(records=fetched(joined_records()), meeting=Outcome(conf), participants=Outcome(invited()))
    return build_attendance(read, query, show, view_options(), **filters)


def test_the_summary_counts_people_and_rooms_apart_and_adds_up() -> None:
    summary = reconciled(AttendanceQuery(UUID)).summary
    assert (summary.uniqueAttendees, summary.people, summary.rooms) == (5, 4, 1)
    assert (summary.matched, summary.uninvited, summary.sameNameAsMatched, summary.audience) == (3, 1, 1, None)
    assert (summary.participantList, summary.absent, summary.absentPeople, summary.absentRooms) == (5, 2, 1, 1)
    assert summary.matched is not None
    assert summary.uninvited is not None
    assert summary.sameNameAsMatched is not None
    assert summary.participantList is not None
    assert summary.absent is not None
    assert summary.uniqueAttendees == summary.matched + summary.uninvited + summary.sameNameAsMatched
    assert summary.participantList == summary.matched + summary.absent
    _, text = render(reconciled(AttendanceQuery(UUID)), 50)
    assert (
        "Counts add up: 5 attendees = 3 matched + 1 uninvited + 1 same name as a matched entry; "
        "5 on the list = 3 matched + 2 never joined; 5 attendees = 4 people + 1 room." in text
    )


@pytest.mark.parametrize(
    ("show", "filters", "names"),
    [
        ("attendees", {"kind": "rooms"}, ["Dock Room"]),
        ("attendees", {"kind": "people", "department": "finance"}, ["Ana Silva", "Ana Silva"]),
        ("absent", {"kind": "rooms"}, ["Harbour Room"]),
        ("absent", {"department": "Finance"}, ["Lars Jensen"]),
        ("uninvited", {"kind": "people"}, ["Kwame Mensah"]),
        ("uninvited", {"kind": "rooms"}, []),
    ],
)
def test_kind_and_department_narrow_the_page_never_the_summary(
    show: AttendanceShow, filters: dict[str, Any], names: list[str]
) -> None:
    result = reconciled(AttendanceQuery(UUID), show, **filters)
    assert [item.name for item in result.items()] == names
    assert result.page.total == len(names)
    assert (result.summary.absent, result.summary.uninvited) == (2, 1), "filters never change who is absent"


@pytest.mark.parametrize("search", ["José Müller", "jose", "iPhone", "MÜLLER"])
def test_search_key_finds_a_device_name_join_by_either_name_after_matching(search: str) -> None:
    result = reconciled(AttendanceQuery(UUID, search_key=search))
    if search == "jose":  # no accent folding: the name is compared as written, without case
        assert result.attendees == []
        return
    [jose] = result.attendees
    assert (jose.name, jose.invitedAs, jose.matchedBy) == ("iPhone", "José Müller", "number")
    assert (result.summary.absent, result.summary.uninvited) == (2, 1), "José is neither absent nor uninvited"
    _, text = render(result, 50)
    assert '- "iPhone" (invited as "José Müller")' in text
    absent = reconciled(AttendanceQuery(UUID, search_key=search), "absent")
    assert absent.absent == [], "asked by name, he is not 'never joined'"


def test_a_department_as_search_key_points_to_the_department_filter() -> None:
    result = reconciled(AttendanceQuery(UUID, search_key="Facilities"))
    assert result.attendees == []
    assert any("ask again with department instead of searchKey" in note for note in result.notes)
    assert not any("check the confUUID" in note for note in result.notes)


def test_limit_zero_gives_the_summary_alone_with_the_call_that_lists() -> None:
    result, text = render(reconciled(AttendanceQuery(UUID, limit=0)), 0)
    assert result.attendees == []
    assert (result.page.total, result.page.returned) == (5, 0)
    assert "Summary: 5 unique attendees (4 people, 1 room)" in text
    assert (
        f'limit=0: the summary alone; 5 attendees fit the filters: {TOOL_NAMES.attendance}(confUUID="{UUID}", ' in text
    )


def test_a_webinar_audience_is_audience_not_uninvited() -> None:
    result = reconciled(AttendanceQuery(UUID), "uninvited", webinar=True)
    summary = result.summary
    assert (summary.uninvited, summary.audience) == (None, 1)
    assert summary.countRule is not None
    assert "audience" in summary.countRule
    _, text = render_paged(result, attendance_text(result), 50, TOOL_NAMES)
    assert "audience (not on the list): 1" in text
    assert "Audience (attendees not on the participant list) 1-1 of 1" in text
    assert "1 audience + 1 same name" in text
