"""The client's history-list and attendance calls against httpx.MockTransport: the requests built, the paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.client import ATTENDANCE_PATH, HISTORY_PATH, MeetingClient, RetryPolicy
from huawei_meeting_mcp.errors import NotFoundError
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.wire import HistoryQuery

pytestmark = pytest.mark.anyio

TOKEN = "stbUNIT-test-token-000000000000000000"


def rows(n: int) -> list[dict[str, Any]]:
    return [{"displayName": f"p{i}", "callNumber": str(i), "joinTime": 1_800_000_000_000 + i} for i in range(n)]


def attendance_api(
    records: list[dict[str, Any]], *, with_count: bool = True, page_cap: int = 500
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A confAttendeeRecord endpoint over `records` that logs each request."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert request.url.path == ATTENDANCE_PATH
        assert request.headers["X-Access-Token"] == TOKEN
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        body: dict[str, Any] = {
            "offset": offset,
            "limit": limit,
            "data": records[offset : offset + min(limit, page_cap)],
        }
        if with_count:
            body["count"] = len(records)
        return httpx.Response(200, json=body)

    return handle, seen


async def read_all(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[Any, list[tuple[int, int | None]]]:
    progress: list[tuple[int, int | None]] = []

    async def on_page(read: int, total: int | None) -> None:
        progress.append((read, total))

    async with create_http_client(
        "https://api.example.test", timeout=5, transport=httpx.MockTransport(handler)
    ) as http:
        client = MeetingClient(http, StaticToken(TOKEN), timeout=5, retry=RetryPolicy(max_retries=0))
        fetched = await client.all_attendance("c0ffee", kwargs.pop("search_key", None), on_page=on_page, **kwargs)
    return fetched, progress


async def test_pages_follow_the_count_at_500_a_page() -> None:
    handler, seen = attendance_api(rows(1203))
    fetched, progress = await read_all(handler, search_key="Li")
    assert [dict(r.url.params) for r in seen] == [
        {"confUUID": "c0ffee", "offset": str(o), "limit": "500", "searchKey": "Li"} for o in (0, 500, 1000)
    ]
    assert len(fetched.records) == 1203
    assert [r.display_name for r in fetched.records[499:501]] == ["p499", "p500"]
    assert (fetched.reported_total, fetched.pages, fetched.capped) == (1203, 3, False)
    assert progress == [(500, 1203), (1000, 1203), (1203, 1203)]


async def test_without_a_count_a_short_page_ends_it() -> None:
    handler, seen = attendance_api(rows(700), with_count=False)
    fetched, progress = await read_all(handler)
    assert len(seen) == 2
    assert (len(fetched.records), fetched.reported_total, fetched.capped) == (700, None, False)
    assert progress == [(500, None), (700, None)]


async def test_without_a_count_an_exact_multiple_ends_at_the_empty_page() -> None:
    handler, seen = attendance_api(rows(1000), with_count=False)
    fetched, _ = await read_all(handler)
    assert len(seen) == 3
    assert len(fetched.records) == 1000
    assert fetched.capped is False


async def test_smaller_pages_than_asked_are_followed_by_offset() -> None:
    handler, seen = attendance_api(rows(250), page_cap=100)
    fetched, _ = await read_all(handler)
    assert [r.url.params["offset"] for r in seen] == ["0", "100", "200"]
    assert len(fetched.records) == 250


async def test_the_page_cap_stops_reading_and_says_so() -> None:
    handler, seen = attendance_api(rows(1500))
    fetched, progress = await read_all(handler, max_pages=2)
    assert len(seen) == 2
    assert (len(fetched.records), fetched.reported_total, fetched.pages, fetched.capped) == (1000, 1500, 2, True)
    assert progress[-1] == (1000, 1500)


async def test_an_empty_page_below_the_count_does_not_loop() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"offset": 0, "limit": 500, "count": 9000, "data": []})

    fetched, progress = await read_all(handle)
    assert (fetched.records, fetched.pages, fetched.capped) == ([], 1, False)
    assert progress == [(0, 9000)]


async def test_an_error_on_a_later_page_is_the_tool_error() -> None:
    calls: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if request.url.params["offset"] == "500":
            return httpx.Response(
                400, json={"error_code": "MMC.111072065", "error_msg": "CONF_NOT_FOUND_OR_AUTH_FAILED"}
            )
        return httpx.Response(200, json={"count": 900, "data": rows(500)})

    with pytest.raises(NotFoundError):
        await read_all(handle)
    assert len(calls) == 2


async def test_history_sends_the_api_parameters() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"offset": 0, "limit": 20, "count": 0, "data": []})

    async with create_http_client("https://api.example.test", timeout=5, transport=httpx.MockTransport(handle)) as http:
        client = MeetingClient(http, StaticToken(TOKEN), timeout=5)
        query = HistoryQuery(start_ms=1795478400000, end_ms=1795564799999, search_key="供应链", query_all=True)
        response = await client.history(query)
    assert response.count == 0
    [request] = seen
    assert request.url.path == HISTORY_PATH
    assert dict(request.url.params) == {
        "startDate": "1795478400000",
        "endDate": "1795564799999",
        "offset": "0",
        "limit": "20",
        "sortType": "DSC_StartTIME",
        "queryAll": "true",
        "searchKey": "供应链",
    }
