"""Row "hostile upstream": the server's peak resident size against an upstream that ignores every limit."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mcp import StdioServerParameters

from bench.harness import (
    HAS_PROC,
    MB,
    Context,
    Row,
    base_env,
    call_ok,
    connect,
    console_script,
    peak_rss_bytes,
    server_pid,
    verdict,
)
from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.client import ATTENDANCE_PATH, CONF_DETAIL_PATH, HISTORY_PATH
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.wire import MAX_ATTENDANCE_RECORDS

STEP = "hostile-memory"
SHUTDOWN_POLL_S = 0.05
"""How often the hostile upstream's thread looks for the request to stop (the standard library's default is 0.5 s)."""


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog for the server's reads in flight.

    Each answer closes its connection (HTTP/1.0), so every read in flight opens one; with the standard library's
    backlog of 5 a burst of them overflows it, and the dropped connection is tried again a second later.
    """

    request_queue_size = 128


def hostile_bodies(records_per_page: int) -> dict[str, bytes]:
    """Answers of an upstream that ignores limits: huge pages, a count of 10^9, 665 invitees for limit=500.

    Every attendance page has `records_per_page` records, whatever limit was asked for.
    """
    records = [
        {"displayName": f"A{i}", "joinTime": 1795482000000 + i, "leftTime": 1795483800000}
        for i in range(records_per_page)
    ]
    meeting = {"confUUID": DOCS_EXAMPLE_UUID, "subject": "Hostile", "startTime": "2026-11-24 01:00"}
    people = [{"name": f"P{i}", "accountId": f"p{i}"} for i in range(665)]
    bodies = {
        ATTENDANCE_PATH: {"count": 10**9, "data": records},
        CONF_DETAIL_PATH: {"conferenceData": meeting, "data": {"offset": 0, "count": 10**9, "data": people}},
        HISTORY_PATH: {"count": 10**9, "data": [meeting] * 5000},
    }
    return {path: json.dumps(body).encode() for path, body in bodies.items()}


@asynccontextmanager
async def hostile_upstream(records_per_page: int) -> AsyncIterator[str]:
    """Serve `hostile_bodies(records_per_page)` on a loopback port; yields the base URL."""
    bodies = hostile_bodies(records_per_page)

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

    server = LoopbackServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def measure(bench: Context) -> list[Row]:
    """Peak RSS after one attendance, detail and list call each, against `hostile_upstream` (static token)."""
    target = "< 150 MB peak"
    if not HAS_PROC:
        return [Row("hostile-memory", "hostile upstream: peak RSS", "n/a (no /proc)", "", "", target, "n/a")]
    records_per_page = bench.plan.hostile_records_per_page
    async with hostile_upstream(records_per_page) as url:
        env = {**base_env(), "HUAWEI_MEETING_BASE_URL": url, "HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN}
        params = StdioServerParameters(command=console_script(), env=env)
        async with connect(params, bench.errlog) as ours:
            pid = server_pid(params)
            calls: list[tuple[str, dict[str, Any]]] = [
                (TOOL_NAMES.attendance, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 500}),
                (TOOL_NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 500}),
                (TOOL_NAMES.list, {"limit": 500}),
            ]
            records = 0
            for tool, arguments in calls:
                result = await call_ok(ours, arguments, tool)
                if tool == TOOL_NAMES.attendance:
                    records = (result.structured_content or {}).get("recordsRead", 0)
            peak = peak_rss_bytes(pid)
    return [
        Row(
            "hostile-memory",
            f"hostile upstream ({records_per_page:,} records a page, count 10^9): peak RSS",
            f"{peak / MB:.1f} MB ({records:,} records read)",
            "",
            "",
            target,
            verdict(peak < 150 * MB and records <= MAX_ATTENDANCE_RECORDS),
            {"peak_bytes": peak, "records_read": records},
        )
    ]
