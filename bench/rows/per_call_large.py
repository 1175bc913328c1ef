"""Row 2b: a 20-participant page of the large (recorded) meeting, cache off, against the bare echo plus two GETs."""

from __future__ import annotations

from typing import Any

import httpx

from bench.harness import (
    HAS_PROC,
    NO_CACHE,
    TOOL,
    Context,
    Row,
    bare_stdio,
    call_ok,
    connect,
    cpu_seconds,
    echo_ok,
    gather,
    ms,
    ours_stdio,
    raw_request,
    server_pid,
    spread,
    timed,
    together,
    validation_time,
)
from bench.rows.per_call import per_call_rows
from huawei_meeting_mcp.client import RECORDING_PATH
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID

STEP = "per-call-large"
LARGE_PAGE_ARGS = {"confUUID": LARGE_UUID, "limit": 20}


async def measure(bench: Context) -> list[Row]:
    """The page against the bare echo plus the raw GETs and parse; then the server CPU, and the cache on.

    The meeting is recorded, so the answer reads the page and the recording, at the same time once the server
    knows the meeting has a recording (the warm-up calls tell it, as a meeting list would): the baseline makes the
    same two GETs at the same time.

    Interleaved like row 2. A last line gives the same call with the cache on (the page was read before), which
    skips the upstream request altogether.
    """
    plan = bench.plan
    samples: dict[str, list[float]] = {"ours": [], "cached": [], "bare": [], "raw": [], "baseline": []}
    uncached = ours_stdio(bench.live, "serve", **NO_CACHE)  # "serve" tells its pid from the cached server's
    async with (
        together(
            connect(uncached, bench.errlog),
            connect(ours_stdio(bench.live, HUAWEI_MEETING_CACHE_TTL="300"), bench.errlog),
            connect(bare_stdio(), bench.errlog),
        ) as (ours, cached, bare),
        httpx.AsyncClient(base_url=bench.live.url) as http,
    ):
        get = raw_request(http, LARGE_PAGE_ARGS)
        token = {"X-Access-Token": DEFAULT_TOKEN}

        async def get_and_parse() -> Any:
            # What the answer reads: the page and, the meeting being known to be recorded, its recording, both at
            # the same time (as the server reads them once a list or detail answer has said so).
            async def recording() -> Any:
                return (await http.get(RECORDING_PATH, params={"confUUID": LARGE_UUID}, headers=token)).json()

            async def page() -> Any:
                return (await get()).json()

            return await gather(page, recording)

        for _ in range(plan.warmup):
            await call_ok(ours, LARGE_PAGE_ARGS)
            await call_ok(cached, LARGE_PAGE_ARGS)
            await echo_ok(bare)
            await get_and_parse()
        pids = {"ours": server_pid(uncached), "bare": server_pid(bare_stdio())} if HAS_PROC else {}
        cpu_before = {kind: cpu_seconds(pid) for kind, pid in pids.items()}
        for _ in range(plan.calls):
            ours_s, _ = await timed(lambda: call_ok(ours, LARGE_PAGE_ARGS))
            cached_s, _ = await timed(lambda: call_ok(cached, LARGE_PAGE_ARGS))
            bare_s, _ = await timed(lambda: echo_ok(bare))
            raw_s, _ = await timed(get_and_parse)
            samples["ours"].append(ours_s)
            samples["cached"].append(cached_s)
            samples["bare"].append(bare_s)
            samples["raw"].append(raw_s)
            samples["baseline"].append(bare_s + raw_s)
        cpu = {kind: (cpu_seconds(pid) - cpu_before[kind]) / plan.calls for kind, pid in pids.items()}
        check = await validation_time(ours, TOOL, await call_ok(ours, LARGE_PAGE_ARGS), plan.warmup)
    stats = {kind: spread(values) for kind, values in samples.items()}
    rows = per_call_rows(
        stats, "per_call_large", "2b per call ({point}), large meeting, 20 people, no cache", "2 concurrent GETs+parse"
    )
    cpu_shown = f"server CPU {ms(cpu['ours'])}, " if cpu else ""
    rows.append(
        Row(
            "per_call_large_parts",
            "2b of which: server CPU, client schema check",
            f"{cpu_shown}check {ms(check)}",
            f"bare server CPU {ms(cpu['bare'])}" if cpu else "",
            "",
            "(no target)",
            "info",
            {"server_cpu_s": cpu, "client_schema_check_s": check},
        )
    )
    cached_ratio = stats["cached"]["median"] / stats["baseline"]["median"]
    rows.append(
        Row(
            "per_call_large_cached",
            "2b the same, cache on (page read before)",
            ms(stats["cached"]["median"]),
            ms(stats["baseline"]["median"]),
            f"{cached_ratio:.2f}x",
            "(no target)",
            "info",
            {"cached_s": stats["cached"], "ratio": cached_ratio},
        )
    )
    return rows
