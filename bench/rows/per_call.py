"""Row 2: one tool call over stdio against the bare echo call plus the raw GET, interleaved; then where it goes."""

from __future__ import annotations

import httpx

from bench.harness import (
    HAS_PROC,
    NO_CACHE,
    PER_CALL_ARGS,
    Context,
    Row,
    bare_stdio,
    call_ok,
    connect,
    cpu_seconds,
    echo_ok,
    ms,
    ours_stdio,
    raw_request,
    server_pid,
    spread,
    timed,
    together,
    validation_time,
    verdict,
)
from bench.rows.output import OUTPUT_CASES

STEP = "per-call"


def per_call_rows(stats: dict[str, dict[str, float]], key: str, label: str, raw: str) -> list[Row]:
    """The median and p90 lines of a per-call row: ours against the bare echo plus the raw requests (`raw`)."""
    rows = []
    for point in ("median", "p90"):
        ratio = stats["ours"][point] / stats["baseline"][point]
        rows.append(
            Row(
                f"{key}_{point}",
                label.format(point=point),
                ms(stats["ours"][point]),
                f"{ms(stats['baseline'][point])} (echo {ms(stats['bare'][point])}, {raw} {ms(stats['raw'][point])})",
                f"{ratio:.2f}x",
                "<= 1.3x baseline",
                verdict(ratio <= 1.3),
                {f"{kind}_s": values for kind, values in stats.items()} | {"ratio": ratio},
            )
        )
    return rows


async def measure(bench: Context) -> list[Row]:
    """The docs example meeting, cache off, against the bare echo plus the raw GET.

    Two breakdowns follow: the CPU each server process spends per call, and the time the SDK's
    client spends validating each result against the tool's output schema (pure-Python jsonschema).
    """
    plan = bench.plan
    samples: dict[str, list[float]] = {"ours": [], "bare": [], "raw": [], "baseline": []}
    ours_params, bare_params = ours_stdio(bench.live, **NO_CACHE), bare_stdio()
    cpu: dict[str, float] = {}
    checks: dict[str, float] = {}
    async with (
        together(connect(ours_params, bench.errlog), connect(bare_params, bench.errlog)) as (ours, bare),
        httpx.AsyncClient(base_url=bench.live.url) as http,
    ):
        get = raw_request(http, PER_CALL_ARGS)
        for _ in range(plan.warmup):
            await call_ok(ours, PER_CALL_ARGS)
            await echo_ok(bare)
            await get()
        pids = {"ours": server_pid(ours_params), "bare": server_pid(bare_params)} if HAS_PROC else {}
        cpu_before = {kind: cpu_seconds(pid) for kind, pid in pids.items()}
        for _ in range(plan.calls):
            ours_s, _ = await timed(lambda: call_ok(ours, PER_CALL_ARGS))
            bare_s, _ = await timed(lambda: echo_ok(bare))
            raw_s, _ = await timed(get)
            samples["ours"].append(ours_s)
            samples["bare"].append(bare_s)
            samples["raw"].append(raw_s)
            samples["baseline"].append(bare_s + raw_s)
        cpu = {kind: (cpu_seconds(pid) - cpu_before[kind]) / plan.calls for kind, pid in pids.items()}
        checks["echo"] = await validation_time(bare, "echo", await echo_ok(bare), plan.warmup)
        for key, _, tool, arguments, _ in OUTPUT_CASES[:3]:
            checks[key] = await validation_time(ours, tool, await call_ok(ours, arguments, tool), plan.warmup)
    stats = {kind: spread(values) for kind, values in samples.items()}
    rows = per_call_rows(stats, "per_call", "2 per call ({point}), docs example", "GET")
    if cpu:
        rows.append(
            Row(
                "per_call_server_cpu",
                "2 of which: server CPU per call",
                ms(cpu["ours"]),
                f"bare {ms(cpu['bare'])}",
                f"{cpu['ours'] / cpu['bare']:.2f}x" if cpu["bare"] else "n/a (too few samples)",
                "(no target)",
                "info",
                {"ours_s": cpu["ours"], "bare_s": cpu["bare"]},
            )
        )
    rows.append(
        Row(
            "per_call_client_schema_check",
            "2 of which: client schema check (SDK)",
            ", ".join(f"{key} {ms(seconds)}" for key, seconds in checks.items()),
            f"echo {ms(checks['echo'])}",
            "",
            "(no target)",
            "info",
            {f"{key}_s": seconds for key, seconds in checks.items()},
        )
    )
    return rows
