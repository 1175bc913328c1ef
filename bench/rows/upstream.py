"""Row 4: TCP connections and sign-ins for sequential and for concurrent calls, each on a fresh sandbox."""

from __future__ import annotations

import anyio

from bench.harness import NO_CACHE, Context, Row, call_ok, loopback, ours_client, verdict
from huawei_meeting_mcp.client import CONF_DETAIL_PATH, RECORDING_PATH
from huawei_meeting_mcp.sandbox import LARGE_UUID
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import connection_bound

STEP = "upstream"
POOL = connection_bound(Settings.model_fields["concurrency"].default)
"""The server's pool of connections to the API at the default concurrency (tool_server.connection_bound)."""


async def measure(bench: Context) -> list[Row]:
    """Pages of the large meeting, one after another and then all at once.

    The meeting is recorded: once the first call has said so, each call reads its detail page and the
    recording at the same time, over two kept-alive connections.
    """
    rows = []
    plan = bench.plan
    for key, calls, concurrent in (("sequential", plan.sequential, False), ("concurrent", plan.concurrent, True)):
        with loopback() as live:
            async with ours_client(bench, live, **NO_CACHE) as ours:
                arguments = [{"confUUID": LARGE_UUID, "offset": i % 60 * 10, "limit": 10} for i in range(calls)]
                if concurrent:
                    async with anyio.create_task_group() as group:
                        for one in arguments:
                            group.start_soon(call_ok, ours, one)
                else:
                    for one in arguments:
                        await call_ok(ours, one)
        sandbox = live.sandbox
        connections = len(sandbox.connections)
        requests = sandbox.hits[CONF_DETAIL_PATH]
        recordings = sandbox.hits[RECORDING_PATH]
        signed_in = sandbox.auth.sign_ins
        most = POOL if concurrent else 2  # one call's two reads at once
        ok = requests == calls and 1 <= connections <= most and signed_in == 1
        rows.append(
            Row(
                f"upstream_{key}",
                f"4 upstream: {calls} {key} calls",
                f"{connections} TCP conn, {signed_in} sign-in(s)",
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
