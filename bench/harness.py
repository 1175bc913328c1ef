"""What every row shares: the plans, a row of the table, timing and statistics, the servers and how to call them."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import anyio
import httpx
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from huawei_meeting_mcp.app import TOOL_NAMES, create_server
from huawei_meeting_mcp.client import CONF_DETAIL_PATH
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, Sandbox, serving
from huawei_meeting_mcp.sandbox.app import RecordedRequest
from huawei_meeting_mcp.settings import ENV_PREFIX, Settings, unknown_variables
from huawei_meeting_mcp.wire import DetailQuery

# The tests' helpers, imported here and nowhere else in the bench (when they move, repoint these lines).
from tests.faulty_upstream import free_port as free_port
from tests.support import LiveSandbox as LiveSandbox
from tests.support import console_script as console_script
from tests.support import text_of as text_of
from tests.support.launch import compile_package as compile_package

T = TypeVar("T")

TOOL = TOOL_NAMES.detail
BARE_SERVER = Path(__file__).with_name("bare_server.py")
MB = 1024 * 1024
HAS_PROC = Path("/proc/self/status").exists()


@dataclass(frozen=True)
class Plan:
    """How many repetitions each row makes, how much data it reads, and how slow the slow upstream of rows 7 to 9 is."""

    cold_starts: int = 20
    calls: int = 300
    warmup: int = 20
    sequential: int = 200
    concurrent: int = 50
    memory_calls: int = 2000
    http_clients: int = 8
    http_calls: int = 400
    http_rounds: int = 3
    first_page_rounds: int = 3
    sanitiser_rounds: int = 5
    latency_s: float = 0.100
    """Added to every upstream request in rows 7 to 9: a Huawei round trip from abroad."""
    webinar_people: int = 2_000
    """People in the bench's webinar (rows 7 to 10)."""
    webinar_records: int = 10_000
    """Attendance records of the webinar, a multiple of `webinar_people`: each person joins records/people times."""
    cache_webinars: int = 5
    """Webinars whose attendance row 10 reads, to fill the cache past its bound."""
    hostile_records_per_page: int = 30_000
    """Records in every attendance page the hostile upstream sends, whatever limit was asked for."""
    sanitiser_strings: int = 70_000
    """Strings the sanitiser row runs each step over: as many as a 10,000-record answer has."""
    in_process: bool = False
    """Build our server in this process, not start the command, in the rows that read no numbers of its process.

    Those rows (3, 4, 7, 8, 9 and 12) count requests, connections and round trips; started servers are what the
    other rows measure. A run that checks the rows rather than the server skips a start-up per server this way.
    """


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
    first_page_rounds=1,
    sanitiser_rounds=1,
)
SMOKE = Plan(
    cold_starts=1,
    calls=2,
    warmup=1,
    sequential=3,
    concurrent=3,
    memory_calls=2,
    http_clients=2,
    http_calls=4,
    http_rounds=1,
    first_page_rounds=1,
    sanitiser_rounds=1,
    latency_s=0.005,
    webinar_people=250,
    webinar_records=750,
    cache_webinars=2,
    hostile_records_per_page=2_500,
    sanitiser_strings=3_000,
    in_process=True,
)
"""The fewest repetitions and the least data that still run every step of every row (tests/test_bench.py).

Numbers, not measurements: the webinar still spans two attendance pages and several calls of row 8, the hostile
pages still reach the server's cap on records read, and the rows that read no process numbers build the server
in this process (started servers remain in the rows that time or weigh them)."""


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
    """'pass', 'miss', 'info' (no target), or 'n/a' when the row could not be measured on this machine."""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a row is measured with: the plan, a sandbox shared by the rows that need no fresh one, the log."""

    plan: Plan
    live: LiveSandbox
    errlog: TextIO
    """Where every server started by the bench writes its stderr."""


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
    """Seconds shown as milliseconds."""
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    """Seconds shown as seconds."""
    return f"{seconds:.2f} s"


def with_spread(stats: dict[str, float], unit: Callable[[float], str]) -> str:
    """The median of `stats` with its p10 and p90, in `unit`."""
    return f"{unit(stats['median'])} (p10 {unit(stats['p10'])}, p90 {unit(stats['p90'])})"


def approx_tokens(text: str) -> int:
    """About four ASCII characters per token, and one token per other character (CJK names)."""
    ascii_chars = sum(1 for ch in text if ch < "\x80")
    return round(ascii_chars / 4) + (len(text) - ascii_chars)


def compact(value: Any) -> str:
    """`value` as compact JSON, non-ASCII kept (what a model would be given)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def verdict(ok: bool) -> str:
    """The result column for a row with a target."""
    return "pass" if ok else "miss"


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Wall seconds `call` took, and its result."""
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


async def gather(*calls: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run `calls` at the same time; their results in the order given."""
    results: list[Any] = [None] * len(calls)

    async def run(index: int) -> None:
        results[index] = await calls[index]()

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(run, index)
    return results


@asynccontextmanager
async def together(*managers: AbstractAsyncContextManager[T]) -> AsyncIterator[list[T]]:
    """Enter `managers` at the same time, each in a task of its own; their values in the order given.

    For the servers a row starts before it times anything: their start-ups overlap instead of adding up.
    Each is left, in its own task, when the block ends.
    """
    values: dict[int, T] = {}
    entered, leave = anyio.Event(), anyio.Event()

    async def hold(index: int) -> None:
        async with managers[index] as value:
            values[index] = value
            if len(values) == len(managers):
                entered.set()
            await leave.wait()

    async with anyio.create_task_group() as group:
        for index in range(len(managers)):
            group.start_soon(hold, index)
        await entered.wait()
        try:
            yield [values[index] for index in range(len(managers))]
        finally:
            leave.set()


# ---------------------------------------------------------------- processes (Linux: read from /proc)


def server_pid(params: StdioServerParameters) -> int:
    """The pid of the running child process started from `params`.

    Its command line ends with exactly the command and arguments of `params` (a script's interpreter may come
    first), so servers that differ by an argument alone (`ours_stdio(live)` and `ours_stdio(live, "serve")`) are
    told apart.
    """
    wanted = [part.encode() for part in (params.command, *params.args)]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and cmdline[-len(wanted) :] == wanted:
            return int(entry.name)
    raise LookupError(f"no child process runs {' '.join((params.command, *params.args))}")


def _status_bytes(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no {name} for {pid}")


def rss_bytes(pid: int) -> int:
    """Resident set size of process `pid` (VmRSS)."""
    return _status_bytes(pid, "VmRSS")


def peak_rss_bytes(pid: int) -> int:
    """Peak resident set size of process `pid` so far (VmHWM)."""
    return _status_bytes(pid, "VmHWM")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the sandbox and the servers


@contextmanager
def loopback(sandbox: Sandbox | None = None) -> Iterator[LiveSandbox]:
    """`sandbox` (a fresh one by default) served on a loopback port."""
    sandbox = sandbox or Sandbox()
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)


def base_env() -> dict[str, str]:
    """The few variables of this environment a server is started with."""
    return {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}


def ours_env(live: LiveSandbox, **extra: str) -> dict[str, str]:
    """Environment for our server: the sandbox's URL, signing in with its App ID, plus `extra` settings."""
    return {**base_env(), **live.app_id_env(**extra)}


NO_CACHE = {"HUAWEI_MEETING_CACHE_TTL": "0"}
"""For rows that repeat one call and must reach the upstream every time (per-call cost, connection reuse)."""


def ours_stdio(live: LiveSandbox, *args: str, **extra: str) -> StdioServerParameters:
    """Our installed server over stdio, against `live`; `args` after the command (they tell two servers apart)."""
    return StdioServerParameters(command=console_script(), args=list(args), env=ours_env(live, **extra))


def bare_stdio() -> StdioServerParameters:
    """The bare baseline server over stdio."""
    return StdioServerParameters(command=sys.executable, args=[str(BARE_SERVER)], env=base_env())


@asynccontextmanager
async def connect(params: StdioServerParameters, errlog: TextIO) -> AsyncIterator[Client]:
    """An MCP client session with a server started over stdio; its stderr goes to `errlog`."""
    async with Client(stdio_client(params, errlog=errlog)) as client:
        yield client


def settings_of(env: dict[str, str]) -> Settings:
    """The settings our server reads from `env`'s HUAWEI_MEETING_* variables (each must be a setting).

    Like the started command, it reads this process's own HUAWEI_MEETING_* variables too; the tests clear them.
    """
    if unknown := unknown_variables(env):
        raise ValueError("; ".join(unknown))
    ours = {name.removeprefix(ENV_PREFIX).lower(): value for name, value in env.items() if name.startswith(ENV_PREFIX)}
    return Settings.model_validate(ours)


@asynccontextmanager
async def ours_client(bench: Context, live: LiveSandbox, **extra: str) -> AsyncIterator[Client]:
    """An MCP client of our server against `live` with `extra` settings, for a row that reads no process numbers.

    The server is the command started over stdio, as in `ours_stdio`; with `bench.plan.in_process`, the same
    server built in this process from the same settings, with an in-memory client.
    """
    if not bench.plan.in_process:
        async with connect(ours_stdio(live, **extra), bench.errlog) as client:
            yield client
        return
    async with Client(create_server(settings_of(live.app_id_env(**extra)))) as client:
        yield client


@asynccontextmanager
async def http_server(command: list[str], env: dict[str, str], port: int, errlog: TextIO) -> AsyncIterator[int | None]:
    """Start an MCP server over HTTP on `port`.

    Yields its pid once it answers HTTP (any status at /health), None if it exits or stays silent for 30 s.
    """
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
                        await anyio.sleep(0.02)
        yield process.pid if up else None
    finally:
        if process.returncode is None:
            process.terminate()
        with anyio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()
        await process.aclose()


# ---------------------------------------------------------------- calls


async def call_ok(client: Client, arguments: dict[str, Any], tool: str = TOOL) -> CallToolResult:
    """Call `tool`; raise if it answered an error."""
    result = await client.call_tool(tool, arguments)
    if result.is_error:
        raise RuntimeError(f"{tool}({arguments}) failed: {text_of(result)}")
    return result


async def attendance_ok(client: Client, arguments: dict[str, Any]) -> CallToolResult:
    """Call the attendance tool; raise if it answered an error."""
    return await call_ok(client, arguments, TOOL_NAMES.attendance)


async def echo_ok(client: Client) -> CallToolResult:
    """Call the bare server's `echo`; raise if it answered an error."""
    return await call_ok(client, {"text": "ping"}, "echo")


PER_CALL_ARGS: dict[str, Any] = {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20}


async def one_call(kind: str, client: Client) -> CallToolResult:
    """The call each side is timed with: ours gets the docs example meeting, the bare server an echo."""
    return await (call_ok(client, PER_CALL_ARGS) if kind == "ours" else echo_ok(client))


async def validation_time(client: Client, name: str, result: CallToolResult, repeats: int) -> float:
    """Median time the SDK's client takes to check `result` against the tool's output schema."""
    samples = []
    for _ in range(repeats):
        seconds, _ = await timed(lambda: client.session.validate_tool_result(name, result))
        samples.append(seconds)
    return statistics.median(samples)


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


def relay_arguments(sandbox_url: str) -> dict[str, Any]:
    """Arguments for the bare server's `relay` tool: the GET our server makes for PER_CALL_ARGS."""
    query = DetailQuery(conf_uuid=PER_CALL_ARGS["confUUID"], limit=PER_CALL_ARGS["limit"])
    return {
        "url": sandbox_url.rstrip("/") + CONF_DETAIL_PATH,
        "params": {k: str(v) for k, v in query.params().items()},
        "headers": {**query.headers(), "X-Access-Token": DEFAULT_TOKEN},
    }


async def replayed(http: httpx.AsyncClient, request: RecordedRequest) -> Any:
    """The raw JSON answer of one upstream request the server made, fetched again directly (errors included)."""
    headers = {k: v for k, v in request.headers.items() if k.startswith("x-") or k == "accept-language"}
    response = await http.get(request.path, params=request.query, headers={**headers, "X-Access-Token": DEFAULT_TOKEN})
    return response.json()
