"""Row 12: the meeting list with each row's attendance (withAttendance), 20 meetings, with a slow upstream."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from bench.harness import Context, Row, call_ok, ours_client, secs, timed, verdict
from bench.slow_sandbox import NEW, OLD, Exchange, per_request, round_trips, slow_sandbox, upstream_requests
from huawei_meeting_mcp.app import MAX_ATTENDANCE_ROWS, TOOL_NAMES
from huawei_meeting_mcp.client import ATTENDANCE_PATH, CONF_DETAIL_PATH, HISTORY_PATH
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID

STEP = "latency-list-attendance"
TARGET_ROUND_TRIPS = 4
"""The list page, then the window's other pages and 20 meetings' attendance, 8 meetings at a time."""


def window() -> dict[str, Any]:
    """Ninety days ending three weeks ago: ordinary meetings only (the showcases, all more recent, left out)."""
    end = datetime.now(timezone.utc).date() - timedelta(weeks=3)
    return {"startDate": (end - timedelta(days=90)).isoformat(), "endDate": end.isoformat()}


async def measure(bench: Context) -> list[Row]:
    """One list call with withAttendance over 20 meetings: round trips in a row, requests, wall time; before and now.

    Before is `OLD` (one request at a time, nothing kept): the meetings' attendance read one after another.
    """
    latency = bench.plan.latency_s
    results: dict[str, dict[str, Any]] = {}
    arguments = {**window(), "limit": MAX_ATTENDANCE_ROWS, "withAttendance": True}
    for kind, extra in (("old", OLD), ("new", NEW)):
        log: list[Exchange] = []
        with slow_sandbox(bench.plan, log) as live:
            async with ours_client(bench, live, **extra) as ours:
                await ours.list_tools()
                await call_ok(ours, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 1})  # signs in, opens a connection
                hits = live.sandbox.hits
                before = {path: hits[path] for path in (HISTORY_PATH, ATTENDANCE_PATH, CONF_DETAIL_PATH)}
                requests_before = upstream_requests(live.sandbox)
                log.clear()
                seconds, result = await timed(lambda: call_ok(ours, arguments, TOOL_NAMES.list))
                rows = (result.structured_content or {}).get("meetings", [])
                results[kind] = {
                    "seconds": seconds,
                    "round_trips": round_trips(log),
                    "requests": upstream_requests(live.sandbox) - requests_before,
                    "by_path": {path.rsplit("/", 1)[-1]: hits[path] - count for path, count in before.items()},
                    "rows": len(rows),
                    "with_attendance": sum(1 for row in rows if "people" in row.get("attendance", {})),
                }
    new, old = results["new"], results["old"]

    def shown(one: dict[str, Any]) -> str:
        return f"{secs(one['seconds'])}, {one['round_trips']} round trips in a row ({one['requests']} requests)"

    complete = new["rows"] == new["with_attendance"] == MAX_ATTENDANCE_ROWS
    return [
        Row(
            "latency_list_attendance",
            f"12 list withAttendance, {MAX_ATTENDANCE_ROWS} meetings, {per_request(latency)}",
            shown(new),
            f"before: {shown(old)}",
            f"{old['seconds'] / new['seconds']:.1f}x faster",
            f"<= {TARGET_ROUND_TRIPS} round trips, every row with its attendance",
            verdict(new["round_trips"] <= TARGET_ROUND_TRIPS and complete),
            results | {"latency_s": latency},
        )
    ]
