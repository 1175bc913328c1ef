"""The fault matrix: each upstream fault, then a normal call, against the server built in process.

Each fault must give isError with the right message, exactly the number of upstream requests
the retry policy promises (2 retries for 429, 5xx and connection errors; none otherwise),
no secret in any answer or log line, and a normal answer on the next call. The retry policy's
back-off is near zero here, and the timeout short where the fault is a timeout; a few faults run
again through the installed command over stdio, with its real back-off, to show it behaves the same.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from huawei_meeting_mcp.client import RetryPolicy
from huawei_meeting_mcp.transport import MAX_BODY_BYTES
from tests.faulty_upstream import FaultyUpstream, free_port
from tests.support import in_process, leaked, run_server, text_of

pytestmark = pytest.mark.anyio

TOOL = "get_historical_meeting_detail"
TOKEN = "stbFAULT-MATRIX-SECRET-TOKEN-0000000"
QUICK_RETRIES = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.001)
"""The server's retry count, without its patience: the matrix counts requests, not seconds."""
TIMEOUTS = {"fault-hang": 0.5, "fault-drip": 0.5}
"""Seconds to wait where the fault is that the upstream never finishes; elsewhere the default applies."""

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
THROUGH_THE_COMMAND = ("fault-500-json", "fault-redirect", "fault-truncated")
"""Faults run again through the installed command: a retried one, the redirect, and a malformed answer."""


@dataclass
class Upstreams:
    """The faulty upstream, and a bystander that its redirect points at."""

    faulty: FaultyUpstream
    url: str
    bystander: FaultyUpstream


@contextmanager
def serving_upstreams() -> Iterator[Upstreams]:
    # The redirect points at a second listener: it must never see a request (or the token).
    bystander = FaultyUpstream()
    with bystander.running() as bystander_url:
        faulty = FaultyUpstream(redirect_target=f"{bystander_url}/steal", retry_after=0)
        with faulty.running() as url:
            yield Upstreams(faulty, url, bystander)


@pytest.fixture(scope="module")
def upstreams() -> Iterator[Upstreams]:
    with serving_upstreams() as served:
        yield served


def settings(url: str, **more: Any) -> dict[str, Any]:
    return {"base_url": url, "access_token": TOKEN, **more}


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def assert_fault_then_normal(upstreams: Upstreams, fault: str, failed: Any, normal: Any, said: str) -> None:
    phrase, requests = FAULTS[fault]
    upstream = upstreams.faulty
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


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_fault_then_a_normal_call(upstreams: Upstreams, fault: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    timeout = {"timeout": TIMEOUTS[fault]} if fault in TIMEOUTS else {}
    async with in_process(None, retry=QUICK_RETRIES, **settings(upstreams.url, **timeout)) as client:
        failed = await client.call_tool(TOOL, {"confUUID": fault})
        normal = await client.call_tool(TOOL, {"confUUID": "ok"})
    said = "\n".join([text_of(failed), text_of(normal), logged(caplog)])
    assert_fault_then_normal(upstreams, fault, failed, normal, said)
    if FAULTS[fault][1] > 1:
        assert "Retrying " in said, "the retries are logged (through the redacting logger, and checked above)"


@pytest.mark.e2e
async def test_the_installed_command_meets_faults_the_same_way() -> None:
    env = {"HUAWEI_MEETING_ACCESS_TOKEN": TOKEN, "HUAWEI_MEETING_TIMEOUT": "3"}
    with serving_upstreams() as upstreams:
        async with run_server({**env, "HUAWEI_MEETING_BASE_URL": upstreams.url}) as run:
            outcomes = [
                (await run.call(TOOL, {"confUUID": f}), await run.call(TOOL, {"confUUID": "ok"}))
                for f in THROUGH_THE_COMMAND
            ]
            said = run.everything_said()
    for fault, (failed, normal) in zip(THROUGH_THE_COMMAND, outcomes, strict=True):
        assert_fault_then_normal(upstreams, fault, failed, normal, said)
    assert "Retrying " in said, "the retries are logged"


async def test_wrong_types_are_tolerated_where_not_essential() -> None:
    upstream = FaultyUpstream()
    with upstream.running() as url:
        async with in_process(None, **settings(url)) as client:
            result = await client.call_tool(TOOL, {"confUUID": "fault-wrong-types"})
    assert result.is_error is False, text_of(result)
    data = result.structured_content
    assert data is not None
    assert data["conferenceID"] == "914000002"
    assert "subject" not in data
    assert data["participants"] == [{"name": "42", "role": "participant", "kind": "unknown"}]


async def test_connection_refused_then_the_upstream_comes_back() -> None:
    port = free_port()
    async with in_process(None, retry=QUICK_RETRIES, **settings(f"http://127.0.0.1:{port}")) as client:
        refused = await client.call_tool(TOOL, {"confUUID": "ok"})
        upstream = FaultyUpstream()
        with upstream.running(port=port):
            normal = await client.call_tool(TOOL, {"confUUID": "ok"})
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
        async with in_process(None, retry=QUICK_RETRIES, **settings(f"http://127.0.0.1:{port}", timeout=1)) as client:
            stuck = await client.call_tool(TOOL, {"confUUID": "ok"})
            listener.close()
            filler.close()
            upstream = FaultyUpstream()
            with upstream.running(port=port):
                normal = await client.call_tool(TOOL, {"confUUID": "ok"})
    assert stuck.is_error is True
    assert re.search(r"Connecting timed out|did not answer in time", text_of(stuck)), text_of(stuck)
    assert normal.is_error is False, text_of(normal)
    assert upstream.seen.counts["ok"] == 1
