"""The history list view: rows per occurrence, repeated meeting IDs, paging, empty results and the budget."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.dates import resolve_range
from huawei_meeting_mcp.output import MeetingList
from huawei_meeting_mcp.view import TEXT_BUDGET
from huawei_meeting_mcp.view.history import HISTORY_TEXT, build_history
from huawei_meeting_mcp.view.paging import render_paged
from huawei_meeting_mcp.wire import HistoryListResponse, HistoryQuery
from tests.support import fixture_json, view_options

NOW = datetime(2026, 11, 26, 1, 2, 3, tzinfo=timezone.utc)


def page_body() -> dict[str, Any]:
    body: dict[str, Any] = fixture_json("history-page.json")
    return body


def listing(
    body: dict[str, Any], *, start: str | None = "2026-07-01", end: str | None = "2026-07-31", **query: Any
) -> MeetingList:
    window = resolve_range(start, end, now=NOW)
    history_query = HistoryQuery(start_ms=window.start.epoch_ms, end_ms=window.end.epoch_ms, **query)
    return build_history(HistoryListResponse.model_validate(body), history_query, window, view_options())


def render(result: MeetingList, limit: int) -> tuple[MeetingList, str]:
    return render_paged(result, HISTORY_TEXT, limit, TOOL_NAMES)


def test_one_row_per_occurrence_with_both_times() -> None:
    result = listing(page_body(), limit=3)
    first, second, third = result.meetings
    assert first.model_dump(exclude_none=True) == {
        "confUUID": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01",
        "conferenceID": "914087001",
        "subject": "Weekly logistics stand-up",
        "scheduserName": "Amélie Dubois",
        "start": {"utc": "2026-07-08T08:00Z", "local": "2026-07-08T09:00+01:00"},
        "timeZoneID": "26",
        "durationMinutes": 25,
        "invited": 6,
        "hasRecording": False,
    }
    assert second.durationMinutes == 20
    assert third.subject == "Q3 supply-chain review / 第三季度供应链评审", "control characters collapsed"
    assert third.start.local is None
    assert any("timeZoneID 999" in n for n in result.notes)


def test_secrets_in_the_answer_never_reach_the_output() -> None:
    result, text = render(listing(page_body(), limit=3), 3)
    said = text + result.model_dump_json()
    for secret in ("483920", "0123456789abcdef0123456789abcdef", "fedcba9876543210"):
        assert secret not in said


def test_repeated_meeting_id_is_flagged_and_explained() -> None:
    result, text = render(listing(page_body(), limit=3), 3)
    assert [r.model_dump() for r in result.repeatedMeetingIDs] == [{"conferenceID": "914087001", "occurrences": 2}]
    assert "Meeting ID 914087001 appears 2 times" in text
    assert "one row per occurrence" in text


def test_a_repeated_meeting_id_that_is_not_plain_is_quoted() -> None:
    body = page_body()
    for row in body["data"]:
        if row["conferenceID"] == "914087001":
            row["conferenceID"] = "![status](https://attacker.example/x.png)"  # found by the hypothesis property
    _, text = render(listing(body, limit=3), 3)
    assert "![" not in text
    assert 'Meeting ID "status (link hidden)" appears 2 times' in text


def test_next_call_pins_the_window_in_epoch_ms_and_keeps_the_filters() -> None:
    result, text = render(
        listing(page_body(), limit=3, search_key="stand-up", sort_type="ASC_RecordTYPE", query_all=True), 3
    )
    assert result.page.nextOffset == 3
    assert result.startDate.epochMs == 1782864000000  # 2026-07-01T00:00:00.000Z
    assert result.endDate.epochMs == 1785542399999  # 2026-07-31T23:59:59.999Z
    call = (
        "list_historical_meetings(startDate=1782864000000, endDate=1785542399999, "
        'searchKey="stand-up", sortType="ASC_RecordTYPE", queryAll=true, offset=3, limit=3)'
    )
    assert f"More meetings remain: call {call}" in text
    assert "recorded meetings first, then oldest" in text
    assert "the whole enterprise" in text


def test_how_to_go_on_names_detail_and_attendance() -> None:
    _, text = render(listing(page_body(), limit=3), 3)
    assert 'get_historical_meeting_detail(confUUID="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01")' in text
    assert 'get_historical_meeting_attendance(confUUID="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01")' in text


def test_utc_reading_of_bare_dates_is_said() -> None:
    result = listing(page_body())
    assert any("read as UTC" in n for n in result.notes)
    defaulted = listing(page_body(), start=None, end=None)
    assert defaulted.startDate.defaulted is True
    assert any("last 30 days up to now" in n for n in defaulted.notes)
    assert not any("read as UTC" in n for n in defaulted.notes)


def test_an_empty_result_says_why_it_may_be_empty() -> None:
    result, text = render(listing({"offset": 0, "limit": 20, "count": 0, "data": []}), 20)
    assert result.meetings == []
    assert result.page.nextOffset is None
    for phrase in ("6 months", "12 at most", "created or were invited to", "queryAll=true"):
        assert phrase in text
    _, beyond = render(listing({"offset": 40, "limit": 20, "count": 5, "data": []}, offset=40), 20)
    assert "Meetings: none at offset 40 (5 in all)." in beyond
    assert "6 months" not in beyond, "a page beyond the end is not an empty search"


def test_missing_count_and_offset_fall_back_to_what_was_asked() -> None:
    body = page_body()
    del body["count"], body["offset"]
    result = listing(body, offset=6)
    assert (result.page.total, result.page.offset, result.page.nextOffset) == (9, 6, None)


def test_a_page_of_500_is_trimmed_to_the_budget() -> None:
    row = page_body()["data"][2]
    body = {
        "offset": 0,
        "limit": 500,
        "count": 1200,
        "data": [dict(row, confUUID=f"{i:032x}", conferenceID=f"9{i % 7:08d}") for i in range(500)],
    }
    result, text = render(listing(body, limit=500), 500)
    assert len(text) < TEXT_BUDGET
    assert result.page.trimmedToFit is True
    assert 0 < result.page.returned < 500
    assert result.page.nextOffset == result.page.returned
    assert len(re.findall(r"^- ", text, flags=re.MULTILINE)) == result.page.returned
    assert f"offset={result.page.returned}, limit=500)" in text
    assert sum(r.occurrences for r in result.repeatedMeetingIDs) == result.page.returned, "recounted for the kept rows"
