"""Row 7: the first attendance page of the plan's webinar with a slow upstream, before and now."""

from __future__ import annotations

import statistics

from bench.harness import Context, Row, attendance_ok, call_ok, ours_client, secs, timed, verdict
from bench.slow_sandbox import (
    NEW,
    OLD,
    WEBINAR_UUID,
    Exchange,
    per_request,
    round_trips,
    slow_sandbox,
    upstream_requests,
)
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID

STEP = "latency-first-page"
SIDES = (("old", OLD), ("new", NEW), ("new_4", {"HUAWEI_MEETING_CONCURRENCY": "4"}))


async def measure(bench: Context) -> list[Row]:
    """One attendance call (50 people), one page after another before, 8 and 4 in flight now.

    Besides the wall time, the round trips in a row (`round_trips`): what the target counts, and what
    latency multiplies; the wall adds the CPU of both sides (the sandbox's too, which answers one request at
    a time in this process).
    """
    latency = bench.plan.latency_s
    walls: dict[str, list[float]] = {kind: [] for kind, _ in SIDES}
    trips: dict[str, list[int]] = {kind: [] for kind, _ in SIDES}
    requests: dict[str, int] = {}
    for _ in range(bench.plan.first_page_rounds):
        for kind, extra in SIDES:
            log: list[Exchange] = []
            with slow_sandbox(bench.plan, log) as live:
                async with ours_client(bench, live, **extra) as ours:
                    await ours.list_tools()
                    await call_ok(ours, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 1})  # signs in, opens a connection
                    before = upstream_requests(live.sandbox)
                    log.clear()
                    seconds, _ = await timed(lambda: attendance_ok(ours, {"confUUID": WEBINAR_UUID, "limit": 50}))
                    walls[kind].append(seconds)
                    trips[kind].append(round_trips(log))
                    requests[kind] = upstream_requests(live.sandbox) - before
    old, new, new_4 = (statistics.median(walls[kind]) for kind in ("old", "new", "new_4"))
    data = {"new_s": walls["new"], "new_4_s": walls["new_4"], "old_s": walls["old"], "requests": requests}
    return [
        Row(
            f"latency_first_page{suffix}",
            f"7 first attendance page, {bench.plan.webinar_records:,} records, {per_request(latency)}, {label}",
            f"{secs(seconds)}, {max(trips[kind])} round trips in a row ({requests[kind]} requests)",
            f"before: {secs(old)}, {max(trips['old'])} round trips ({requests['old']} requests)",
            f"{old / seconds:.1f}x faster",
            f"<= 4 round trips (~{5 * latency:g} s)",
            verdict(max(trips[kind]) <= 4 and seconds <= 5.5 * latency),
            data | {"latency_s": latency, "round_trips": trips},
        )
        for kind, suffix, label, seconds in (
            ("new", "", "8 in flight (default)", new),
            ("new_4", "_4", "4 in flight", new_4),
        )
    ]
