"""Row 9: all 620 invitees of the large meeting 100 a call, twice over, with a slow upstream: before and now."""

from __future__ import annotations

import time
from typing import Any

from bench.harness import Context, Row, call_ok, ours_client, secs, verdict
from bench.slow_sandbox import NEW, OLD, slow_sandbox
from huawei_meeting_mcp.client import CONF_DETAIL_PATH
from huawei_meeting_mcp.sandbox import LARGE_UUID

STEP = "latency-detail"


async def measure(bench: Context) -> list[Row]:
    """Requests and wall time of each pass; the second should be answered from the cache."""
    results: dict[str, dict[str, Any]] = {}
    for kind, extra in (("old", OLD), ("new", NEW)):
        with slow_sandbox(bench.plan) as live:
            async with ours_client(bench, live, **extra) as ours:
                await ours.list_tools()
                passes = []
                for _ in range(2):
                    before = live.sandbox.hits[CONF_DETAIL_PATH]
                    started = time.perf_counter()
                    for offset in range(0, 620, 100):
                        await call_ok(ours, {"confUUID": LARGE_UUID, "offset": offset, "limit": 100})
                    passes.append(
                        {
                            "seconds": time.perf_counter() - started,
                            "requests": live.sandbox.hits[CONF_DETAIL_PATH] - before,
                        }
                    )
                results[kind] = {"passes": passes}

    def shown(one: dict[str, Any]) -> str:
        first, second = one["passes"]
        again = f"again {secs(second['seconds'])}/{second['requests']} req"
        return f"{secs(first['seconds'])}/{first['requests']} req, {again}"

    return [
        Row(
            "latency_detail_paging",
            "9 detail: 620 invitees 100 a call, then again",
            shown(results["new"]),
            f"before: {shown(results['old'])}",
            "",
            "second pass: 0 requests",
            verdict(results["new"]["passes"][1]["requests"] == 0),
            results,
        )
    ]
