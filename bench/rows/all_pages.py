"""Row 8: every attendee of the plan's webinar, page after page, with a slow upstream: before and now."""

from __future__ import annotations

from typing import Any

from mcp import Client

from bench.harness import Context, Row, attendance_ok, ours_client, secs, timed, verdict
from bench.slow_sandbox import NEW, OLD, WEBINAR_UUID, per_request, slow_sandbox
from huawei_meeting_mcp.client import ATTENDANCE_PATH, CONF_DETAIL_PATH
from huawei_meeting_mcp.wire import ATTENDANCE_PAGE_SIZE

STEP = "latency-all-pages"
PAGING_LIMIT = 200
"""People per attendance call when paging through the webinar (10 calls for 2,000 attendees)."""


async def page_through(client: Client, arguments: dict[str, Any]) -> int:
    """Follow the attendance answer's nextOffset to the end; the number of calls."""
    calls, offset = 0, 0
    while offset is not None:
        result = await attendance_ok(client, {**arguments, "offset": offset})
        calls += 1
        offset = (result.structured_content or {}).get("page", {}).get("nextOffset")
    return calls


async def measure(bench: Context) -> list[Row]:
    """PAGING_LIMIT people a call to the end: calls, record pages and detail requests read, wall time."""
    plan = bench.plan
    results: dict[str, dict[str, Any]] = {}
    for kind, extra in (("old", OLD), ("new", NEW)):
        with slow_sandbox(plan) as live:
            async with ours_client(bench, live, **extra) as ours:
                await ours.list_tools()
                hits = live.sandbox.hits
                before = {path: hits[path] for path in (ATTENDANCE_PATH, CONF_DETAIL_PATH)}
                seconds, calls = await timed(
                    lambda: page_through(ours, {"confUUID": WEBINAR_UUID, "limit": PAGING_LIMIT})
                )
                results[kind] = {
                    "seconds": seconds,
                    "calls": calls,
                    "record_pages": hits[ATTENDANCE_PATH] - before[ATTENDANCE_PATH],
                    "detail_requests": hits[CONF_DETAIL_PATH] - before[CONF_DETAIL_PATH],
                }
    new, old = results["new"], results["old"]
    pages = -(-plan.webinar_records // ATTENDANCE_PAGE_SIZE)

    def shown(one: dict[str, Any]) -> str:
        pages = f"{one['record_pages']} record pages + {one['detail_requests']} detail"
        return f"{secs(one['seconds'])}, {one['calls']} calls, {pages}"

    return [
        Row(
            "latency_all_pages",
            f"8 all {plan.webinar_people:,} attendees, {PAGING_LIMIT} a call, {per_request(plan.latency_s)}",
            shown(new),
            f"before: {shown(old)}",
            f"{old['seconds'] / new['seconds']:.1f}x faster",
            f"each of the {pages} record pages once",
            verdict(new["record_pages"] == pages),
            results,
        )
    ]
