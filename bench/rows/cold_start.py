"""Row 1: process spawn to the tools/list answer, ours and bare, then the first tool call."""

from __future__ import annotations

import statistics
import time
from functools import partial
from typing import Any

from bench.harness import (
    HAS_PROC,
    Context,
    Row,
    bare_stdio,
    connect,
    cpu_seconds,
    ms,
    one_call,
    ours_stdio,
    secs,
    server_pid,
    spread,
    timed,
    verdict,
    with_spread,
)

STEP = "cold-start"


async def measure(bench: Context) -> list[Row]:
    """Spawn to tools/list, ours and bare in pairs; wall and server CPU time.

    Each pair runs back to back, in alternating order, so that both see the same machine; the
    median of the per-pair ratios is reported beside the ratio of the medians. The first tool call
    after start is timed too: work deferred from start-up (the HTTP connection pool) lands there.
    """
    wall: dict[str, list[float]] = {"ours": [], "bare": []}
    cpu: dict[str, list[float]] = {"ours": [], "bare": []}
    first_call: dict[str, list[float]] = {"ours": [], "bare": []}
    for i in range(bench.plan.cold_starts):
        pair = [("ours", ours_stdio(bench.live)), ("bare", bare_stdio())]
        for kind, params in pair if i % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            async with connect(params, bench.errlog) as client:
                await client.list_tools()
                wall[kind].append(time.perf_counter() - started)
                if HAS_PROC:
                    cpu[kind].append(cpu_seconds(server_pid(params)))
                seconds, _ = await timed(partial(one_call, kind, client))
                first_call[kind].append(seconds)
    ours, bare = spread(wall["ours"]), spread(wall["bare"])
    ratio = ours["median"] / bare["median"]
    paired = statistics.median(o / b for o, b in zip(wall["ours"], wall["bare"], strict=True))
    data: dict[str, Any] = {"ours_s": ours, "bare_s": bare, "ratio": ratio, "paired_ratio": paired, "samples_s": wall}
    shown = f"{ratio:.2f}x (paired {paired:.2f}x)"
    if HAS_PROC:
        cpu_ratio = statistics.median(cpu["ours"]) / statistics.median(cpu["bare"])
        data |= {"ours_cpu_s": spread(cpu["ours"]), "bare_cpu_s": spread(cpu["bare"]), "cpu_ratio": cpu_ratio}
        shown += f"; CPU {cpu_ratio:.2f}x"
    first = {kind: spread(values) for kind, values in first_call.items()}
    return [
        Row(
            "cold_start",
            "1 cold start: spawn -> tools/list",
            with_spread(ours, secs),
            with_spread(bare, secs),
            shown,
            "<= 1.15x bare",
            verdict(ratio <= 1.15),
            data,
        ),
        Row(
            "first_call",
            "1 then: first call (docs example)",
            with_spread(first["ours"], ms),
            f"echo {with_spread(first['bare'], ms)}",
            "",
            "(no target)",
            "info",
            {"ours_s": first["ours"], "bare_s": first["bare"]},
        ),
    ]
