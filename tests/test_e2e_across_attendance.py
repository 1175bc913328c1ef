"""Questions across meetings and sharper attendance questions, each in at most two calls over stdio.

Each question starts where an assistant starts (the meeting list, when it needs a confUUID or a
meeting ID) and follows what the answers and descriptions say. The facts expected are computed
from the sandbox's raw data (its meetings, participant lists and attendance records), never from
the server's own views.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.sandbox import LARGE_UUID, WEBINAR_UUID
from huawei_meeting_mcp.sandbox.data import (
    HUDDLE_ABSENT_DEPARTMENT,
    HUDDLE_DEPARTMENT_ABSENT_WEEKS,
    HUDDLE_HALF_TIMER,
    HUDDLE_ID,
    HUDDLE_IPHONE,
    ROOM_TYPES,
    STANDUP_ID,
    SandboxMeeting,
    from_api_time,
)
from tests.support import LiveSandbox, ServerRun, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ROW = re.compile(r"^- .*?\"(?P<subject>[^\"]*)\" · ID (?P<id>\d+).*confUUID (?P<uuid>[0-9a-f]{32})$", re.MULTILINE)
PERSON = re.compile(r'^- "(?P<name>[^"]*)".* · attended (?P<attended>\d+) of (?P<of>\d+) ·', re.MULTILINE)
ATTENDEE = re.compile(r'^- "(?P<name>[^"]*)"', re.MULTILINE)


async def listed(run: ServerRun, search: str, start: datetime) -> re.Match[str]:
    """Call 1: the meeting list; the newest row whose subject holds `search`."""
    listing = await run.call(TOOL_NAMES.list, {"searchKey": search, "startDate": start.date().isoformat()})
    assert listing.is_error is False, text_of(listing)
    rows = [m for m in ROW.finditer(text_of(listing)) if search.casefold() in m["subject"].casefold()]
    assert rows, text_of(listing)
    return rows[0]


def occurrences(meetings: dict[str, SandboxMeeting], meeting_id: str, answer: dict[str, Any]) -> list[SandboxMeeting]:
    """The raw occurrences of `meeting_id` in the window the answer says it searched, oldest first."""
    start, end = answer["startDate"]["epochMs"], answer["endDate"]["epochMs"]
    found = [
        m
        for m in meetings.values()
        if m.conference["conferenceID"] == meeting_id
        and start <= from_api_time(m.conference["startTime"]).timestamp() * 1000 <= end
    ]
    return sorted(found, key=lambda m: m.conference["startTime"])


def minutes(meeting: SandboxMeeting) -> int:
    conf = meeting.conference
    return int((from_api_time(conf["endTime"]) - from_api_time(conf["startTime"])).total_seconds() // 60)


def attended(meeting: SandboxMeeting, invitee: dict[str, Any]) -> bool:
    """Whether an invitee joined: a record with their number (whatever name it shows) or their name."""
    return any(
        r["callNumber"] == invitee["participantID"] or r["displayName"] == invitee["name"] for r in meeting.attendance
    )


def regularity(held: list[SandboxMeeting]) -> Counter[str]:
    """Occurrences each invitee joined, by name."""
    return Counter(p["name"] for m in held for p in m.participants if attended(m, p))


async def test_which_stand_up_ran_longest_and_who_attends_most_regularly(live_sandbox: LiveSandbox) -> None:
    meetings = live_sandbox.sandbox.meetings
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async with run_server(live_sandbox.env()) as run:
        row = await listed(run, "stand-up", datetime.now(timezone.utc) - timedelta(days=14))
        assert row["id"] == STANDUP_ID
        answer = await run.call(TOOL_NAMES.series, {"meetingID": row["id"]}, progress_callback=on_progress)
        assert len(run.results) == 2
    text, data = text_of(answer), answer.structured_content
    assert answer.is_error is False, text
    assert data is not None

    held = occurrences(meetings, STANDUP_ID, data)
    assert len(held) >= 20, "the default window holds months of stand-ups"
    assert data["summary"]["occurrences"] == len(held)
    assert [o["confUUID"] for o in data["occurrences"]] == [m.conference["confUUID"] for m in held]
    assert [o["durationMinutes"] for o in data["occurrences"]] == [minutes(m) for m in held]
    assert [o["attendees"] for o in data["occurrences"]] == [
        len({(r["displayName"], r["callNumber"]) for r in m.attendance}) for m in held
    ]
    longest = max(minutes(m) for m in held)
    first_longest = next(m for m in held if minutes(m) == longest)
    start = from_api_time(first_longest.conference["startTime"]).strftime("%Y-%m-%dT%H:%MZ")
    assert f"Longest: {start} (" in text
    assert f"), {longest} min · shortest:" in text

    counts = regularity(held)
    most = max(counts.values())
    top = PERSON.search(text)
    assert top is not None, text
    assert (counts[top["name"]], int(top["attended"]), int(top["of"])) == (most, most, len(held))
    for person in PERSON.finditer(text):
        if person["name"] in counts:
            assert int(person["attended"]) == counts[person["name"]], person[0]

    assert progress[0] == (0, None, "Finding the occurrences")
    assert progress[-1] == (len(held), len(held), f"Read the attendance of {len(held)} of {len(held)} occurrences")


async def test_the_huddle_series_counts_device_name_joins_and_a_department_that_missed_some(
    live_sandbox: LiveSandbox,
) -> None:
    meetings = live_sandbox.sandbox.meetings
    async with run_server(live_sandbox.env()) as run:
        # "Who keeps missing the quality huddle?"
        row = await listed(run, "quality huddle", datetime.now(timezone.utc) - timedelta(days=10))
        series = await run.call(TOOL_NAMES.series, {"meetingID": row["id"]})
        assert series.structured_content is not None
        held = occurrences(meetings, HUDDLE_ID, series.structured_content)
        # "Did the whole Procurement department skip one?" on the occurrence the department missed
        missed = held[HUDDLE_DEPARTMENT_ABSENT_WEEKS[-1]].conference["confUUID"]
        absent = await run.call(
            TOOL_NAMES.attendance, {"confUUID": missed, "show": "absent", "department": HUDDLE_ABSENT_DEPARTMENT}
        )
    text = text_of(series)
    counts = regularity(held)
    rows = {m["name"]: (int(m["attended"]), int(m["of"])) for m in PERSON.finditer(text)}
    assert rows[HUDDLE_HALF_TIMER] == (counts[HUDDLE_HALF_TIMER], len(held))
    assert rows[HUDDLE_IPHONE] == (len(held), len(held)), "her 'iPhone' joins count for her"
    assert counts[HUDDLE_IPHONE] == len(held)
    assert "iPhone" not in rows, "the device name is not a person of its own"
    least = min(rows.values())
    assert [name for name, count in rows.items() if count == least] == [HUDDLE_HALF_TIMER]

    department = [p["name"] for p in held[0].participants if p["deptName"] == HUDDLE_ABSENT_DEPARTMENT]
    names = ATTENDEE.findall(text_of(absent))
    assert sorted(names) == sorted(department)
    week = held[HUDDLE_DEPARTMENT_ABSENT_WEEKS[-1]]
    missing_raw = [p["name"] for p in week.participants if not attended(week, p)]
    assert len(missing_raw) > len(department), "others missed it too"
    assert f"never joined: {len(missing_raw)} " in text_of(absent), "the department filter left the count alone"


async def test_who_joined_the_q3_review_from_a_meeting_room_terminal(live_sandbox: LiveSandbox) -> None:
    review = live_sandbox.sandbox.meetings[LARGE_UUID]
    numbers = {r["callNumber"] for r in review.attendance}
    rooms = [p for p in review.participants if p["attendeeType"] in ROOM_TYPES]
    joined = {p["name"] for p in rooms if p["participantID"] in numbers}
    async with run_server(live_sandbox.env()) as run:
        row = await listed(run, "Q3", datetime.now(timezone.utc) - timedelta(days=8))
        assert row["uuid"] == LARGE_UUID
        answer = await run.call(TOOL_NAMES.attendance, {"confUUID": row["uuid"], "kind": "rooms", "limit": 100})
    text, data = text_of(answer), answer.structured_content
    assert data is not None
    assert set(ATTENDEE.findall(text)) == joined
    assert data["page"]["total"] == len(joined) == data["summary"]["rooms"]
    assert all(a["kind"] == "room" for a in data["attendees"])
    assert data["summary"]["absentRooms"] == len(rooms) - len(joined)


async def test_jose_muller_joined_as_iphone_and_is_found_by_either_name(live_sandbox: LiveSandbox) -> None:
    review = live_sandbox.sandbox.meetings[LARGE_UUID]
    [jose] = [p for p in review.participants if p["name"] == "José Müller"]
    shown_as = {r["displayName"] for r in review.attendance if r["callNumber"] == jose["participantID"]}
    assert shown_as == {"iPhone"}, "he joined only under his phone's name, from his own number"
    numbers = {r["callNumber"] for r in review.attendance}
    names = {r["displayName"] for r in review.attendance}
    never = [p for p in review.participants if p["participantID"] not in numbers and p["name"] not in names]
    async with run_server(live_sandbox.env()) as run:
        row = await listed(run, "Q3", datetime.now(timezone.utc) - timedelta(days=8))
        # "Did José Müller come to the Q3 review?"
        by_name = await run.call(TOOL_NAMES.attendance, {"confUUID": row["uuid"], "searchKey": "José Müller"})
        # "And who is this 'iPhone' that joined?"
        by_device = await run.call(TOOL_NAMES.attendance, {"confUUID": row["uuid"], "searchKey": "iPhone"})
        missed = await run.call(
            TOOL_NAMES.attendance, {"confUUID": row["uuid"], "searchKey": "José Müller", "show": "absent"}
        )
        uninvited = await run.call(
            TOOL_NAMES.attendance, {"confUUID": row["uuid"], "searchKey": "iPhone", "show": "uninvited"}
        )
    for answer in (by_name, by_device):
        text = text_of(answer)
        assert '- "iPhone" (invited as "José Müller")' in text, text
        assert answer.structured_content is not None
        [person] = answer.structured_content["attendees"]
        assert (person["invitedAs"], person["matchedBy"]) == ("José Müller", "number")
        assert f"never joined: {len(never)} " in text, "the summary is the whole meeting's"
    assert missed.structured_content is not None
    assert missed.structured_content["absent"] == [], "asked by name, he is not 'never joined'"
    assert uninvited.structured_content is not None
    assert uninvited.structured_content["attendees"] == [], "'iPhone' is not 'joined uninvited'"


async def test_the_webinar_counts_its_audience_and_every_count_adds_up(live_sandbox: LiveSandbox) -> None:
    webinar = live_sandbox.sandbox.meetings[WEBINAR_UUID]
    async with run_server(live_sandbox.env()) as run:
        answer = await run.call(TOOL_NAMES.attendance, {"confUUID": WEBINAR_UUID, "limit": 0})
    summary = answer.structured_content["summary"] if answer.structured_content else {}
    people = {(r["displayName"].strip().casefold(), r["callNumber"]) for r in webinar.attendance}
    panel_numbers = {p["participantID"] for p in webinar.participants}
    panel_names = {p["name"].casefold() for p in webinar.participants}
    same_name = {(n, c) for n, c in people if c not in panel_numbers and n in panel_names}
    assert summary["uniqueAttendees"] == len(people)
    assert "uninvited" not in summary, "a webinar has an audience instead"
    assert summary["matched"] == len(webinar.participants)
    assert summary["sameNameAsMatched"] == len(same_name)
    assert summary["audience"] == len(people) - len(webinar.participants) - len(same_name)
    assert summary["uniqueAttendees"] == summary["matched"] + summary["audience"] + summary["sameNameAsMatched"]
    assert summary["participantList"] == summary["matched"] + summary["absent"]
    text = text_of(answer)
    assert f"audience (not on the list): {summary['audience']}" in text
    assert "joined uninvited" not in text
    assert answer.structured_content is not None
    assert answer.structured_content["attendees"] == [], "limit=0: the summary alone"
    assert len(text) < 3_000
