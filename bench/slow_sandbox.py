"""What rows 7 to 10 share: the plan's webinar, a sandbox that answers late, and the round trips it saw."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio

from bench.harness import LiveSandbox, Plan, loopback
from huawei_meeting_mcp.sandbox import LARGE_UUID, Sandbox
from huawei_meeting_mcp.sandbox.data import SandboxMeeting

WEBINAR_UUID = "b3c4d5e6f7a811efb7e3fa163e5a9c13"
"""The bench's own webinar (not the sandbox's showcase), of the plan's size: 2,000 people, 5 sessions each in full."""
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


def add_webinar(sandbox: Sandbox, plan: Plan, uuid: str = WEBINAR_UUID) -> None:
    """The plan's webinar built from the sandbox's data classes: `plan.webinar_people`, several sessions each."""
    base = sandbox.meetings[LARGE_UUID]
    start = 1_795_482_000_000  # 2026-11-24 01:00 UTC, the large meeting's start
    records = []
    for session in range(plan.webinar_records // plan.webinar_people):
        for person in range(plan.webinar_people):
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
    subject = f"Bench webinar ({len(records):,} records)"
    conference = {**base.conference, "confUUID": uuid, "subject": subject, "webinar": True}
    sandbox.meetings[uuid] = SandboxMeeting(conference=conference, participants=base.participants, attendance=records)


@contextmanager
def slow_sandbox(plan: Plan, log: list[Exchange] | None = None) -> Iterator[LiveSandbox]:
    """A fresh sandbox with the plan's webinar on loopback, each request answered `plan.latency_s` late (and logged)."""
    sandbox = Sandbox()
    add_webinar(sandbox, plan)
    sandbox.app = with_latency(sandbox.app, plan.latency_s, log)
    with loopback(sandbox) as live:
        yield live


def upstream_requests(sandbox: Sandbox) -> int:
    """Business requests the sandbox answered (sign-ins left out)."""
    return sum(count for path, count in sandbox.hits.items() if not path.startswith("/v2/usg/acs"))


def per_request(plan_latency_s: float) -> str:
    """The latency as the rows' labels show it: '100 ms/request'."""
    return f"{plan_latency_s * 1000:g} ms/request"
