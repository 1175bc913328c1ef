"""The fault matrix: each upstream fault, end to end over stdio, then a normal call.

Each fault must give isError with the right message, exactly the number of upstream requests
the retry policy promises (2 retries for 429, 5xx and connection errors; none otherwise),
no secret anywhere, and a normal answer on the next call.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from huawei_meeting_mcp.transport import MAX_BODY_BYTES
from tests.faulty_upstream import FaultyUpstream, free_port
from tests.helpers import leaked, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOOL = "get_historical_meeting_detail"
TOKEN = "stbFAULT-MATRIX-SECRET-TOKEN-0000000"

# fault -> (phrase in the error, upstream requests for one tool call)
FAULTS = {
    "fault-500-json": ("internal error", 3),
    "fault-500-empty": ("internal error", 3),
    "fault-502-html": ("unavailable right now. (HTTP 502)", 3),
    "fault-503-html": ("unavailable right now. (HTTP 503)", 3),
    "fault-429": ("rate-limiting", 3),
    "fault-reset": ("broke in the middle of an answer", 3),
    "fault-truncated": ("not valid JSON", 1),
    "fault-wrong-shape": ("does not have the shape", 1),
    "fault-content-type": ("'text/plain', not JSON", 1),
    "fault-redirect": ("redirect, which is not followed", 1),
    "fault-huge": ("too large", 1),
    "fault-hang": ("did not answer in time", 1),
    "fault-drip": ("did not answer in time", 1),
}


def env(url: str) -> dict[str, str]:
    return {
        "HUAWEI_MEETING_BASE_URL": url,
        "HUAWEI_MEETING_ACCESS_TOKEN": TOKEN,
        "HUAWEI_MEETING_TIMEOUT": "3",
        "HUAWEI_MEETING_LOG_LEVEL": "DEBUG",
    }


@dataclass
class Upstreams:
    """The faulty upstream, and a bystander that its redirect points at."""

    faulty: FaultyUpstream
    url: str
    bystander: FaultyUpstream


@pytest.fixture(scope="module")
def upstreams() -> Iterator[Upstreams]:
    # The redirect points at a second listener: it must never see a request (or the token).
    bystander = FaultyUpstream()
    with bystander.running() as bystander_url:
        faulty = FaultyUpstream(redirect_target=f"{bystander_url}/steal")
        with faulty.running() as url:
            yield Upstreams(faulty, url, bystander)


@pytest.mark.parametrize(("fault", "phrase", "requests"), [(f, *expected) for f, expected in FAULTS.items()])
async def test_a_fault_then_a_normal_call(upstreams: Upstreams, fault: str, phrase: str, requests: int) -> None:
    upstream = upstreams.faulty
    async with run_server(env(upstreams.url)) as run:
        failed = await run.call(TOOL, {"confUUID": fault})
        normal = await run.call(TOOL, {"confUUID": "ok"})
        said = run.everything_said()
    message = text_of(failed)
    assert failed.is_error is True
    assert phrase in message, message
    assert "X-Request-ID: " in message
    assert upstream.seen.counts[fault] == requests
    assert normal.is_error is False, text_of(normal)
    assert "Fault matrix control meeting" in text_of(normal)
    assert leaked(said, {TOKEN}) == []
    assert all(h.get("x-access-token") == TOKEN for h in upstream.seen.headers)
    assert sum(upstreams.bystander.seen.counts.values()) == 0, "a redirect is never followed"
    if fault == "fault-huge":
        assert upstream.seen.huge_bytes_sent < 20 * MAX_BODY_BYTES, "the huge body was not read to the end"


async def test_wrong_types_are_tolerated_where_not_essential() -> None:
    upstream = FaultyUpstream()
    with upstream.running() as url:
        async with run_server(env(url)) as run:
            result = await run.call(TOOL, {"confUUID": "fault-wrong-types"})
    assert result.is_error is False, text_of(result)
    data = result.structured_content
    assert data is not None
    assert data["conferenceID"] == "914000002"
    assert "subject" not in data
    assert data["participants"] == [{"name": "42", "role": "participant", "kind": "unknown"}]


async def test_connection_refused_then_the_upstream_comes_back() -> None:
    port = free_port()
    async with run_server(env(f"http://127.0.0.1:{port}")) as run:
        refused = await run.call(TOOL, {"confUUID": "ok"})
        upstream = FaultyUpstream()
        with upstream.running(port=port):
            normal = await run.call(TOOL, {"confUUID": "ok"})
    assert refused.is_error is True
    assert "Could not connect" in text_of(refused)
    assert "HUAWEI_MEETING_BASE_URL" in text_of(refused)
    assert normal.is_error is False
    assert upstream.seen.counts["ok"] == 1


async def test_connect_timeout_then_the_upstream_comes_back() -> None:
    # A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.
    port = free_port()
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", port))
        listener.listen(0)
        filler.connect(("127.0.0.1", port))
        async with run_server(env(f"http://127.0.0.1:{port}")) as run:
            stuck = await run.call(TOOL, {"confUUID": "ok"})
            listener.close()
            filler.close()
            upstream = FaultyUpstream()
            with upstream.running(port=port):
                normal = await run.call(TOOL, {"confUUID": "ok"})
    assert stuck.is_error is True
    assert re.search(r"Connecting timed out|did not answer in time", text_of(stuck)), text_of(stuck)
    assert normal.is_error is False, text_of(normal)
    assert upstream.seen.counts["ok"] == 1
