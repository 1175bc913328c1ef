"""Row 11: a fleet of 3 replicas, 50 people, 10 calls each, upstream 100 ms a request: alone, then sharing Redis.

Each replica is the shared state a server opens (`tool_server.open_state`, oauth mode: a sign-in and a
service per person), in this process, over the slow sandbox; every person asks for the same page of the
large meeting's detail 10 times, each call on the next replica, as a round-robin load balancer sends them.
Counted: sign-ins (the sandbox counts them per user ID), upstream requests, and the latency of each person's
first call (a cold burst: 50 sign-ins at once) apart from the other calls.
Sharing needs Debian's redis-server (started here on a free loopback port); without it the row says so.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx

from bench.harness import Context, Row, ms, verdict
from bench.slow_sandbox import per_request, upstream_requests, with_latency
from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.oauth import Person
from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, LARGE_UUID, AuthApi, Sandbox
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import AppState, open_state
from huawei_meeting_mcp.wire import DetailQuery
from tests.support.redis_server import RedisServer

STEP = "fleet"
REPLICAS = 3
CALLS = 10


def people(sandbox: Sandbox, count: int) -> list[str]:
    """`count` user IDs invited to the large meeting (so each sees it signed in as themselves)."""
    return sorted(user for user in sandbox.meetings[LARGE_UUID].people if user.startswith("user"))[:count]


async def run_fleet(latency_s: float, identities: int, redis_url: str | None) -> dict[str, Any]:
    """Sign-ins, upstream requests and call latencies of one fleet run."""
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    users = people(sandbox, identities)
    sandbox.app = with_latency(sandbox.app, latency_s)
    fleet: dict[str, Any] = {}
    if redis_url is not None:
        fleet = {"redis_url": redis_url, "state_key": base64.b64encode(os.urandom(32)).decode()}
    settings = Settings(
        base_url="http://127.0.0.1",
        app_id=DEFAULT_APP_ID,
        app_key=DEFAULT_APP_KEY,
        http_auth="oauth",
        oauth_issuer="http://127.0.0.1:9",
        http_public_url="http://127.0.0.1:9/mcp",
        max_retries=0,
        **fleet,
    )
    latencies: list[float] = []
    firsts: list[float] = []
    async with AsyncExitStack() as stack:
        replicas: list[AppState] = [
            await stack.enter_async_context(
                open_state(settings, TOOL_NAMES, transport=httpx.ASGITransport(app=sandbox.app))
            )
            for _ in range(REPLICAS)
        ]

        async def calls(index: int, user: str) -> None:
            for call in range(CALLS):
                seats = replicas[(index + call) % REPLICAS].people
                if seats is None:
                    raise RuntimeError("oauth mode gives each replica its people")
                service = seats.service(Person(user_id=user, admin=False))
                started = time.perf_counter()
                await service.detail(DetailQuery(LARGE_UUID, limit=20))
                (latencies if call else firsts).append(time.perf_counter() - started)

        async with anyio.create_task_group() as group:
            for index, user in enumerate(users):
                group.start_soon(calls, index, user)
    latencies.sort()
    firsts.sort()
    return {
        "sign_ins": sandbox.auth.sign_ins,
        "upstream": upstream_requests(sandbox),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "calls": len(latencies),
        "first_p50": firsts[len(firsts) // 2],
        "first_max": firsts[-1],
    }


def shown(one: dict[str, Any]) -> str:
    """One run as the table shows it."""
    return (
        f"{one['sign_ins']} sign-ins, {one['upstream']} upstream requests; first call p50 {ms(one['first_p50'])}, "
        f"max {ms(one['first_max'])}; calls 2-{CALLS} p50 {ms(one['p50'])}, p99 {ms(one['p99'])}"
    )


async def measure(bench: Context) -> list[Row]:
    """The fleet alone (each replica its own state) beside the fleet sharing Redis."""
    identities = 50 if bench.plan.latency_s >= 0.05 else 6
    label = f"11 fleet: {REPLICAS} replicas x {identities} people x {CALLS} calls, {per_request(bench.plan.latency_s)}"
    alone = await run_fleet(bench.plan.latency_s, identities, None)
    binary = shutil.which("redis-server")
    if binary is None:
        data = {"alone": alone, "identities": identities}
        return [
            Row("fleet", label, "n/a: redis-server is not installed", f"alone: {shown(alone)}", "", "", "info", data)
        ]
    redis = RedisServer(binary)
    redis.start()
    try:
        shared = await run_fleet(bench.plan.latency_s, identities, redis.url)
    finally:
        redis.kill()

    return [
        Row(
            "fleet",
            label,
            f"with Redis: {shown(shared)}",
            f"alone: {shown(alone)}",
            f"{alone['upstream'] / max(1, shared['upstream']):.1f}x fewer requests",
            "one sign-in per person",
            verdict(shared["sign_ins"] == identities),
            {"alone": alone, "redis": shared, "identities": identities},
        )
    ]
