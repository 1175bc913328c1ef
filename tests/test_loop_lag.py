"""Hostile finding 3: the work on one upstream string is bounded, so a hostile answer cannot stall the event loop.

Normalising a 200 kB subject of combining marks was quadratic and ran before the length cut: one such
subject blocked the loop for 11 s. Now only a bounded prefix of any string is read, and runs of combining
marks are cut to Unicode's stream-safe 30 before normalising. The first tests measure work (how many
characters each step saw), not time; the last runs a real tool call over a hostile answer while a probe
task measures the largest gap between its ticks.
"""

from __future__ import annotations

import time
import types
import unicodedata
from typing import Any

import anyio
import anyio.abc
import httpx
import pytest
from mcp import Client

from huawei_meeting_mcp import text as text_module
from huawei_meeting_mcp.app import TOOL_NAMES, create_server
from huawei_meeting_mcp.client import CONF_DETAIL_PATH, HISTORY_PATH
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.text import MAX_COMBINING_RUN, SCAN_FACTOR, Sanitiser, clean_text

HOSTILE = "Q" + "".join("\u0301\u0316\u0327"[i % 3] for i in range(200_000))
"""A 200 kB subject of combining marks of different classes: the worst case of canonical reordering."""
UUID = "9a0fa6d10a5b11eaae5e191763c22c0e"


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lengths of the strings the expensive steps of text.py were handed."""
    lengths: list[int] = []

    def spy(name: str) -> Any:
        real = getattr(unicodedata, name)

        def wrapped(*args: Any) -> Any:
            lengths.append(len(args[-1]))
            return real(*args)

        return wrapped

    fake = types.SimpleNamespace(
        normalize=spy("normalize"), is_normalized=spy("is_normalized"), combining=unicodedata.combining
    )
    monkeypatch.setattr(text_module, "unicodedata", fake)
    real_strip = text_module._strip_hidden

    def strip_hidden(text: str) -> str:
        lengths.append(len(text))
        return real_strip(text)

    monkeypatch.setattr(text_module, "_strip_hidden", strip_hidden)
    return lengths


@pytest.mark.parametrize("limit", [16, 128, 256])
def test_a_200_kb_hostile_string_is_cleaned_from_a_bounded_prefix_only(seen: list[int], limit: int) -> None:
    shown = Sanitiser()(HOSTILE + "\u200b" * 1000 + " password 739215", limit)
    assert shown is not None
    assert len(shown) <= limit
    assert seen, "normalisation did run"
    assert max(seen) <= limit * SCAN_FACTOR, "no step saw more than the bounded prefix"


def test_runs_of_combining_marks_are_cut_to_the_stream_safe_limit() -> None:
    shown = unicodedata.normalize("NFD", clean_text("a" + "\u0301\u0316" * 100 + "b", 1000))
    assert shown[0] == "a"
    assert shown[-1] == "b"
    assert len(shown) == 2 + MAX_COMBINING_RUN
    assert clean_text("e\u0301 and \u1100\u1161", 20) == "\u00e9 and \uac00", "ordinary text still composes"


def test_a_string_cut_before_cleaning_shows_no_part_of_a_secret_or_contact_at_the_cut() -> None:
    # The prefix read ends inside a phone number; cleaning shrinks the prefix to within reach of the limit.
    limit = 64
    raw = "\u200b" * (limit * SCAN_FACTOR - 10) + "Call 13800138000 and more"
    assert clean_text(raw, limit) == "Call …"
    assert Sanitiser()(raw, limit) == "Call …"


def hostile_answer(request: httpx.Request) -> httpx.Response:
    meeting = {"confUUID": UUID, "subject": HOSTILE, "scheduserName": HOSTILE[:50_000], "startTime": HOSTILE[:9]}
    if request.url.path == HISTORY_PATH:
        return httpx.Response(200, json={"offset": 0, "count": 3, "data": [meeting, meeting, meeting]})
    if request.url.path == CONF_DETAIL_PATH:
        people = [{"name": HOSTILE[:100_000], "deptName": HOSTILE[:100_000]}]
        return httpx.Response(200, json={"conferenceData": meeting, "data": {"offset": 0, "count": 1, "data": people}})
    return httpx.Response(404)


async def largest_gap_during(work: Any) -> float:
    """Run `work` while a probe task ticks; the largest gap (seconds) between two ticks.

    The probe is running before `work` starts, and its last gap spans the end of `work`: an in-process
    call may run from start to end without ever yielding, and then that one gap is all of it.
    """
    gaps: list[float] = []
    done = anyio.Event()

    async def probe(*, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        last = time.perf_counter()
        task_status.started()
        while True:
            await anyio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
            if done.is_set():
                return

    async with anyio.create_task_group() as group:
        await group.start(probe)
        await work()
        done.set()
    return max(gaps)


@pytest.mark.anyio
async def test_the_event_loop_keeps_ticking_while_a_hostile_answer_is_cleaned() -> None:
    server = create_server(
        Settings(base_url="http://127.0.0.1", max_retries=0, access_token="stbLAG-PROBE-TOKEN-0000000000000"),
        transport=httpx.MockTransport(hostile_answer),
    )
    async with Client(server) as client:
        await client.call_tool(TOOL_NAMES.list, {"limit": 3})  # the first call opens the state

        async def work() -> None:
            for tool, arguments in ((TOOL_NAMES.list, {"limit": 3}), (TOOL_NAMES.detail, {"confUUID": UUID})):
                result = await client.call_tool(tool, arguments)
                assert not result.is_error
                assert "\u0301" * (MAX_COMBINING_RUN + 1) not in str(result.structured_content)

        lag = await largest_gap_during(work)
    # Measured on a shared 2-core machine: a few ms (11 s before the cut). Generous, as timed asserts go.
    assert lag < 1.0, f"the event loop stalled for {lag:.3f} s"
