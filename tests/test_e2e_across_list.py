"""Questions across meetings, each in at most two calls, through a real MCP client over stdio.

The server runs as its console script against the loopback sandbox; every expected number is computed
here from the sandbox's raw data (its meetings, participant lists and attendance records), never from
the server's own views.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from huawei_meeting_mcp.app import TOOL_NAMES, last_week
from huawei_meeting_mcp.sandbox.data import TOWN_HALL_UUID, SandboxMeeting, from_api_time
from huawei_meeting_mcp.sandbox.history_api import HISTORY_PATH
from tests.support import LiveSandbox, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ROOM_DEVICES = {"TE30", "IdeaHub", "Board", "HUAWEI Vision"}
"""The sandbox's meeting-room device types (sandbox/data.py), as its records name them in English."""


def started_between(meetings: list[SandboxMeeting], first: date, last: date) -> list[SandboxMeeting]:
    """The signed-in user's meetings (queryAll=false) that started on the days `first` to `last`, UTC."""
    return [
        m
        for m in meetings
        if m.mine and first <= from_api_time(m.conference["startTime"]).date() <= last and m.conference.get("endTime")
    ]


def minutes(meeting: SandboxMeeting) -> int:
    conf = meeting.conference
    return int((from_api_time(conf["endTime"]) - from_api_time(conf["startTime"])).total_seconds() // 60)


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the calendar month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def raw_attendance(meeting: SandboxMeeting) -> dict[str, int]:
    """Who joined and who did not, counted from the raw records and participant list alone.

    An attendee is one display name (without case) with one number; one joined as a room when it used a
    room device (in the sample data, rooms join from their own number and only from room devices). A list
    entry is present when an attendee has its number or its name; an attendee is uninvited (a webinar's:
    audience) when neither its number nor its name is on the list.
    """
    attendees: dict[tuple[str, str], set[str]] = {}
    for record in meeting.attendance:
        key = (record["displayName"].strip().casefold(), record["callNumber"])
        attendees.setdefault(key, set()).add(record["deviceType"])
    numbers = {number for _, number in attendees}
    names = {name for name, _ in attendees}
    listed_numbers = {p["participantID"] for p in meeting.participants}
    listed_names = {p["name"].strip().casefold() for p in meeting.participants}
    rooms = sum(1 for devices in attendees.values() if devices & ROOM_DEVICES)
    return {
        "people": len(attendees) - rooms,
        "rooms": rooms,
        "invited": len(meeting.participants),
        "absent": sum(
            1
            for p in meeting.participants
            if p["participantID"] not in numbers and p["name"].strip().casefold() not in names
        ),
        # A webinar's attendees not on its list are its audience, not uninvited.
        "audience" if meeting.conference.get("webinar") else "uninvited": sum(
            1 for name, number in attendees if number not in listed_numbers and name not in listed_names
        ),
    }


async def test_how_many_hours_did_we_spend_in_meetings_last_month(live_sandbox: LiveSandbox) -> None:
    first, last = last_month(datetime.now(timezone.utc).date())
    held = started_between(list(live_sandbox.sandbox.meetings.values()), first, last)
    total = sum(minutes(m) for m in held)
    assert held
    async with run_server(live_sandbox.env()) as run:
        # A page smaller than the month, so that the totals cannot be the page's.
        arguments = {"startDate": first.isoformat(), "endDate": last.isoformat(), "limit": 5}
        listing = await run.call(TOOL_NAMES.list, arguments)
        calls = len(run.results)
    assert calls == 1
    assert listing.is_error is False, text_of(listing)
    summary = (listing.structured_content or {})["summary"]
    assert summary["meetings"] == len(held)
    assert summary["totalMinutes"] == total
    assert summary["recorded"] == sum(1 for m in held if m.conference.get("isHasRecordFile"))
    line = f"Totals over the whole window: {len(held)} meetings, {total:,} minutes ({total / 60:,.1f} hours) in all"
    assert line in text_of(listing)
    assert len((listing.structured_content or {})["meetings"]) == 5 < len(held)


async def test_a_one_paragraph_summary_of_last_weeks_meetings(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    monday, sunday = last_week(datetime.now(timezone.utc).date())
    held = {m.conference["confUUID"]: m for m in started_between(list(sandbox.meetings.values()), monday, sunday)}
    assert held
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async with run_server(live_sandbox.env()) as run:
        prompt = await run.client.get_prompt("weekly_digest")
        [message] = prompt.messages
        asked = re.search(r"list_historical_meetings\((.*?)\)", getattr(message.content, "text", ""))
        assert asked is not None
        arguments = parse_call(asked[1])
        assert arguments == {"startDate": monday.isoformat(), "endDate": sunday.isoformat(), "withAttendance": True}
        listing = await run.call(TOOL_NAMES.list, arguments, progress_callback=on_progress)
        calls = 1 + len(run.results)  # the prompt, then the call it names
    assert calls == 2
    assert listing.is_error is False, text_of(listing)
    content: dict[str, Any] = listing.structured_content or {}
    assert content["summary"]["meetings"] == len(held)
    assert content["summary"]["totalMinutes"] == sum(minutes(m) for m in held.values())
    rows = content["meetings"]
    assert {row["confUUID"] for row in rows} == set(held)
    for row in rows:
        assert row["attendance"] == raw_attendance(held[row["confUUID"]]), row["subject"]
    assert progress[-1][:2] == (len(rows), len(rows))
    text = text_of(listing)
    for row in rows:
        counts = row["attendance"]
        outside = f"{counts['audience']} audience" if "audience" in counts else f"{counts['uninvited']} uninvited"
        assert f"{counts['invited']} invited, {counts['absent']} never joined, {outside}" in text


def parse_call(arguments: str) -> dict[str, Any]:
    """`startDate="2026-11-23", withAttendance=true` as the arguments it names."""
    parsed: dict[str, Any] = {}
    for name, value in re.findall(r'(\w+)=("[^"]*"|true|false|\d+)', arguments):
        if value.startswith('"'):
            parsed[name] = value.strip('"')
        else:
            parsed[name] = value == "true" if value in {"true", "false"} else int(value)
    return parsed


async def test_find_the_town_hall_meeting(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    town_hall = sandbox.meetings[TOWN_HALL_UUID].conference
    async with run_server(live_sandbox.env()) as run:
        found = await run.call(TOOL_NAMES.list, {"searchKey": "town hall"})
        hands = await run.call(TOOL_NAMES.list, {"searchKey": "all hands", "startDate": "2000-01-01"})
    rows = (found.structured_content or {})["meetings"]
    assert [row["confUUID"] for row in rows] == [TOWN_HALL_UUID]
    assert rows[0]["subject"] == town_hall["subject"]
    assert (found.structured_content or {})["searchLoosely"] is True
    assert f'1 meeting matched, "{town_hall["subject"]}"' in text_of(found)
    literal = [r for r in sandbox.requests if r.path == HISTORY_PATH and r.query.get("searchKey") == "town hall"]
    assert len(literal) == 1, "the search as typed, which found nothing, then the window without it"
    all_hands = sorted(
        m.conference["confUUID"] for m in sandbox.meetings.values() if m.mine and "All-hands" in m.conference["subject"]
    )
    assert sorted(row["confUUID"] for row in (hands.structured_content or {})["meetings"]) == all_hands


async def test_of_li_nas_meetings_in_the_last_30_days_which_had_the_most_no_shows(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    now = datetime.now(timezone.utc)
    fields = ("subject", "scheduserName", "conferenceID")
    hers = {
        m.conference["confUUID"]: m
        for m in sandbox.meetings.values()
        if m.mine
        and any("li na" in str(m.conference.get(field, "")).casefold() for field in fields)
        and now - timedelta(days=30) <= from_api_time(m.conference["startTime"]) <= now
        and m.conference.get("endTime")
    }
    absent = {uuid: raw_attendance(m)["absent"] for uuid, m in hers.items()}
    most = max(absent.values())
    assert len(hers) >= 2
    async with run_server(live_sandbox.env()) as run:
        listing = await run.call(TOOL_NAMES.list, {"searchKey": "Li Na", "withAttendance": True})
        calls = len(run.results)
    assert calls == 1
    assert listing.is_error is False, text_of(listing)
    rows = (listing.structured_content or {})["meetings"]
    assert {row["confUUID"]: row["attendance"]["absent"] for row in rows} == absent
    answered = {row["confUUID"] for row in rows if row["attendance"]["absent"] == most}
    assert answered == {uuid for uuid, count in absent.items() if count == most}
