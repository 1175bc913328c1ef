"""Row 10: the server's resident size with the read cache filled past its bound, and without the cache."""

from __future__ import annotations

from bench.harness import (
    HAS_PROC,
    MB,
    Context,
    Row,
    attendance_ok,
    connect,
    loopback,
    ours_stdio,
    rss_bytes,
    server_pid,
    together,
    verdict,
)
from bench.slow_sandbox import NEW, OLD, WEBINAR_UUID, add_webinar
from huawei_meeting_mcp.cache import MAX_CACHED_BYTES
from huawei_meeting_mcp.sandbox import LARGE_UUID, Sandbox

STEP = "cache-memory"


async def measure(bench: Context) -> list[Row]:
    """RSS after reading the attendance of the plan's webinars (in full, five: past the bound), cache on and off.

    The two servers start at the same time, against one sandbox, and are read one after the other.
    """
    if not HAS_PROC:
        return [Row("cache_memory", "10 cache memory at its bound", "n/a (no /proc)", "", "", "", "n/a")]
    plan = bench.plan
    sizes: dict[str, dict[str, int]] = {}
    sandbox = Sandbox()
    uuids = [f"{WEBINAR_UUID[:-2]}{i:02d}" for i in range(plan.cache_webinars)]
    for uuid in uuids:
        add_webinar(sandbox, plan, uuid)
    with loopback(sandbox) as live:
        # "serve" (the default command) tells the old server's pid from the new one's.
        sides = {"old": ours_stdio(live, "serve", **OLD), "new": ours_stdio(live, **NEW)}
        async with together(*(connect(params, bench.errlog) for params in sides.values())) as clients:
            for (kind, params), ours in zip(sides.items(), clients, strict=True):
                pid = server_pid(params)
                await attendance_ok(ours, {"confUUID": LARGE_UUID, "limit": 50})
                warm = rss_bytes(pid)
                for uuid in uuids:
                    await attendance_ok(ours, {"confUUID": uuid, "limit": 50})
                sizes[kind] = {"warm_bytes": warm, "filled_bytes": rss_bytes(pid)}
    grown = {kind: one["filled_bytes"] - one["warm_bytes"] for kind, one in sizes.items()}
    held = grown["new"] - grown["old"]
    bound_bytes = MAX_CACHED_BYTES
    return [
        Row(
            "cache_memory",
            f"10 cache memory at its bound ({MAX_CACHED_BYTES / MB:.0f} MB)",
            f"{sizes['new']['filled_bytes'] / MB:.1f} MB (+{grown['new'] / MB:.1f} MB after {len(uuids)} webinars)",
            f"no cache: {sizes['old']['filled_bytes'] / MB:.1f} MB (+{grown['old'] / MB:.1f} MB)",
            f"cache holds ~{held / MB:.1f} MB",
            f"<= {bound_bytes / MB:.0f} MB (the bound)",
            verdict(held <= bound_bytes),
            {"sizes": sizes, "held_bytes": held, "bound_bytes": bound_bytes},
        )
    ]
