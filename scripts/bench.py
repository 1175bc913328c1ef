"""Benchmark huawei-meeting-mcp side by side with a bare MCPServer, against the loopback sandbox.

    make bench                                        # the full run: about 3 minutes on 2 cores
    .venv/bin/python scripts/bench.py --only per-call  # one row (repeat --only for more)
    .venv/bin/python scripts/bench.py --quick          # a smoke run (under a minute), not a measurement

Prints one table and writes the same as JSON. Every speed figure is compared with a baseline
measured in the same run: a bare `MCPServer` (scripts/bare_server.py) in the same environment,
plus a raw httpx GET of the same sandbox URL for the per-call rows (2 over stdio, 6a over HTTP).
Row 6b compares HTTP throughput with the bare server's `relay` tool, which makes the same GET and
returns the body untouched (the least a server answering from an HTTP API does), and shows the
bare `echo` rate beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from huawei_meeting_mcp.client import ATTENDANCE_PATH, CONF_DETAIL_PATH, RECORDING_PATH
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID, Sandbox, serving
from huawei_meeting_mcp.sandbox.app import RecordedRequest
from huawei_meeting_mcp.wire import DetailQuery

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, for the tests' helpers
from tests.faulty_upstream import free_port
from tests.helpers import console_script, text_of

from huawei_meeting_mcp.app import TOOL_NAMES

TOOL = TOOL_NAMES.detail
BARE_SERVER = Path(__file__).with_name("bare_server.py")
MB = 1024 * 1024
HAS_PROC = Path("/proc/self/status").exists()


@dataclass(frozen=True)
class Plan:
    """How many repetitions each row makes."""

    cold_starts: int = 20
    calls: int = 300
    warmup: int = 20
    sequential: int = 200
    concurrent: int = 50
    memory_calls: int = 2000
    http_clients: int = 8
    http_calls: int = 400
    http_rounds: int = 3


FULL = Plan()
QUICK = Plan(
    cold_starts=1,
    calls=10,
    warmup=2,
    sequential=20,
    concurrent=10,
    memory_calls=50,
    http_calls=40,
    http_rounds=1,
)


@dataclass
class Row:
    """One line of the table, and the numbers behind it for the JSON."""

    key: str
    label: str
    ours: str
    baseline: str
    ratio: str
    target: str
    verdict: str
    """'pass', 'miss', or 'n/a' when the row could not be measured in this build."""
    data: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- numbers


def spread(samples: list[float]) -> dict[str, float]:
    """Median, p10, p90, min and max of `samples`."""
    ordered = sorted(samples)
    deciles = statistics.quantiles(ordered, n=10, method="inclusive") if len(ordered) > 1 else ordered * 9
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p10": deciles[0],
        "p90": deciles[8],
        "min": ordered[0],
        "max": ordered[-1],
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def with_spread(stats: dict[str, float], unit: Callable[[float], str]) -> str:
    return f"{unit(stats['median'])} (p10 {unit(stats['p10'])}, p90 {unit(stats['p90'])})"


def approx_tokens(text: str) -> int:
    """About four ASCII characters per token, and one token per other character (CJK names)."""
    ascii_chars = sum(1 for ch in text if ch < "\x80")
    return round(ascii_chars / 4) + (len(text) - ascii_chars)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


# ---------------------------------------------------------------- the machine


def describe_machine() -> dict[str, Any]:
    """CPU model, cores, Python, OS and package versions."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "packages": {name: version(name) for name in ("huawei-meeting-mcp", "mcp", "httpx", "pydantic", "uvicorn")},
    }


# ---------------------------------------------------------------- servers


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}


def credentials(sandbox: Sandbox) -> dict[str, str]:
    """Sign in with the sandbox's App ID when this build has App ID sign-in, else its static token."""
    auth = getattr(sandbox, "auth", None)
    if auth is not None and hasattr(auth, "app_id"):
        return {"HUAWEI_MEETING_APP_ID": auth.app_id, "HUAWEI_MEETING_APP_KEY": auth.app_key}
    return {"HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN}


def sign_ins(sandbox: Sandbox) -> int | None:
    """Tokens the sandbox issued, or None when this build has no sign-in (a static token)."""
    count = getattr(getattr(sandbox, "auth", None), "sign_ins", None)
    return count if isinstance(count, int) else None


def ours_env(sandbox: Sandbox, url: str) -> dict[str, str]:
    return {**base_env(), "HUAWEI_MEETING_BASE_URL": url, **credentials(sandbox)}


def ours_stdio(sandbox: Sandbox, url: str, **extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=console_script(), env={**ours_env(sandbox, url), **extra})


NO_CACHE = {"HUAWEI_MEETING_CACHE_TTL": "0"}
"""For rows that repeat one call and must reach the upstream every time (per-call cost, connection reuse)."""


def bare_stdio() -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=[str(BARE_SERVER)], env=base_env())


@asynccontextmanager
async def connect(params: StdioServerParameters, errlog: TextIO) -> AsyncIterator[Client]:
    """An MCP client session with a server started over stdio; its stderr goes to `errlog`."""
    async with Client(stdio_client(params, errlog=errlog)) as client:
        yield client


def server_pid(params: StdioServerParameters) -> int:
    """The pid of the running child process started from `params` (Linux: read from /proc)."""
    wanted = params.args[-1] if params.args else params.command
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and wanted.encode() in cmdline:
            return int(entry.name)
    raise LookupError(f"no child process runs {wanted}")


def rss_bytes(pid: int) -> int:
    """Resident set size of process `pid` (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time process `pid` has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- calls


async def gather(*calls: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run `calls` at the same time; their results in the order given."""
    results: list[Any] = [None] * len(calls)

    async def run(index: int) -> None:
        results[index] = await calls[index]()

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(run, index)
    return results


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


async def call_ok(client: Client, arguments: dict[str, Any], tool: str = TOOL) -> CallToolResult:
    result = await client.call_tool(tool, arguments)
    if result.is_error:
        raise RuntimeError(f"{tool}({arguments}) failed: {result.content}")
    return result


async def replayed(http: httpx.AsyncClient, request: RecordedRequest) -> Any:
    """The raw JSON answer of one upstream request the server made, fetched again directly (errors included)."""
    headers = {k: v for k, v in request.headers.items() if k.startswith("x-") or k == "accept-language"}
    response = await http.get(request.path, params=request.query, headers={**headers, "X-Access-Token": DEFAULT_TOKEN})
    return response.json()


async def echo_ok(client: Client) -> CallToolResult:
    result = await client.call_tool("echo", {"text": "ping"})
    if result.is_error:
        raise RuntimeError(f"echo failed: {result.content}")
    return result


PER_CALL_ARGS = {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20}


async def one_call(kind: str, client: Client) -> CallToolResult:
    """The call each side is timed with: ours gets the docs example meeting, the bare server an echo."""
    return await (call_ok(client, PER_CALL_ARGS) if kind == "ours" else echo_ok(client))


def relay_arguments(sandbox_url: str) -> dict[str, Any]:
    """Arguments for the bare server's `relay` tool: the GET our server makes for PER_CALL_ARGS."""
    query = DetailQuery(conf_uuid=PER_CALL_ARGS["confUUID"], limit=PER_CALL_ARGS["limit"])
    return {
        "url": sandbox_url.rstrip("/") + CONF_DETAIL_PATH,
        "params": {k: str(v) for k, v in query.params().items()},
        "headers": {**query.headers(), "X-Access-Token": DEFAULT_TOKEN},
    }


def raw_request(http: httpx.AsyncClient, arguments: dict[str, Any]) -> Callable[[], Awaitable[httpx.Response]]:
    """The GET our server makes for `arguments`, made directly."""
    query = DetailQuery(conf_uuid=arguments["confUUID"], offset=arguments.get("offset", 0), limit=arguments["limit"])

    async def get() -> httpx.Response:
        response = await http.get(
            CONF_DETAIL_PATH,
            params=query.params(),
            headers={**query.headers(), "X-Access-Token": DEFAULT_TOKEN},
        )
        response.raise_for_status()
        return response

    return get


# ---------------------------------------------------------------- rows


async def cold_start(plan: Plan, sandbox: Sandbox, url: str, errlog: TextIO) -> list[Row]:
    """Row 1: process spawn to the tools/list answer, ours and bare in pairs; wall and server CPU time.

    Each pair runs back to back, in alternating order, so that both see the same machine; the
    median of the per-pair ratios is reported beside the ratio of the medians. The first tool call
    after start is timed too: work deferred from start-up (the HTTP connection pool) lands there.
    """
    wall: dict[str, list[float]] = {"ours": [], "bare": []}
    cpu: dict[str, list[float]] = {"ours": [], "bare": []}
    first_call: dict[str, list[float]] = {"ours": [], "bare": []}
    for i in range(plan.cold_starts):
        pair = [("ours", ours_stdio(sandbox, url)), ("bare", bare_stdio())]
        for kind, params in pair if i % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            async with connect(params, errlog) as client:
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


OUTPUT_CASES = (
    ("docs", "docs example meeting", TOOL, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20}, None),
    ("large_20", "large meeting, 20 participants", TOOL, {"confUUID": LARGE_UUID, "limit": 20}, 0.35),
    ("large_500", "large meeting, 500 participants", TOOL, {"confUUID": LARGE_UUID, "limit": 500}, None),
    ("attendance_50", "attendance, 50 people", TOOL_NAMES.attendance, {"confUUID": LARGE_UUID, "limit": 50}, 0.1),
    (
        "absent",
        "who missed it (show=absent)",
        TOOL_NAMES.attendance,
        {"confUUID": LARGE_UUID, "show": "absent"},
        0.1,
    ),
    ("events", "events, 16 control records", TOOL_NAMES.events, {"confUUID": LARGE_UUID}, None),
)
"""Key, label, tool, arguments, and the largest share of the raw JSON the text may have (None: no target).

The raw JSON is every upstream answer the server read for that one call (pages of records and of the
participant list, the recording, the meeting), fetched again directly."""


async def validation_time(client: Client, name: str, result: CallToolResult, repeats: int) -> float:
    """Median time the SDK's client takes to check `result` against the tool's output schema."""
    samples = []
    for _ in range(repeats):
        seconds, _ = await timed(lambda: client.session.validate_tool_result(name, result))
        samples.append(seconds)
    return statistics.median(samples)


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


async def per_call(plan: Plan, sandbox: Sandbox, url: str, errlog: TextIO) -> list[Row]:
    """Row 2: one tool call over stdio, against the bare echo call plus the raw GET, interleaved.

    Two breakdowns follow: the CPU each server process spends per call, and the time the SDK's
    client spends validating each result against the tool's output schema (pure-Python jsonschema).
    """
    samples: dict[str, list[float]] = {"ours": [], "bare": [], "raw": [], "baseline": []}
    ours_params, bare_params = ours_stdio(sandbox, url, **NO_CACHE), bare_stdio()
    cpu: dict[str, float] = {}
    checks: dict[str, float] = {}
    async with (
        connect(ours_params, errlog) as ours,
        connect(bare_params, errlog) as bare,
        httpx.AsyncClient(base_url=url) as http,
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
            checks[key] = await validation_time(ours, tool, await call_ok(ours, arguments), plan.warmup)
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


TEXT_BUDGET = 24_000


async def output_economy(sandbox: Sandbox, url: str, errlog: TextIO) -> list[Row]:
    """Row 3: characters and approximate tokens of the text and structured content against the raw JSON."""
    rows = []
    async with connect(ours_stdio(sandbox, url, **NO_CACHE), errlog) as ours, httpx.AsyncClient(base_url=url) as http:
        for key, name, tool, arguments, max_share in OUTPUT_CASES:
            before = len(sandbox.requests)
            result = await call_ok(ours, arguments, tool)
            raw = compact([await replayed(http, request) for request in sandbox.requests[before:]])
            raw_shown = f"raw JSON {len(raw):,} ch ~{approx_tokens(raw):,} tok"
            text = text_of(result)
            text_share = len(text) / len(raw)
            page = (result.structured_content or {}).get("page", {})
            ok = len(text) < TEXT_BUDGET and (max_share is None or text_share <= max_share)
            rows.append(
                Row(
                    f"output_{key}_text",
                    f"3 text: {name}",
                    f"{len(text):,} ch ~{approx_tokens(text):,} tok"
                    + (f", trimmed to {page.get('returned')} items" if page.get("trimmedToFit") else ""),
                    raw_shown,
                    f"{text_share:.0%}",
                    f"< {TEXT_BUDGET:,} ch" + (f", <= {max_share:.0%} of raw" if max_share else ""),
                    verdict(ok),
                    {
                        "chars": len(text),
                        "tokens": approx_tokens(text),
                        "raw_chars": len(raw),
                        "raw_tokens": approx_tokens(raw),
                        "share": text_share,
                        "participants_shown": page.get("returned"),
                    },
                )
            )
            structured = compact(result.structured_content)
            rows.append(
                Row(
                    f"output_{key}_structured",
                    f"3 structured: {name}",
                    f"{len(structured):,} ch ~{approx_tokens(structured):,} tok",
                    raw_shown,
                    f"{len(structured) / len(raw):.0%}",
                    "(no target)",
                    "info",
                    {
                        "chars": len(structured),
                        "tokens": approx_tokens(structured),
                        "raw_chars": len(raw),
                        "raw_tokens": approx_tokens(raw),
                        "share": len(structured) / len(raw),
                    },
                )
            )
    return rows


async def upstream_use(plan: Plan, errlog: TextIO) -> list[Row]:
    """Row 4: TCP connections and sign-ins for sequential and concurrent calls, each on a fresh sandbox.

    The meeting is recorded: once the first call has said so, each call reads its detail page and the
    recording at the same time, over two kept-alive connections.
    """
    rows = []
    pool = 10  # create_http_client's max_connections
    for key, calls, concurrent in (("sequential", plan.sequential, False), ("concurrent", plan.concurrent, True)):
        sandbox = Sandbox()
        with serving(sandbox) as url:
            async with connect(ours_stdio(sandbox, url, **NO_CACHE), errlog) as ours:
                arguments = [{"confUUID": LARGE_UUID, "offset": i % 60 * 10, "limit": 10} for i in range(calls)]
                if concurrent:
                    async with anyio.create_task_group() as group:
                        for one in arguments:
                            group.start_soon(call_ok, ours, one)
                else:
                    for one in arguments:
                        await call_ok(ours, one)
        connections = len(sandbox.connections)
        requests = sandbox.hits[CONF_DETAIL_PATH]
        recordings = sandbox.hits[RECORDING_PATH]
        signed_in = sign_ins(sandbox)
        most = pool if concurrent else 2  # one call's two reads at once
        ok = requests == calls and 1 <= connections <= most and signed_in in (None, 1)
        rows.append(
            Row(
                f"upstream_{key}",
                f"4 upstream: {calls} {key} calls",
                f"{connections} TCP conn, "
                + ("sign-ins n/a (static token)" if signed_in is None else f"{signed_in} sign-in(s)"),
                f"{requests} detail + {recordings} recording requests",
                "",
                f"{'<= ' if concurrent else ''}{most} conn, 1 sign-in",
                verdict(ok),
                {
                    "calls": calls,
                    "requests": requests,
                    "recording_requests": recordings,
                    "connections": connections,
                    "sign_ins": signed_in,
                },
            )
        )
    return rows


MEMORY_ARGS = [
    {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20},
    *({"confUUID": LARGE_UUID, "offset": offset, "limit": 50} for offset in range(0, 600, 50)),
]


async def memory(plan: Plan, sandbox: Sandbox, url: str, errlog: TextIO) -> Row:
    """Row 5: resident size of the server after start, after warm-up, and after many calls."""
    if not HAS_PROC:
        return Row("memory", "5 memory (RSS)", "n/a (no /proc)", "", "", "< 5 MB growth", "n/a")
    params = ours_stdio(sandbox, url)
    async with connect(params, errlog) as ours:
        pid = server_pid(params)
        started = rss_bytes(pid)
        for arguments in MEMORY_ARGS:
            await call_ok(ours, arguments)
        warm = rss_bytes(pid)
        for i in range(plan.memory_calls):
            await call_ok(ours, MEMORY_ARGS[i % len(MEMORY_ARGS)])
        after = rss_bytes(pid)
    growth = after - warm
    return Row(
        "memory",
        f"5 memory (RSS): start -> warm -> +{plan.memory_calls} calls",
        f"{started / MB:.1f} -> {warm / MB:.1f} -> {after / MB:.1f} MB",
        "",
        f"+{growth / MB:.2f} MB",
        "< 5 MB growth",
        verdict(growth < 5 * MB),
        {
            "start_bytes": started,
            "warm_bytes": warm,
            "after_bytes": after,
            "growth_bytes": growth,
            "calls": plan.memory_calls,
        },
    )


@asynccontextmanager
async def http_server(command: list[str], env: dict[str, str], port: int, errlog: TextIO) -> AsyncIterator[int | None]:
    """Start an MCP server over HTTP; yields its pid once it answers HTTP (any status at /health), None if it
    exits or stays silent for 30 s."""
    process = await anyio.open_process(command, env=env, stdin=None, stdout=errlog, stderr=errlog)
    try:
        up = False
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=2) as http:
            with anyio.move_on_after(30):
                while process.returncode is None and not up:
                    try:
                        await http.get("/health")
                        up = True
                    except httpx.TransportError:
                        await anyio.sleep(0.1)
        yield process.pid if up else None
    finally:
        if process.returncode is None:
            process.terminate()
        with anyio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()
        await process.aclose()


RAW_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": "2025-11-25",
}
"""Headers of a stateless tools/call POST made without the SDK client (the server needs no initialize)."""


async def calls_per_second(plan: Plan, url: str, tool: str, arguments: dict[str, Any]) -> tuple[float, int]:
    """Calls per second from `plan.http_clients` concurrent kept-alive HTTP clients, and the calls made.

    Plain POSTs of `tools/call` rather than the SDK client: the SDK client validates each result
    against the tool's output schema in pure Python, in this process, and would compete with the
    servers for the same cores (row 2 measures that validation on its own).
    """
    per_client = max(1, plan.http_calls // plan.http_clients)
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    ready = anyio.Event()
    connected = 0
    elapsed: list[float] = []

    async def call(http: httpx.AsyncClient) -> None:
        response = await http.post(url, json=body, headers=RAW_HEADERS)
        response.raise_for_status()
        if response.json()["result"].get("isError"):
            raise RuntimeError(f"{tool} failed: {response.text[:500]}")

    async def client_loop() -> None:
        nonlocal connected
        async with httpx.AsyncClient(timeout=30) as http:
            await call(http)
            connected += 1
            if connected == plan.http_clients:
                ready.set()
            await ready.wait()
            started = time.perf_counter()
            for _ in range(per_client):
                await call(http)
            elapsed.append(time.perf_counter() - started)

    async with anyio.create_task_group() as group:
        for _ in range(plan.http_clients):
            group.start_soon(client_loop)
    calls = per_client * plan.http_clients
    return calls / max(elapsed), calls + plan.http_clients


async def kept_alive_latency(plan: Plan, urls: dict[str, str], sandbox_url: str) -> dict[str, list[float]]:
    """Seconds per call from one kept-alive client per server, interleaved call by call with the raw GET our
    call makes upstream; `baseline` is the bare echo plus that GET, as in row 2."""
    samples: dict[str, list[float]] = {"ours": [], "bare": [], "raw": [], "baseline": []}
    async with (
        Client(urls["ours"]) as ours,
        Client(urls["bare"]) as bare,
        httpx.AsyncClient(base_url=sandbox_url) as http,
    ):
        get = raw_request(http, PER_CALL_ARGS)
        for _ in range(plan.warmup):
            await one_call("ours", ours)
            await one_call("bare", bare)
            await get()
        for _ in range(plan.http_calls):
            ours_s, _ = await timed(partial(one_call, "ours", ours))
            bare_s, _ = await timed(partial(one_call, "bare", bare))
            raw_s, _ = await timed(get)
            samples["ours"].append(ours_s)
            samples["bare"].append(bare_s)
            samples["raw"].append(raw_s)
            samples["baseline"].append(bare_s + raw_s)
    return samples


async def http_mode(plan: Plan, sandbox: Sandbox, url: str, errlog: TextIO) -> list[Row]:
    """Rows 6a and 6b over stateless streamable HTTP, ours and bare in the same run: a kept-alive client's
    median call latency, then calls per second with concurrent clients."""
    latency_label = "6a HTTP mode: call latency, 1 kept-alive client"
    label = f"6b HTTP mode: calls/s, {plan.http_clients} clients"
    ports = {"ours": free_port(), "bare": free_port()}
    commands = {
        "ours": [console_script(), "serve", "--transport", "http", "--host", "127.0.0.1", "--port", str(ports["ours"])],
        "bare": [sys.executable, str(BARE_SERVER), "--http", "127.0.0.1", str(ports["bare"])],
    }
    rates: dict[str, list[float]] = {"ours": [], "bare": [], "relay": []}
    cpu_per_call: dict[str, float] = {}
    async with (
        http_server(commands["ours"], {**ours_env(sandbox, url), **NO_CACHE}, ports["ours"], errlog) as ours_pid,
        http_server(commands["bare"], base_env(), ports["bare"], errlog) as bare_pid,
    ):
        if ours_pid is None:
            na = "n/a (no HTTP mode in this build)"
            return [
                Row("http-latency", latency_label, na, "", "", "(no target)", "n/a"),
                Row("http", label, na, "", "", "(no target)", "n/a"),
            ]
        if bare_pid is None:
            raise RuntimeError("the bare server did not start over HTTP")
        urls = {kind: f"http://127.0.0.1:{port}/mcp" for kind, port in ports.items()}
        latencies = await kept_alive_latency(plan, urls, url)
        sides: dict[str, tuple[int, str, str, dict[str, Any]]] = {
            "ours": (ours_pid, urls["ours"], TOOL, PER_CALL_ARGS),
            "bare": (bare_pid, urls["bare"], "echo", {"text": "ping"}),
            "relay": (bare_pid, urls["bare"], "relay", relay_arguments(url)),
        }
        for _ in range(plan.http_rounds):  # rounds interleave the sides, so a burst of load hits all of them
            for kind, (pid, side_url, tool, arguments) in sides.items():
                cpu_before = cpu_seconds(pid) if HAS_PROC else 0.0
                rate, count = await calls_per_second(plan, side_url, tool, arguments)
                rates[kind].append(rate)
                if HAS_PROC:
                    cpu_per_call[kind] = cpu_per_call.get(kind, 0.0) + (cpu_seconds(pid) - cpu_before) / count
        cpu_per_call = {kind: total / plan.http_rounds for kind, total in cpu_per_call.items()}
    lat = {kind: spread(values) for kind, values in latencies.items()}
    lat_ratio = lat["ours"]["median"] / lat["baseline"]["median"]
    echo_ratio = lat["ours"]["median"] / lat["bare"]["median"]
    latency_row = Row(
        "http-latency",
        latency_label,
        f"median {ms(lat['ours']['median'])} (p90 {ms(lat['ours']['p90'])})",
        f"{ms(lat['baseline']['median'])} (echo {ms(lat['bare']['median'])}, GET {ms(lat['raw']['median'])})",
        f"{lat_ratio:.2f}x (vs echo alone {echo_ratio:.2f}x)",
        "<= 1.5x bare+GET",
        verdict(lat_ratio <= 1.5),
        {"samples_s": lat, "ratio": lat_ratio, "ratio_vs_echo_alone": echo_ratio},
    )
    ours, bare, relay = spread(rates["ours"]), spread(rates["bare"]), spread(rates["relay"])
    ratio, echo_ratio = ours["median"] / relay["median"], ours["median"] / bare["median"]
    cpu_note = (
        f"; server CPU/call {ms(cpu_per_call['ours'])} vs relay {ms(cpu_per_call['relay'])}, "
        f"echo {ms(cpu_per_call['bare'])}"
        if cpu_per_call
        else ""
    )
    throughput_row = Row(
        "http",
        label,
        f"{ours['median']:.0f}/s (min {ours['min']:.0f}, max {ours['max']:.0f})",
        f"bare relay {relay['median']:.0f}/s (min {relay['min']:.0f}, max {relay['max']:.0f}); "
        f"echo {bare['median']:.0f}/s",
        f"{ratio:.2f}x (vs echo {echo_ratio:.2f}x){cpu_note}",
        ">= 0.8x bare relay",
        verdict(ratio >= 0.8),
        {
            "ours_per_s": ours,
            "bare_relay_per_s": relay,
            "bare_echo_per_s": bare,
            "ratio": ratio,
            "ratio_vs_echo": echo_ratio,
            "server_cpu_per_call_s": cpu_per_call,
        },
    )
    return [latency_row, throughput_row]


# ---------------------------------------------------------------- report


COLUMNS = (
    ("label", "row"),
    ("ours", "ours"),
    ("baseline", "baseline"),
    ("ratio", "ratio"),
    ("target", "target"),
    ("verdict", "result"),
)


def machine_line(machine: dict[str, Any]) -> str:
    """One line naming the machine the numbers came from."""
    load = machine["load_average"]
    return f"{machine['cpu']}, {machine['cores']} cores, {machine['python']}, {machine['os']}" + (
        f", load average {load[0]:.2f} at start" if load else ""
    )


def render(rows: list[Row], machine: dict[str, Any], command: str) -> str:
    """The table as plain text, with the machine and the command above it."""
    widths = {name: max(len(title), *(len(getattr(row, name)) for row in rows)) for name, title in COLUMNS}

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(widths[name]) for (name, _), cell in zip(COLUMNS, cells, strict=True)).rstrip()

    out = [
        f"Machine: {machine_line(machine)}",
        f"Command: {command}",
        "",
        line([title for _, title in COLUMNS]),
        line(["-" * widths[name] for name, _ in COLUMNS]),
    ]
    out.extend(line([getattr(row, name) for name, _ in COLUMNS]) for row in rows)
    return "\n".join(out)


def render_markdown(rows: list[Row], machine: dict[str, Any], command: str) -> str:
    """The same table in Markdown, for the docs."""
    out = [
        f"Machine: {machine_line(machine)}. Command: `{command}`.",
        "",
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    out.extend("| " + " | ".join(getattr(row, name) for name, _ in COLUMNS) + " |" for row in rows)
    return "\n".join(out)


# ---------------------------------------------------------------- a hostile upstream (issue 11)

HOSTILE_RECORDS_PER_PAGE = 30_000
"""Rows in every attendance page the hostile upstream sends, whatever limit was asked for."""


def hostile_bodies() -> dict[str, bytes]:
    """Answers of an upstream that ignores limits: huge pages, a count of 10^9, 665 invitees for limit=500."""
    records = [
        {"displayName": f"A{i}", "joinTime": 1795482000000 + i, "leftTime": 1795483800000}
        for i in range(HOSTILE_RECORDS_PER_PAGE)
    ]
    meeting = {"confUUID": DOCS_EXAMPLE_UUID, "subject": "Hostile", "startTime": "2026-11-24 01:00"}
    people = [{"name": f"P{i}", "accountId": f"p{i}"} for i in range(665)]
    bodies = {
        "/v1/mmc/management/conferences/history/confAttendeeRecord": {"count": 10**9, "data": records},
        CONF_DETAIL_PATH: {"conferenceData": meeting, "data": {"offset": 0, "count": 10**9, "data": people}},
        "/v1/mmc/management/conferences/history": {"count": 10**9, "data": [meeting] * 5000},
    }
    return {path: json.dumps(body).encode() for path, body in bodies.items()}


@asynccontextmanager
async def hostile_upstream() -> AsyncIterator[str]:
    """Serve `hostile_bodies` on a loopback port; yields the base URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies = hostile_bodies()

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path.split("?", 1)[0], b"{}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def peak_rss_bytes(pid: int) -> int:
    """Peak resident set size of process `pid` so far (VmHWM in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmHWM for {pid}")


async def hostile_memory(plan: Plan, errlog: TextIO) -> Row:
    """Peak resident size of the server answering each tool from an upstream that ignores every limit."""
    target = "< 150 MB peak"
    if not HAS_PROC:
        return Row("hostile-memory", "hostile upstream: peak RSS", "n/a (no /proc)", "", "", target, "n/a")
    async with hostile_upstream() as url:
        env = {**base_env(), "HUAWEI_MEETING_BASE_URL": url, "HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN}
        params = StdioServerParameters(command=console_script(), env=env)
        async with connect(params, errlog) as ours:
            pid = server_pid(params)
            calls = [
                ("get_historical_meeting_attendance", {"confUUID": DOCS_EXAMPLE_UUID, "limit": 500}),
                ("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID, "limit": 500}),
                ("list_historical_meetings", {"limit": 500}),
            ]
            records = 0
            for tool, arguments in calls:
                result = await ours.call_tool(tool, arguments)
                if result.is_error:
                    raise RuntimeError(f"{tool} failed against the hostile upstream: {text_of(result)}")
                if tool == "get_historical_meeting_attendance":
                    records = (result.structured_content or {}).get("recordsRead", 0)
            peak = peak_rss_bytes(pid)
    return Row(
        "hostile-memory",
        f"hostile upstream ({HOSTILE_RECORDS_PER_PAGE:,} records a page, count 10^9): peak RSS",
        f"{peak / MB:.1f} MB ({records:,} records read)",
        "",
        "",
        target,
        verdict(peak < 150 * MB and records <= 10_000),
        {"peak_bytes": peak, "records_read": records},
    )


SANITISER_SAMPLES = (
    "Daniel Kim",
    "\u674e\u5a1c (Li Na)",
    "Q3 supply-chain review / \u7b2c\u4e09\u5b63\u5ea6\u4f9b\u5e94\u94fe\u8bc4\u5ba1",
    "+8613800138000",
    "user8002@corp.example",
    "\u0414\u043c\u0438\u0442\u0440\u0438\u0439 \u0421\u043e\u043a\u043e\u043b\u043e\u0432",
    "pay\u200bpal\u202e review",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
)


def sanitiser_speed(plan: Plan) -> Row:
    """Time per string of the three untrusted-text steps, over the strings of a 10,000-record answer."""
    from huawei_meeting_mcp.text import clean_text, mask_contacts, quoted

    strings = [f"{SANITISER_SAMPLES[i % len(SANITISER_SAMPLES)]} {i}" for i in range(70_000)]
    timings: dict[str, float] = {}
    for name, step in (
        ("clean_text", lambda value: clean_text(value, 128)),
        ("quoted", quoted),
        ("mask_contacts", mask_contacts),
    ):
        samples = []
        for _ in range(max(1, plan.cold_starts // 4)):
            started = time.perf_counter()
            for value in strings:
                step(value)
            samples.append((time.perf_counter() - started) / len(strings))
        timings[name] = statistics.median(samples)
    total = sum(timings.values())
    return Row(
        "sanitiser",
        "untrusted text: clean_text + quoted + mask_contacts, per string",
        " + ".join(f"{seconds * 1e6:.1f}" for seconds in timings.values()) + " us",
        "",
        f"{total * 70_000 * 1000:.0f} ms / 70,000 strings",
        "< 0.5 s / 70,000 strings",
        verdict(total * 70_000 < 0.5),
        {f"{name}_seconds": seconds for name, seconds in timings.items()},
    )


# ---------------------------------------------------------------- round trips: concurrent reads, the read cache

LATENCY_S = 0.100
"""Added to every upstream request in the rows below: a Huawei round trip from abroad."""
WEBINAR_UUID = "b3c4d5e6f7a811efb7e3fa163e5a9c13"
WEBINAR_PEOPLE = 2_000
WEBINAR_RECORDS = 10_000
PAGING_LIMIT = 200
"""People per attendance call when paging through the webinar (10 calls for 2,000 people)."""
OLD = {"HUAWEI_MEETING_CONCURRENCY": "1", "HUAWEI_MEETING_CACHE_TTL": "0"}
"""Settings that give the behaviour before issue 13: pages one after another, nothing kept."""
NEW: dict[str, str] = {}
"""The defaults: 8 pages in flight, a 300-second cache."""


@dataclass
class Exchange:
    """One upstream request as the sandbox saw it: when it arrived, and when its answer started."""

    path: str
    arrived: float
    answered: float = 0.0


def with_latency(app: Any, seconds: float, log: list[Exchange] | None = None) -> Any:
    """The ASGI app `app`, answering every HTTP request `seconds` later; each exchange is added to `log`."""

    async def delayed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        exchange = Exchange(scope["path"], time.perf_counter())
        if log is not None:
            log.append(exchange)
        await anyio.sleep(seconds)

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                exchange.answered = time.perf_counter()
            await send(message)

        await app(scope, receive, timed_send)

    return delayed


def round_trips(exchanges: list[Exchange]) -> int:
    """The longest chain of requests each sent after the one before it was answered: the round trips in a row.

    A request that arrived after another was answered may have waited for it (for its page's total, or
    for its slot); one that arrived before could not have. The chain's length is what latency multiplies.
    """
    depth: list[int] = []
    ordered = sorted(exchanges, key=lambda e: e.arrived)
    for index, exchange in enumerate(ordered):
        before = [depth[i] for i in range(index) if ordered[i].answered <= exchange.arrived]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)


def add_webinar(sandbox: Sandbox, uuid: str = WEBINAR_UUID) -> None:
    """A 10,000-record webinar built from the sandbox's data classes: 2,000 people, 5 sessions each."""
    from huawei_meeting_mcp.sandbox.data import SandboxMeeting

    base = sandbox.meetings[LARGE_UUID]
    start = 1_795_482_000_000  # 2026-11-24 01:00 UTC, the large meeting's start
    records = []
    for session in range(WEBINAR_RECORDS // WEBINAR_PEOPLE):
        for person in range(WEBINAR_PEOPLE):
            joined = start + session * 1_500_000 + person * 300
            records.append(
                {
                    "displayName": f"Attendee {person:04d}",
                    "callNumber": f"+99100{person:05d}",
                    "deviceType": "PC" if person % 3 else "Mobile",
                    "joinTime": joined,
                    "leftTime": joined + 1_200_000,
                    "mediaType": "Video",
                    "deptName": "Audience",
                }
            )
    records.sort(key=lambda record: (record["joinTime"], record["displayName"]))
    conference = {**base.conference, "confUUID": uuid, "subject": "Bench webinar (10,000 records)", "webinar": True}
    sandbox.meetings[uuid] = SandboxMeeting(conference=conference, participants=base.participants, attendance=records)


@contextmanager
def slow_sandbox(log: list[Exchange] | None = None) -> Iterator[tuple[Sandbox, str]]:
    """A fresh sandbox with the webinar, served on loopback, each request answered LATENCY_S late (and logged)."""
    sandbox = Sandbox()
    add_webinar(sandbox)
    sandbox.app = with_latency(sandbox.app, LATENCY_S, log)
    with serving(sandbox) as url:
        yield sandbox, url


def upstream_requests(sandbox: Sandbox) -> int:
    return sum(count for path, count in sandbox.hits.items() if not path.startswith("/v2/usg/acs"))


async def attendance_ok(client: Client, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(ATTENDANCE_TOOL, arguments)
    if result.is_error:
        raise RuntimeError(f"{ATTENDANCE_TOOL}({arguments}) failed: {text_of(result)}")
    return result


ATTENDANCE_TOOL = "get_historical_meeting_attendance"


async def first_attendance_page(plan: Plan, errlog: TextIO) -> list[Row]:
    """Row 7: the first attendance page of the 10,000-record webinar at 100 ms per request, old and new.

    Besides the wall time, the round trips in a row (`round_trips`): what the target counts, and what
    latency multiplies; the wall adds the CPU of both sides (the sandbox's too, which answers one request at
    a time in this process).
    """
    repeats = 1 if plan is QUICK else 3
    walls: dict[str, list[float]] = {"old": [], "new": [], "new_4": []}
    trips: dict[str, list[int]] = {"old": [], "new": [], "new_4": []}
    requests: dict[str, int] = {}
    for _ in range(repeats):
        for kind, extra in (("old", OLD), ("new", NEW), ("new_4", {"HUAWEI_MEETING_CONCURRENCY": "4"})):
            log: list[Exchange] = []
            with slow_sandbox(log) as (sandbox, url):
                async with connect(ours_stdio(sandbox, url, **extra), errlog) as ours:
                    await ours.list_tools()
                    await call_ok(ours, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 1})  # signs in, opens a connection
                    before = upstream_requests(sandbox)
                    log.clear()
                    seconds, _ = await timed(lambda: attendance_ok(ours, {"confUUID": WEBINAR_UUID, "limit": 50}))
                    walls[kind].append(seconds)
                    trips[kind].append(round_trips(log))
                    requests[kind] = upstream_requests(sandbox) - before
    old, new, new_4 = (statistics.median(walls[kind]) for kind in ("old", "new", "new_4"))
    data = {"new_s": walls["new"], "new_4_s": walls["new_4"], "old_s": walls["old"], "requests": requests}
    return [
        Row(
            f"latency_first_page{suffix}",
            f"7 first attendance page, 10,000 records, 100 ms/request, {label}",
            f"{secs(seconds)}, {max(trips[kind])} round trips in a row ({requests[kind]} requests)",
            f"before: {secs(old)}, {max(trips['old'])} round trips ({requests['old']} requests)",
            f"{old / seconds:.1f}x faster",
            "<= 4 round trips (~0.5 s)",
            verdict(max(trips[kind]) <= 4 and seconds <= 5.5 * LATENCY_S),
            data | {"latency_s": LATENCY_S, "round_trips": trips},
        )
        for kind, suffix, label, seconds in (
            ("new", "", "8 in flight (default)", new),
            ("new_4", "_4", "4 in flight", new_4),
        )
    ]


async def page_through(client: Client, arguments: dict[str, Any]) -> int:
    """Follow the attendance answer's nextOffset to the end; the number of calls."""
    calls, offset = 0, 0
    while offset is not None:
        result = await attendance_ok(client, {**arguments, "offset": offset})
        calls += 1
        offset = (result.structured_content or {}).get("page", {}).get("nextOffset")
    return calls


async def all_attendance_pages(plan: Plan, errlog: TextIO) -> Row:
    """Row 8: every attendee of the webinar, PAGING_LIMIT a call, at 100 ms per request: requests and wall."""
    results: dict[str, dict[str, Any]] = {}
    for kind, extra in (("old", OLD), ("new", NEW)):
        with slow_sandbox() as (sandbox, url):
            async with connect(ours_stdio(sandbox, url, **extra), errlog) as ours:
                await ours.list_tools()
                before = {path: sandbox.hits[path] for path in (ATTENDANCE_PATH, CONF_DETAIL_PATH)}
                seconds, calls = await timed(
                    lambda: page_through(ours, {"confUUID": WEBINAR_UUID, "limit": PAGING_LIMIT})
                )
                results[kind] = {
                    "seconds": seconds,
                    "calls": calls,
                    "record_pages": sandbox.hits[ATTENDANCE_PATH] - before[ATTENDANCE_PATH],
                    "detail_requests": sandbox.hits[CONF_DETAIL_PATH] - before[CONF_DETAIL_PATH],
                }
    new, old = results["new"], results["old"]
    pages = -(-WEBINAR_RECORDS // 500)

    def shown(one: dict[str, Any]) -> str:
        pages = f"{one['record_pages']} record pages + {one['detail_requests']} detail"
        return f"{secs(one['seconds'])}, {one['calls']} calls, {pages}"

    return Row(
        "latency_all_pages",
        f"8 all {WEBINAR_PEOPLE:,} attendees, {PAGING_LIMIT} a call, 100 ms/request",
        shown(new),
        f"before: {shown(old)}",
        f"{old['seconds'] / new['seconds']:.1f}x faster",
        f"each of the {pages} record pages once",
        verdict(new["record_pages"] == pages),
        results,
    )


async def detail_paging(plan: Plan, errlog: TextIO) -> Row:
    """Row 9: all 620 invitees of the large meeting 100 a call, twice over (forward, then again), at 100 ms."""
    results: dict[str, dict[str, Any]] = {}
    for kind, extra in (("old", OLD), ("new", NEW)):
        with slow_sandbox() as (sandbox, url):
            async with connect(ours_stdio(sandbox, url, **extra), errlog) as ours:
                await ours.list_tools()
                passes = []
                for _ in range(2):
                    before = sandbox.hits[CONF_DETAIL_PATH]
                    started = time.perf_counter()
                    for offset in range(0, 620, 100):
                        await call_ok(ours, {"confUUID": LARGE_UUID, "offset": offset, "limit": 100})
                    passes.append(
                        {"seconds": time.perf_counter() - started, "requests": sandbox.hits[CONF_DETAIL_PATH] - before}
                    )
                results[kind] = {"passes": passes}

    def shown(one: dict[str, Any]) -> str:
        first, second = one["passes"]
        again = f"again {secs(second['seconds'])}/{second['requests']} req"
        return f"{secs(first['seconds'])}/{first['requests']} req, {again}"

    return Row(
        "latency_detail_paging",
        "9 detail: 620 invitees 100 a call, then again",
        shown(results["new"]),
        f"before: {shown(results['old'])}",
        "",
        "second pass: 0 requests",
        verdict(results["new"]["passes"][1]["requests"] == 0),
        results,
    )


async def cache_memory(plan: Plan, errlog: TextIO) -> Row:
    """Row 10: the server's RSS with the cache filled past its bound (five 10,000-record webinars), and without."""
    from huawei_meeting_mcp.cache import MAX_CACHED_BYTES

    if not HAS_PROC:
        return Row("cache_memory", "10 cache memory at its bound", "n/a (no /proc)", "", "", "", "n/a")
    sizes: dict[str, dict[str, int]] = {}
    for kind, extra in (("old", OLD), ("new", NEW)):
        sandbox = Sandbox()
        uuids = [f"{WEBINAR_UUID[:-2]}{i:02d}" for i in range(5)]
        for uuid in uuids:
            add_webinar(sandbox, uuid)
        with serving(sandbox) as url:
            params = ours_stdio(sandbox, url, **extra)
            async with connect(params, errlog) as ours:
                pid = server_pid(params)
                await attendance_ok(ours, {"confUUID": LARGE_UUID, "limit": 50})
                warm = rss_bytes(pid)
                for uuid in uuids:
                    await attendance_ok(ours, {"confUUID": uuid, "limit": 50})
                sizes[kind] = {"warm_bytes": warm, "filled_bytes": rss_bytes(pid)}
    grown = {kind: one["filled_bytes"] - one["warm_bytes"] for kind, one in sizes.items()}
    held = grown["new"] - grown["old"]
    bound_bytes = MAX_CACHED_BYTES
    return Row(
        "cache_memory",
        f"10 cache memory at its bound ({MAX_CACHED_BYTES / MB:.0f} MB)",
        f"{sizes['new']['filled_bytes'] / MB:.1f} MB (+{grown['new'] / MB:.1f} MB after 5 webinars)",
        f"no cache: {sizes['old']['filled_bytes'] / MB:.1f} MB (+{grown['old'] / MB:.1f} MB)",
        f"cache holds ~{held / MB:.1f} MB",
        f"<= {bound_bytes / MB:.0f} MB (the bound)",
        verdict(held <= bound_bytes),
        {"sizes": sizes, "held_bytes": held, "bound_bytes": bound_bytes},
    )


LARGE_PAGE_ARGS = {"confUUID": LARGE_UUID, "limit": 20}


async def per_call_large(plan: Plan, sandbox: Sandbox, url: str, errlog: TextIO) -> list[Row]:
    """Row 2b: a 20-participant page of the large meeting, cache off, against the bare echo plus the raw GETs and parse.

    The meeting is recorded, so the answer reads the page and the recording, at the same time once the server
    knows the meeting has a recording (the warm-up calls tell it, as a meeting list would): the baseline makes the
    same two GETs at the same time.

    Interleaved like row 2. A last line gives the same call with the cache on (the page was read before), which
    skips the upstream request altogether.
    """
    samples: dict[str, list[float]] = {"ours": [], "cached": [], "bare": [], "raw": [], "baseline": []}
    uncached = StdioServerParameters(
        command=console_script(), args=["serve"], env={**ours_env(sandbox, url), **NO_CACHE}
    )  # "serve" tells its pid from the cached server's
    async with (
        connect(uncached, errlog) as ours,
        connect(ours_stdio(sandbox, url, HUAWEI_MEETING_CACHE_TTL="300"), errlog) as cached,
        connect(bare_stdio(), errlog) as bare,
        httpx.AsyncClient(base_url=url) as http,
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


# ---------------------------------------------------------------- the table: every row, in order

STEPS = (
    "cold-start",
    "per-call",
    "per-call-large",
    "output",
    "upstream",
    "memory",
    "http",
    "latency-first-page",
    "latency-all-pages",
    "latency-detail",
    "cache-memory",
    "hostile-memory",
    "sanitiser",
)


async def run(plan: Plan, steps: list[str], errlog: TextIO, progress: Callable[[str], None]) -> list[Row]:
    """Measure the rows of `steps`, in the table's order."""
    rows: list[Row] = []
    sandbox = Sandbox()
    with serving(sandbox) as url:

        async def sanitiser() -> Row:
            return sanitiser_speed(plan)

        measures: dict[str, Callable[[], Awaitable[Row | list[Row]]]] = {
            "cold-start": lambda: cold_start(plan, sandbox, url, errlog),
            "per-call": lambda: per_call(plan, sandbox, url, errlog),
            "per-call-large": lambda: per_call_large(plan, sandbox, url, errlog),
            "output": lambda: output_economy(sandbox, url, errlog),
            "upstream": lambda: upstream_use(plan, errlog),
            "memory": lambda: memory(plan, sandbox, url, errlog),
            "http": lambda: http_mode(plan, sandbox, url, errlog),
            "latency-first-page": lambda: first_attendance_page(plan, errlog),
            "latency-all-pages": lambda: all_attendance_pages(plan, errlog),
            "latency-detail": lambda: detail_paging(plan, errlog),
            "cache-memory": lambda: cache_memory(plan, errlog),
            "hostile-memory": lambda: hostile_memory(plan, errlog),
            "sanitiser": sanitiser,
        }
        for step in STEPS:
            if step in steps:
                started = time.perf_counter()
                measured = await measures[step]()
                rows.extend(measured if isinstance(measured, list) else [measured])
                progress(f"{step}: {time.perf_counter() - started:.0f} s")
    return rows


def progress(step: str) -> None:
    print(f"... {step}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="very few repetitions (a smoke test, not a measurement)")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the results")
    parser.add_argument("--only", choices=STEPS, action="append", help="measure only this row (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    command = " ".join(["scripts/bench.py", *sys.argv[1:]])
    machine = describe_machine()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        try:
            rows = anyio.run(run, plan, args.only or list(STEPS), errlog, progress)
        except Exception:
            errlog.seek(0)
            sys.stderr.write("The servers' stderr ended with:\n" + errlog.read()[-4000:] + "\n")
            raise
    print((render_markdown if args.markdown else render)(rows, machine, command))
    results = {
        "machine": machine,
        "command": command,
        "plan": asdict(plan),
        "seconds": time.perf_counter() - started,
        "rows": [asdict(row) for row in rows],
    }
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWrote {args.json} ({time.perf_counter() - started:.0f} s).")


if __name__ == "__main__":
    main()
