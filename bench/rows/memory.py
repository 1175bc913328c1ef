"""Row 5: the server's resident size after start, after warm-up, and after many calls."""

from __future__ import annotations

from bench.harness import HAS_PROC, MB, Context, Row, call_ok, connect, ours_stdio, rss_bytes, server_pid, verdict
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID

STEP = "memory"
MEMORY_ARGS = [
    {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20},
    *({"confUUID": LARGE_UUID, "offset": offset, "limit": 50} for offset in range(0, 600, 50)),
]


async def measure(bench: Context) -> list[Row]:
    """RSS of one server, calls cycling over the docs example and 50-person pages of the large meeting."""
    if not HAS_PROC:
        return [Row("memory", "5 memory (RSS)", "n/a (no /proc)", "", "", "< 5 MB growth", "n/a")]
    calls = bench.plan.memory_calls
    params = ours_stdio(bench.live)
    async with connect(params, bench.errlog) as ours:
        pid = server_pid(params)
        started = rss_bytes(pid)
        for arguments in MEMORY_ARGS:
            await call_ok(ours, arguments)
        warm = rss_bytes(pid)
        for i in range(calls):
            await call_ok(ours, MEMORY_ARGS[i % len(MEMORY_ARGS)])
        after = rss_bytes(pid)
    growth = after - warm
    return [
        Row(
            "memory",
            f"5 memory (RSS): start -> warm -> +{calls} calls",
            f"{started / MB:.1f} -> {warm / MB:.1f} -> {after / MB:.1f} MB",
            "",
            f"+{growth / MB:.2f} MB",
            "< 5 MB growth",
            verdict(growth < 5 * MB),
            {"start_bytes": started, "warm_bytes": warm, "after_bytes": after, "growth_bytes": growth, "calls": calls},
        )
    ]
