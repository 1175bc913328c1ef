"""End to end over stdio: finding meetings, following the paging calls, and reading who attended."""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from huawei_meeting_mcp.sandbox import LARGE_UUID, RECURRING_UUID
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from huawei_meeting_mcp.sandbox.data import LONGEST, REJOINER, SHORTEST, STANDUP_ID
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH, HISTORY_PATH
from huawei_meeting_mcp.view import TEXT_BUDGET
from tests.support import LiveSandbox, ServerRun, leaked, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

LIST = "list_historical_meetings"
DETAIL = "get_historical_meeting_detail"
ATTENDANCE = "get_historical_meeting_attendance"

_ARGUMENT = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|true|false|\d+)')


def arguments_of(call: str) -> dict[str, Any]:
    """The arguments of a call as the answer spells it, e.g. `tool(a=1, b="x")` -> {"a": 1, "b": "x"}."""
    return {name: json.loads(value) for name, value in _ARGUMENT.findall(call)}


def next_call_in(text: str, tool: str) -> dict[str, Any] | None:
    found = re.search(rf"remain[^:]*: call ({tool}\(.*\))$", text, flags=re.MULTILINE)
    return arguments_of(found.group(1)) if found else None


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def review_day(live: LiveSandbox) -> date:
    """The day of the supply-chain review showcase (the latest Tuesday: the data moves with the clock)."""
    return date.fromisoformat(live.sandbox.meetings[LARGE_UUID].conference["startTime"][:10])


def history_days(live: LiveSandbox) -> tuple[date, date]:
    """The first and last day of the sandbox's history, read from its data."""
    days = sorted(m.conference["startTime"][:10] for m in live.sandbox.meetings.values())
    return date.fromisoformat(next(d for d in days if d > "2020")), date.fromisoformat(days[-1])


def london_nine(day: date) -> str:
    """09:00 in London on `day`, in UTC as the list answer writes it."""
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Europe/London")).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def history_requests(live: LiveSandbox) -> list[dict[str, str]]:
    return [r.query for r in live.sandbox.requests if r.path == HISTORY_PATH]


async def all_attendees(run: ServerRun, arguments: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Follow the attendance tool's own next calls to the end; return every attendee and each text."""
    people: list[dict[str, Any]] = []
    texts: list[str] = []
    call: dict[str, Any] | None = arguments
    while call is not None:
        result = await run.call(ATTENDANCE, call)
        assert result.is_error is False, text_of(result)
        assert result.structured_content is not None
        people.extend(result.structured_content["attendees"])
        texts.append(text_of(result))
        call = next_call_in(texts[-1], ATTENDANCE)
    return people, texts


async def test_find_a_meeting_by_date_and_keyword_then_detail_then_attendance(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        # "What did we decide in the supply-chain review last Tuesday?" asked in Beijing.
        tuesday = review_day(live_sandbox)
        beijing_day = datetime(tuesday.year, tuesday.month, tuesday.day, tzinfo=timezone(timedelta(hours=8)))
        window = (ms(beijing_day), ms(beijing_day + timedelta(days=1)) - 1000)
        found = await run.call(
            LIST, {"startDate": f"{tuesday}T00:00+08:00", "endDate": f"{tuesday}T23:59:59+08:00", "searchKey": "supply"}
        )
        assert found.is_error is False, text_of(found)
        assert history_requests(live_sandbox)[-1] == {
            "startDate": str(window[0]),  # the day before, 16:00Z
            "endDate": str(window[1]),  # that Tuesday, 15:59:59Z
            "offset": "0",
            "limit": "20",
            "sortType": "DSC_StartTIME",
            "queryAll": "false",
            "searchKey": "supply",
        }
        data = found.structured_content
        assert data is not None
        [row] = data["meetings"]
        assert row["confUUID"] == LARGE_UUID
        assert row["start"] == {"utc": f"{tuesday}T01:00Z", "local": f"{tuesday}T09:00+08:00"}
        assert (row["durationMinutes"], row["invited"], row["hasRecording"]) == (135, 620, True)
        assert (data["startDate"]["epochMs"], data["endDate"]["epochMs"]) == window
        text = text_of(found)
        assert f'get_historical_meeting_detail(confUUID="{LARGE_UUID}")' in text
        assert f'get_historical_meeting_attendance(confUUID="{LARGE_UUID}")' in text

        detail = await run.call(DETAIL, {"confUUID": row["confUUID"]})
        assert detail.structured_content is not None
        assert detail.structured_content["subject"] == row["subject"]

        who = await run.call(ATTENDANCE, {"confUUID": row["confUUID"], "limit": 5})
        assert who.structured_content is not None
        assert who.structured_content["subject"] == row["subject"]
        assert who.structured_content["summary"]["uniqueAttendees"] > 500

        # The same week by bare dates (UTC, whole days) and by epoch milliseconds reaches the API identically.
        monday = tuesday - timedelta(days=8)
        week_start = ms(datetime(monday.year, monday.month, monday.day, tzinfo=timezone.utc))
        week_ms = (week_start, week_start + 7 * 86_400_000 - 1)
        by_date = await run.call(
            LIST, {"startDate": f"{monday}", "endDate": f"{monday + timedelta(days=6)}", "searchKey": "supply"}
        )
        by_ms = await run.call(LIST, {"startDate": week_ms[0], "endDate": str(week_ms[1]), "searchKey": "supply"})
        first, second = history_requests(live_sandbox)[-2:]
        assert first == second
        assert (first["startDate"], first["endDate"]) == tuple(str(v) for v in week_ms)
        assert by_date.structured_content == {
            **(by_ms.structured_content or {}),
            "notes": by_date.structured_content["notes"],
        }
        assert "had no UTC offset and were read as UTC" in text_of(by_date)
        assert "had no UTC offset" not in text_of(by_ms)


async def test_a_meeting_id_held_several_times_gives_one_row_per_occurrence(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        # A full week of the stand-up (Monday and Wednesday, 09:00 London time whatever the season).
        monday = review_day(live_sandbox) - timedelta(days=8)
        week = await run.call(
            LIST, {"startDate": f"{monday}", "endDate": f"{monday + timedelta(days=6)}", "searchKey": STANDUP_ID}
        )
        assert week.structured_content is not None
        rows = week.structured_content["meetings"]
        assert [r["start"]["utc"] for r in rows] == [london_nine(monday + timedelta(days=2)), london_nine(monday)]
        assert {r["conferenceID"] for r in rows} == {STANDUP_ID}
        assert len({r["confUUID"] for r in rows}) == 2
        assert week.structured_content["repeatedMeetingIDs"] == [{"conferenceID": STANDUP_ID, "occurrences": 2}]
        assert f"Meeting ID {STANDUP_ID} appears 2 times" in text_of(week)

        # Follow the answer's own next-page calls through the last twelve weeks: every occurrence once.
        _, last = history_days(live_sandbox)
        since = last - timedelta(weeks=12)
        expected = {
            uuid
            for uuid, m in live_sandbox.sandbox.meetings.items()
            if m.conference["conferenceID"] == STANDUP_ID and f"{since}" <= m.conference["startTime"][:10] <= f"{last}"
        }
        seen: list[str] = []
        call: dict[str, Any] | None = {
            "startDate": f"{since}",
            "endDate": f"{last}",
            "searchKey": "stand-up",
            "limit": 10,
        }
        pages = 0
        while call is not None:
            page = await run.call(LIST, call)
            assert page.structured_content is not None, text_of(page)
            seen.extend(r["confUUID"] for r in page.structured_content["meetings"])
            call = next_call_in(text_of(page), LIST)
            pages += 1
        assert pages == math.ceil(len(expected) / 10)
        assert len(seen) == len(set(seen)) == len(expected) >= 23, "Mondays and Wednesdays of twelve weeks"
        assert set(seen) == expected
        assert RECURRING_UUID in seen
        pinned = history_requests(live_sandbox)[-1]
        day_ms = ms(datetime(since.year, since.month, since.day, tzinfo=timezone.utc))
        assert (pinned["startDate"], pinned["endDate"]) == (
            str(day_ms),
            str(day_ms + (last - since).days * 86_400_000 + 86_399_999),
        )

        # Each occurrence has its own attendance.
        attendance = await run.call(ATTENDANCE, {"confUUID": RECURRING_UUID})
        assert attendance.structured_content is not None
        assert attendance.structured_content["conferenceID"] == STANDUP_ID
        showcase = live_sandbox.sandbox.meetings[RECURRING_UUID].conference["startTime"]
        assert attendance.structured_content["start"]["utc"] == showcase.replace(" ", "T") + "Z"
        assert showcase.replace(" ", "T") + "Z" == london_nine(date.fromisoformat(showcase[:10]))


async def test_attendance_over_500_records_is_read_whole_and_folded_per_person(live_sandbox: LiveSandbox) -> None:
    records = live_sandbox.sandbox.meetings[LARGE_UUID].attendance
    tuesday = review_day(live_sandbox)
    assert len(records) > 500
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async with run_server(live_sandbox.env()) as run:
        first = await run.call(ATTENDANCE, {"confUUID": LARGE_UUID, "limit": 500}, progress_callback=on_progress)
        assert first.structured_content is not None
        people, texts = await all_attendees(run, {"confUUID": LARGE_UUID, "limit": 500})

    assert progress == [
        (0, None, "Reading attendance records"),
        (500, len(records), f"Read 500 of {len(records)} attendance records"),
        (len(records), len(records), f"Read {len(records)} of {len(records)} attendance records"),
    ]
    participants = len(live_sandbox.sandbox.meetings[LARGE_UUID].participants)
    calls = [(r.path, r.query.get("offset"), r.query.get("limit")) for r in live_sandbox.sandbox.requests]
    first_answer = calls[: 2 + -(-participants // 500)]
    assert [c for c in first_answer if c[0] == ATTENDANCE_PATH] == [
        (ATTENDANCE_PATH, "0", "500"),
        (ATTENDANCE_PATH, "500", "500"),
    ]
    assert sorted(c for c in first_answer if c[0] == CONF_DETAIL_PATH) == [
        (CONF_DETAIL_PATH, str(offset), "500") for offset in range(0, participants, 500)
    ], "the whole participant list (which also gives the meeting's zone), read alongside the records"

    data = first.structured_content
    assert (data["recordsRead"], data["recordsReported"], data["pagesRead"], data["capped"]) == (
        len(records),
        len(records),
        2,
        False,
    )
    keys = {(r["displayName"].strip().casefold(), r["callNumber"]) for r in records}
    assert data["summary"]["uniqueAttendees"] == len(keys)
    assert data["summary"]["sessions"] == len(records)
    assert data["summary"]["longestStay"] == {"name": LONGEST[0], "minutesAttended": 150.0}
    assert data["summary"]["shortestStay"] == {"name": SHORTEST[0], "minutesAttended": 0.5}

    assert len(people) == len(keys), "paging over people returns each person exactly once"
    assert len(texts) > 1
    assert all(len(t) < TEXT_BUDGET for t in texts)
    assert "trimmed to fit the size budget" in texts[0]
    [kwame] = [p for p in people if p["name"] == REJOINER[0]]
    assert kwame == {
        "name": REJOINER[0],
        "kind": "person",
        "deptName": "Partners",
        "deviceTypes": ["PC", "Mobile"],
        "mediaTypes": ["Video", "Voice"],
        "firstJoin": {"utc": f"{tuesday}T01:00:00Z", "local": f"{tuesday}T09:00:00+08:00"},
        "lastLeave": {"utc": f"{tuesday}T03:15:00Z", "local": f"{tuesday}T11:15:00+08:00"},
        "sessions": 3,
        "minutesAttended": 115.0,
    }
    first_joins = [p["firstJoin"]["utc"] for p in people]
    assert first_joins == sorted(first_joins)


def check_schemas_and_guide(tools: dict[str, Any], instructions: str | None) -> None:
    for name in (LIST, ATTENDANCE):
        annotations = tools[name].annotations
        assert annotations is not None
        assert (annotations.read_only_hint, annotations.destructive_hint) == (True, False)
        assert (annotations.idempotent_hint, annotations.open_world_hint) == (True, True)
        assert tools[name].output_schema is not None
    listing = tools[LIST].input_schema
    assert set(listing["properties"]) == {
        "startDate",
        "endDate",
        "searchKey",
        "offset",
        "limit",
        "sortType",
        "queryAll",
        "withAttendance",
    }
    assert listing.get("required", []) == []
    assert (listing["properties"]["limit"]["minimum"], listing["properties"]["limit"]["maximum"]) == (1, 500)
    assert listing["properties"]["limit"]["default"] == 20
    assert set(listing["properties"]["sortType"]["enum"]) == {
        "ASC_StartTIME",
        "DSC_StartTIME",
        "ASC_RecordTYPE",
        "DSC_RecordTYPE",
    }
    assert listing["properties"]["sortType"]["default"] == "DSC_StartTIME"
    assert "without an offset it is UTC" in tools[LIST].description
    attendance = tools[ATTENDANCE].input_schema
    assert set(attendance["properties"]) == {"confUUID", "searchKey", "show", "kind", "department", "offset", "limit"}
    assert attendance["required"] == ["confUUID"]
    assert "10,000 records" in tools[ATTENDANCE].description
    assert "list_historical_meetings" in tools[DETAIL].description
    assert instructions is not None
    for name in (LIST, DETAIL, ATTENDANCE):
        assert name in instructions


async def test_schemas_guide_faults_and_a_failed_zone_lookup_is_not_fatal(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    async with run_server(live_sandbox.env(HUAWEI_MEETING_MAX_RETRIES="0")) as run:
        tools = {t.name: t for t in (await run.client.list_tools()).tools}
        check_schemas_and_guide(tools, run.client.instructions)
        refused = [
            await run.call(LIST, {"startDate": "last tuesday"}),
            await run.call(LIST, {"startDate": "2026-11-25", "endDate": "2026-11-24"}),
            await run.call(LIST, {"startDate": "1795449600"}),
            await run.call(LIST, {"limit": 501}),
            await run.call(LIST, {"sortType": "newest"}),
            await run.call(ATTENDANCE, {"confUUID": ""}),
        ]
        assert sandbox.requests == [], "refused before any upstream call"
        for result in refused:
            assert result.is_error is True
            assert "Invalid arguments" in text_of(result)
        assert "2026-11-24T09:30+08:00" in text_of(refused[0]), "the accepted formats are shown"
        assert "inverted" in text_of(refused[1])
        assert "multiply by 1000" in text_of(refused[2])

        missing = await run.call(ATTENDANCE, {"confUUID": "0" * 32})
        assert missing.is_error is True
        assert "list_historical_meetings" in text_of(missing)
        forbidden = await run.call(ATTENDANCE, {"confUUID": "sandbox-error-forbidden"})
        assert "may not view" in text_of(forbidden)

        # A confDetail answer of the wrong shape: attendance still answers, in UTC only.
        intact = sandbox.meetings[RECURRING_UUID].conference
        sandbox.meetings[RECURRING_UUID].conference = "garbled"  # type: ignore[assignment]
        degraded = await run.call(ATTENDANCE, {"confUUID": RECURRING_UUID})
        sandbox.meetings[RECURRING_UUID].conference = intact
        assert degraded.is_error is False, text_of(degraded)
        assert degraded.structured_content is not None
        assert "timeZone" not in degraded.structured_content
        assert degraded.structured_content["attendees"][0]["firstJoin"].keys() == {"utc"}
        assert "could not be read" in text_of(degraded)
        assert re.search(r"could not be read \(.*\[X-Request-ID: [0-9a-f]{32}\]\)", text_of(degraded))

        after = await run.call(LIST, {"startDate": "2026-11-24", "endDate": "2026-11-24"})
        assert after.is_error is False


async def test_no_secret_or_contact_leaves_and_call_numbers_need_the_opt_in(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    first, last = history_days(live_sandbox)
    span = {"startDate": f"{first}", "endDate": f"{last}", "limit": 500, "queryAll": True}
    calls: list[tuple[str, dict[str, Any]]] = [
        (LIST, span),
        (LIST, {**span, "offset": 100}),
        (ATTENDANCE, {"confUUID": LARGE_UUID, "limit": 500}),
        (ATTENDANCE, {"confUUID": RECURRING_UUID}),
        (ATTENDANCE, {"confUUID": LARGE_UUID, "searchKey": "Kwame"}),
    ]
    async with run_server(live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="DEBUG")) as run:
        for tool, arguments in calls:
            result = await run.call(tool, arguments)
            assert result.is_error is False, text_of(result)
            assert len(text_of(result)) < TEXT_BUDGET
        said = run.everything_said()
    assert "GET /v1/mmc/management/conferences/history" in said, "the debug request log is part of what is scanned"
    assert leaked(said, sandbox.secret_strings()) == []
    assert leaked(said, sandbox.contact_strings()) == []
    assert "callNumber" not in said

    async with run_server(live_sandbox.env(HUAWEI_MEETING_INCLUDE_CONTACTS="true")) as run:
        for tool, arguments in calls:
            await run.call(tool, arguments)
        said = run.everything_said()
    assert REJOINER[1] in said
    assert leaked(said, sandbox.secret_strings()) == []
