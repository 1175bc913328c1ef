"""The sandbox's history and attendance endpoints keep the real API's rules, and its data has the promised shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID, RECURRING_UUID, Sandbox
from huawei_meeting_mcp.sandbox.data import LONGEST, REJOINER, SHORTEST, STANDUP_ID, anchor_day, history_span
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH, HISTORY_PATH, start_ms

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
"""The day the data is pinned to: the latest Tuesday is 2026-11-24, the history ends 2026-11-25."""
NOV_16 = 1794787200000  # 2026-11-16T00:00:00.000Z, a Monday
DAY = 86_400_000


@pytest.fixture
async def api() -> AsyncIterator[tuple[Sandbox, httpx.AsyncClient]]:
    sandbox = Sandbox(now=NOW)
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox", headers={"X-Access-Token": DEFAULT_TOKEN}
    ) as http:
        yield sandbox, http


async def history(http: httpx.AsyncClient, **params: Any) -> httpx.Response:
    return await http.get(HISTORY_PATH, params={"startDate": NOV_16, "endDate": NOV_16 + 7 * DAY - 1, **params})


async def test_window_is_on_start_time_and_includes_both_ends(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    sandbox, http = api
    standup = next(m for m in sandbox.meetings.values() if m.conference["startTime"] == "2026-11-16 09:00")
    exact = start_ms(standup)
    for start, end, found in [(exact, exact, True), (exact + 1, exact + DAY, False), (exact - DAY, exact - 1, False)]:
        body = (await http.get(HISTORY_PATH, params={"startDate": start, "endDate": end})).json()
        assert (standup.conference["confUUID"] in {c["confUUID"] for c in body["data"]}) is found


async def test_search_key_matches_subject_organizer_and_meeting_id(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    _, http = api
    by_subject = (await history(http, searchKey="STAND-UP")).json()
    by_organizer = (await history(http, searchKey="li na")).json()
    by_id = (await history(http, searchKey=STANDUP_ID)).json()
    assert {c["subject"] for c in by_subject["data"]} == {"Weekly logistics stand-up"}
    assert by_subject["count"] == 2
    assert {c["scheduserName"] for c in by_organizer["data"]} == {"李娜 (Li Na)"}
    assert [c["confUUID"] for c in by_id["data"]] == [c["confUUID"] for c in by_subject["data"]]


async def test_sort_types(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    _, http = api
    newest = [c["startTime"] for c in (await history(http)).json()["data"]]
    oldest = [c["startTime"] for c in (await history(http, sortType="ASC_StartTIME")).json()["data"]]
    recorded = (await history(http, sortType="DSC_RecordTYPE", startDate=NOV_16 - 60 * DAY)).json()["data"]
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(newest)
    flags = [c["isHasRecordFile"] for c in recorded]
    assert flags == sorted(flags, reverse=True)
    assert True in flags
    assert False in flags


async def test_query_all_adds_meetings_the_user_was_not_invited_to(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    _, http = api
    own = (await history(http)).json()
    everyone = (await history(http, queryAll="true")).json()
    assert everyone["count"] > own["count"]
    assert "Finance forecast sync" in {c["subject"] for c in everyone["data"]}
    assert "Finance forecast sync" not in {c["subject"] for c in own["data"]}


@pytest.mark.parametrize(
    "params",
    [
        {"startDate": None},
        {"endDate": "tomorrow"},
        {"startDate": NOV_16 + DAY, "endDate": NOV_16},
        {"limit": 501},
        {"limit": 0},
        {"offset": -1},
        {"sortType": "dsc_starttime"},
        {"queryAll": "yes"},
        {"searchKey": "k" * 129},
    ],
)
async def test_refuses_what_the_service_refuses(api: tuple[Sandbox, httpx.AsyncClient], params: dict[str, Any]) -> None:
    _, http = api
    query = {"startDate": NOV_16, "endDate": NOV_16 + DAY, **params}
    response = await http.get(HISTORY_PATH, params={k: v for k, v in query.items() if v is not None})
    assert response.status_code == 400
    assert response.json() == {"error_code": "MMC.111070001", "error_msg": "Request parameter error."}


async def test_both_endpoints_check_the_token(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    _, http = api
    requests: list[tuple[str, dict[str, int | str]]] = [
        (HISTORY_PATH, {"startDate": 1, "endDate": 2}),
        (ATTENDANCE_PATH, {"confUUID": LARGE_UUID}),
    ]
    for path, params in requests:
        response = await http.get(path, params=params, headers={"X-Access-Token": "stbWRONG"})
        assert response.status_code == 401
        assert response.json()["error_code"] == "USG.000000004"


async def test_attendance_pages_filters_and_errors(api: tuple[Sandbox, httpx.AsyncClient]) -> None:
    sandbox, http = api
    first = (await http.get(ATTENDANCE_PATH, params={"confUUID": LARGE_UUID, "limit": 500})).json()
    second = (await http.get(ATTENDANCE_PATH, params={"confUUID": LARGE_UUID, "limit": 500, "offset": 500})).json()
    assert first["count"] == len(sandbox.meetings[LARGE_UUID].attendance) > 500
    assert len(first["data"]) + len(second["data"]) == first["count"]
    search = (await http.get(ATTENDANCE_PATH, params={"confUUID": LARGE_UUID, "searchKey": "kwame"})).json()
    assert [r["displayName"] for r in search["data"]] == [REJOINER[0]] * 3
    missing = await http.get(ATTENDANCE_PATH, params={"confUUID": "0" * 32})
    assert (missing.status_code, missing.json()["error_code"]) == (400, "MMC.111072065")
    too_many = await http.get(ATTENDANCE_PATH, params={"confUUID": LARGE_UUID, "limit": 501})
    assert too_many.status_code == 400
    scripted = await http.get(ATTENDANCE_PATH, params={"confUUID": "sandbox-error-forbidden"})
    assert scripted.status_code == 403


def test_data_has_months_of_meetings_a_repeated_id_and_rejoins() -> None:
    meetings = Sandbox(now=NOW).meetings
    days = {m.conference["startTime"][:10] for m in meetings.values()}
    first, last = history_span(anchor_day(NOW))
    assert (first.isoformat(), last.isoformat()) == ("2026-05-26", "2026-11-25")
    assert min(d for d in days if d >= "2026") == first.isoformat()
    assert max(days) == last.isoformat()
    assert len({d[:7] for d in days if d >= "2026"}) >= 6
    standups = [m for m in meetings.values() if m.conference["conferenceID"] == STANDUP_ID]
    assert len(standups) > 10
    assert len({m.conference["confUUID"] for m in standups}) == len(standups)
    assert RECURRING_UUID in {m.conference["confUUID"] for m in standups}
    large = meetings[LARGE_UUID].attendance
    assert len(large) > 500
    sessions = Counter((r["displayName"], r["callNumber"]) for r in large)
    assert sessions[REJOINER] == 3
    assert (sessions[LONGEST], sessions[SHORTEST]) == (1, 1)
    rejoiner_rows = [i for i, r in enumerate(large) if r["displayName"] == REJOINER[0]]
    assert rejoiner_rows[0] < 500 < rejoiner_rows[-1], "the rejoiner's sessions straddle the page boundary"
    assert all(m.attendance for m in meetings.values() if m.conference["startTime"] >= "2026")


def test_data_is_the_same_every_time() -> None:
    first, second = Sandbox(now=NOW).meetings, Sandbox(now=NOW.replace(hour=23, minute=59)).meetings
    assert first.keys() == second.keys()
    assert all(first[k].attendance == second[k].attendance for k in first)
