"""Rows 6a and 6b over stateless streamable HTTP, ours and bare in the same run: latency, then throughput."""

from __future__ import annotations

import sys
import time
from functools import partial
from typing import Any

import anyio
import httpx
from mcp import Client

from bench.harness import (
    BARE_SERVER,
    HAS_PROC,
    NO_CACHE,
    PER_CALL_ARGS,
    TOOL,
    Context,
    Plan,
    Row,
    base_env,
    console_script,
    cpu_seconds,
    free_port,
    http_server,
    ms,
    one_call,
    ours_env,
    raw_request,
    relay_arguments,
    spread,
    timed,
    together,
    verdict,
)

STEP = "http"
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
    """Seconds per call from one kept-alive client per server, interleaved call by call with the raw GET.

    `baseline` is the bare echo plus the GET our call makes upstream, as in row 2.
    """
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


async def measure(bench: Context) -> list[Row]:
    """A kept-alive client's median call latency, then calls per second with concurrent clients (cache off)."""
    plan, url = bench.plan, bench.live.url
    latency_label = "6a HTTP mode: call latency, 1 kept-alive client"
    label = f"6b HTTP mode: calls/s, {plan.http_clients} clients"
    ports = {"ours": free_port(), "bare": free_port()}
    commands = {
        "ours": [console_script(), "serve", "--transport", "http", "--host", "127.0.0.1", "--port", str(ports["ours"])],
        "bare": [sys.executable, str(BARE_SERVER), "--http", "127.0.0.1", str(ports["bare"])],
    }
    rates: dict[str, list[float]] = {"ours": [], "bare": [], "relay": []}
    cpu_per_call: dict[str, float] = {}
    async with together(
        http_server(commands["ours"], ours_env(bench.live, **NO_CACHE), ports["ours"], bench.errlog),
        http_server(commands["bare"], base_env(), ports["bare"], bench.errlog),
    ) as (ours_pid, bare_pid):
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
