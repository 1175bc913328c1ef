"""The model knows the way: natural questions answered through a real MCP client in at most three calls.

Each question starts where an assistant starts, with the meeting list, and follows only what the
answers say (the confUUID of the row, the tool the instructions route the question to). The facts
expected are read from the sandbox's own data, not typed here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.sandbox import LARGE_UUID, TRANSCODING_UUID
from huawei_meeting_mcp.sandbox.data import LARGE_ABSENT, LONGEST, REJOINER, REMOVED_GUEST, SHORTEST
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH, CONTROL_PATH
from tests.support import LiveSandbox, ServerRun, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ROW = re.compile(r"^- .*?\"(?P<subject>[^\"]*)\".*confUUID (?P<uuid>[0-9a-f]{32})$", re.MULTILINE)


async def find(run: ServerRun, search: str, start: datetime) -> str:
    """Call 1: the meeting list; the confUUID of the newest row whose subject matches."""
    listing = await run.call(TOOL_NAMES.list, {"searchKey": search, "startDate": start.date().isoformat()})
    assert listing.is_error is False, text_of(listing)
    rows = [m for m in ROW.finditer(text_of(listing)) if search.casefold() in m["subject"].casefold()]
    assert rows, text_of(listing)
    return rows[0]["uuid"]


def last_tuesday(now: datetime) -> datetime:
    days = (now.weekday() - 1) % 7 or 7
    return (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


async def test_six_questions_each_in_at_most_three_calls(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    review = sandbox.meetings[LARGE_UUID]
    tuesday = last_tuesday(datetime.now(timezone.utc))
    async with run_server(live_sandbox.env()) as run:
        # 1. "Who missed Tuesday's supply-chain review?"
        uuid = await find(run, "supply-chain review", tuesday)
        assert uuid == LARGE_UUID
        missed = await run.call(TOOL_NAMES.attendance, {"confUUID": uuid, "show": "absent"})
        absent_names = [review.participants[i]["name"] for i in LARGE_ABSENT]
        for name in absent_names:
            assert f'"{name}"' in text_of(missed)
        assert f"never joined: {len(absent_names)}" in text_of(missed)

        # 2. "Who came to it without an invitation?"
        uninvited = await run.call(TOOL_NAMES.attendance, {"confUUID": uuid, "show": "uninvited"})
        for name, _number in (REJOINER, LONGEST, SHORTEST, REMOVED_GUEST):
            assert f'"{name}"' in text_of(uninvited)

        # 3. "How long is the recording, and can the team watch it?"
        detail = await run.call(TOOL_NAMES.detail, {"confUUID": uuid, "limit": 1})
        recording = review.recording
        assert recording is not None
        assert f"{round(recording['rcdTime'] / 60, 1):g} min, {recording['rcdSize']} MB" in text_of(detail)
        assert "can be watched" in text_of(detail)
        assert "who may watch: enterprise users" in text_of(detail)

        # 4. "Who started the recording?"  5. "When was the meeting locked?"  6. "Who removed that guest?"
        events = text_of(await run.call(TOOL_NAMES.events, {"confUUID": uuid}))
        assert re.search(r'by "李娜 \(Li Na\)" · "Start recording"', events), events
        lock = next(record for record in review.control_records if record.operation == "LOCK_CONF")
        locked = re.search(r'^- (\S+) \((\S+) local\) · by "[^"]+" · "Lock meeting"', events, re.MULTILINE)
        assert locked is not None, events
        assert locked[1] == lock.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        removal = r'^- .* · by "([^"]+)" · "Remove participant" · on "Lena Vogel" · result "Success"'
        removed = re.search(removal, events, re.MULTILINE)
        assert removed is not None, events
        assert removed[1] == review.participants[1]["name"], "the co-host removed her"

        # 7. "Can we watch the incident review's recording yet?"
        incident = await find(run, "Incident review", datetime.now(timezone.utc) - timedelta(days=3))
        assert incident == TRANSCODING_UUID
        pending = text_of(await run.call(TOOL_NAMES.detail, {"confUUID": incident}))
        assert "still transcoding, expected done by" in pending
        assert "cannot be watched now" in pending
        calls = [len(run.results)]

    # Seven questions in 7 calls: two lists, then the tool each question routes to (one events answer holds
    # three of them), so no question needed more than three calls.
    assert calls == [7]

    # Each question took the list call plus at most two more; the labels came in English.
    asked = [r for r in sandbox.requests if r.path in {ATTENDANCE_PATH, CONTROL_PATH}]
    assert asked
    assert {r.headers.get("accept-language") for r in asked} == {"en-US"}


async def test_the_operator_can_ask_for_chinese_labels(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env(HUAWEI_MEETING_LANGUAGE="zh-cn")) as run:
        events = text_of(await run.call(TOOL_NAMES.events, {"confUUID": LARGE_UUID}))
    assert '"开始录制"' in events, events
    asked = [r for r in live_sandbox.sandbox.requests if r.path == CONTROL_PATH]
    assert {r.headers.get("accept-language") for r in asked} == {"zh-CN"}
