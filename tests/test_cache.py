"""The read cache: TTL, size bound, errors never kept, single flight, keys; and paging end to end at zero requests."""

from __future__ import annotations

import functools
import gc
import json
import tracemalloc
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from mcp import Client
from pydantic import SecretStr

from huawei_meeting_mcp.cache import ReadCache, credential_identity, estimated_size
from huawei_meeting_mcp.errors import ServerError
from huawei_meeting_mcp.reads import AttendanceRecords
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID, Sandbox
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH
from huawei_meeting_mcp.settings import ConfigError, Settings, load_settings
from huawei_meeting_mcp.tool_server import reader_identity
from huawei_meeting_mcp.wire import AttendancePage
from tests.support import LiveSandbox, http_server, in_process, run_server

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Upstream:
    """Counts reads; each returns a fresh list of `size` items, or raises what it is told to."""

    def __init__(self) -> None:
        self.reads = 0
        self.fail: Exception | None = None
        self.gate: anyio.Event | None = None

    async def read(self, size: int = 3) -> list[int]:
        self.reads += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return list(range(size))


def cache(ttl: float = 60, max_bytes: int = 100, clock: Clock | None = None) -> ReadCache:
    """A cache that weighs a list of n items as n bytes, so that the tests can count."""
    return ReadCache("who", ttl=ttl, max_bytes=max_bytes, timer=clock or Clock(), size_of=len)


async def test_a_second_identical_read_is_served_from_the_cache() -> None:
    store, upstream = cache(), Upstream()
    first = await store.get(("a",), upstream.read)
    second = await store.get(("a",), upstream.read)
    assert second is first
    assert upstream.reads == 1


async def test_another_request_is_another_key() -> None:
    store, upstream = cache(), Upstream()
    await store.get(("a", 0), upstream.read)
    await store.get(("a", 50), upstream.read)
    assert upstream.reads == 2


async def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    store, upstream = cache(ttl=300, clock=clock), Upstream()
    await store.get(("a",), upstream.read)
    clock.now += 299
    await store.get(("a",), upstream.read)
    assert upstream.reads == 1
    clock.now += 2
    await store.get(("a",), upstream.read)
    assert upstream.reads == 2


async def test_ttl_zero_turns_it_off() -> None:
    store, upstream = cache(ttl=0), Upstream()
    for _ in range(3):
        await store.get(("a",), upstream.read)
    assert (upstream.reads, len(store), store.held_bytes) == (3, 0, 0)


async def test_the_bound_counts_weights_and_evicts_the_least_recently_used() -> None:
    store, upstream = cache(max_bytes=10), Upstream()
    for key in ("a", "b"):
        await store.get((key,), lambda: upstream.read(4))
    await store.get(("a",), upstream.read)  # a is now the most recently used
    await store.get(("c",), lambda: upstream.read(4))
    assert store.held_bytes == 8
    assert upstream.reads == 3
    await store.get(("a",), upstream.read)
    assert upstream.reads == 3, "a stayed"
    await store.get(("b",), lambda: upstream.read(4))
    assert upstream.reads == 4, "b was evicted"


async def test_a_value_larger_than_the_bound_is_returned_but_not_kept() -> None:
    store, upstream = cache(max_bytes=10), Upstream()
    assert len(await store.get(("big",), lambda: upstream.read(11))) == 11
    assert len(store) == 0
    await store.get(("big",), lambda: upstream.read(11))
    assert upstream.reads == 2


async def test_an_entry_heavier_than_the_per_entry_cap_is_not_kept() -> None:
    store = ReadCache("who", ttl=60, max_bytes=100, max_entry_bytes=5, timer=Clock(), size_of=len)
    upstream = Upstream()
    await store.get(("six",), lambda: upstream.read(6))
    await store.get(("five",), lambda: upstream.read(5))
    assert (len(store), store.held_bytes) == (1, 5)
    await store.get(("six",), lambda: upstream.read(6))
    assert upstream.reads == 3, "the heavy entry was read again"


def attendance_page(page: int, size: int = 200) -> AttendancePage:
    rows = [
        {
            "displayName": f"Attendee {page}-{i}",
            "callNumber": f"+86138{page:03d}{i:05d}",
            "deptName": "Research and Development",
            "joinTime": 1_800_000_000_000 + i,
            "leftTime": 1_800_000_600_000 + i,
            "deviceType": "PC",
            "mediaType": "video",
        }
        for i in range(size)
    ]
    return AttendancePage.model_validate({"offset": page * size, "count": 10**6, "data": rows})


async def test_many_entries_stay_under_the_byte_bound() -> None:
    one = estimated_size(attendance_page(0))
    store = ReadCache("who", ttl=60, max_bytes=20 * one, timer=Clock())  # the real estimate: about 20 pages fit
    for page in range(100):
        await store.get(("attendance", page), functools.partial(read_page, page))
        assert store.held_bytes <= store.max_bytes
    assert 15 <= len(store) <= 20
    assert store.held_bytes > 15 * one
    reads = store.reads
    await store.get(("attendance", 99), lambda: _unreachable())
    assert store.reads == reads, "the most recent page stayed"


async def read_page(page: int) -> AttendancePage:
    return attendance_page(page)


async def _unreachable() -> AttendancePage:
    raise AssertionError("read again")


def test_the_estimate_is_near_what_the_value_takes_in_memory() -> None:
    attendance_page(0)  # pydantic builds its validator on first use: not part of the value
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        pages = [attendance_page(page) for page in range(10)]
        records = AttendanceRecords(
            records=[r for page in pages for r in page.data or []], reported_total=2000, pages=10, capped=False
        )
        del pages
        gc.collect()
        taken = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.7 <= estimated_size(records) / taken <= 1.4, (estimated_size(records), taken)
    assert estimated_size(records) > 2000 * 1000, "about 1.5 kB a record, far more than its JSON"


def test_the_default_bound_is_64_mb() -> None:
    store = ReadCache("who")
    assert (store.max_bytes, store.max_entry_bytes) == (64 * 1024 * 1024, 32 * 1024 * 1024)


async def test_errors_are_never_kept() -> None:
    store, upstream = cache(), Upstream()
    upstream.fail = ServerError(request_id="r1", status=500)
    with pytest.raises(ServerError):
        await store.get(("a",), upstream.read)
    upstream.fail = None
    assert await store.get(("a",), upstream.read) == [0, 1, 2]
    assert upstream.reads == 2


async def test_identical_concurrent_requests_share_one_read() -> None:
    store, upstream = cache(), Upstream()
    upstream.gate = anyio.Event()
    results: list[list[int]] = []

    async def ask() -> None:
        results.append(await store.get(("a",), upstream.read))

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(ask)
        await anyio.wait_all_tasks_blocked()
        upstream.gate.set()
    assert upstream.reads == 1
    assert len(results) == 5
    assert all(result is results[0] for result in results)


async def test_waiters_on_a_failed_read_get_its_error_and_nothing_is_kept() -> None:
    store, upstream = cache(), Upstream()
    upstream.gate = anyio.Event()
    upstream.fail = ServerError(request_id="r1", status=503)
    outcomes: list[str] = []

    async def ask() -> None:
        try:
            await store.get(("a",), upstream.read)
        except ServerError:
            outcomes.append("error")

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(ask)
        await anyio.wait_all_tasks_blocked()
        upstream.gate.set()
    assert (outcomes, upstream.reads) == (["error"] * 3, 1)
    upstream.fail, upstream.gate = None, None
    await store.get(("a",), upstream.read)
    assert upstream.reads == 2


async def test_a_waiter_reads_itself_when_the_first_reader_is_cancelled() -> None:
    store, upstream = cache(), Upstream()
    upstream.gate = anyio.Event()
    got: list[list[int]] = []

    first = anyio.CancelScope()
    async with anyio.create_task_group() as group:
        group.start_soon(_cancellable, store, upstream, first)
        await anyio.wait_all_tasks_blocked()

        async def second() -> None:
            got.append(await store.get(("a",), upstream.read))

        group.start_soon(second)
        await anyio.wait_all_tasks_blocked()
        first.cancel()
        await anyio.wait_all_tasks_blocked()
        upstream.gate.set()
    assert got == [[0, 1, 2]]
    assert upstream.reads == 2


async def _cancellable(store: ReadCache, upstream: Upstream, scope: anyio.CancelScope) -> None:
    with scope:
        await store.get(("a",), upstream.read)


def test_the_identity_differs_per_reader_and_shows_no_secret() -> None:
    token = "stbSECRET-token-0000000000000000000"
    one = reader_identity(Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(token)))
    other = reader_identity(Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(token + "x")))
    elsewhere = reader_identity(Settings(base_url="http://127.0.0.1:2", access_token=SecretStr(token)))
    app = reader_identity(Settings(base_url="http://127.0.0.1:1", app_id="app", app_key=SecretStr("key-1")))
    same_app = reader_identity(Settings(base_url="http://127.0.0.1:1", app_id="app", app_key=SecretStr("key-2")))
    as_user = reader_identity(
        Settings(base_url="http://127.0.0.1:1", app_id="app", app_key=SecretStr("key-1"), user_id="u")
    )
    assert len({one, other, elsewhere, app, as_user}) == 5
    assert app == same_app, "a new App Key reads the same enterprise's data"
    assert token not in one
    assert "key-1" not in app
    assert credential_identity("a", "bc") != credential_identity("ab", "c")


# ---------------------------------------------------------------- end to end: the sandbox counts the requests


async def page_through_attendance(live: LiveSandbox, ttl: str) -> tuple[int, int, int, list[str]]:
    """Follow the attendance answer of the large meeting 50 people a page; calls and sandbox requests."""
    calls = 0
    names: list[str] = []
    async with run_server(live.env(HUAWEI_MEETING_CACHE_TTL=ttl)) as run:
        offset: int | None = 0
        while offset is not None:
            result = await run.call("get_historical_meeting_attendance", {"confUUID": LARGE_UUID, "offset": offset})
            assert result.is_error is False
            content: dict[str, Any] = result.structured_content or {}
            names.extend(person["name"] for person in content["attendees"])
            calls += 1
            offset = content["page"].get("nextOffset")
    hits = live.sandbox.hits
    return calls, hits[ATTENDANCE_PATH], hits[CONF_DETAIL_PATH], names


async def test_paging_the_attendance_answer_reads_each_upstream_page_once(live_sandbox: LiveSandbox) -> None:
    calls, attendance_requests, detail_requests, names = await page_through_attendance(live_sandbox, "300")
    records = len(live_sandbox.sandbox.meetings[LARGE_UUID].attendance)
    assert calls > 10
    participant_pages = -(-len(live_sandbox.sandbox.meetings[LARGE_UUID].participants) // 500)
    assert attendance_requests == -(-records // 500), "every record page once, for all the calls"
    assert detail_requests == participant_pages, "every participant page once (it also gives the meeting)"
    assert len(names) == len({json.dumps(n) for n in names})


async def test_with_the_cache_off_every_call_reads_again(live_sandbox: LiveSandbox) -> None:
    calls, attendance_requests, detail_requests, _ = await page_through_attendance(live_sandbox, "0")
    records = len(live_sandbox.sandbox.meetings[LARGE_UUID].attendance)
    participant_pages = -(-len(live_sandbox.sandbox.meetings[LARGE_UUID].participants) // 500)
    assert attendance_requests == calls * -(-records // 500)
    assert detail_requests == calls * participant_pages


def test_default_settings() -> None:
    settings = Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(DEFAULT_TOKEN))
    assert (settings.cache_ttl, settings.concurrency) == (300.0, 8)


async def test_in_http_mode_every_client_shares_the_one_cache(live_sandbox: LiveSandbox) -> None:
    arguments = {"confUUID": LARGE_UUID, "limit": 10}
    with http_server(live_sandbox.env()) as run:
        for offset in (0, 10):
            async with Client(run.url) as client:  # a new connection, a new MCP session each time
                result = await client.call_tool("get_historical_meeting_attendance", {**arguments, "offset": offset})
                assert result.is_error is False
    records = len(live_sandbox.sandbox.meetings[LARGE_UUID].attendance)
    assert live_sandbox.sandbox.hits[ATTENDANCE_PATH] == -(-records // 500)


async def test_identical_calls_at_the_same_time_read_the_meeting_once() -> None:
    sandbox = Sandbox()
    arguments = [{"confUUID": LARGE_UUID, "offset": offset} for offset in (0, 0, 50, 100, 100)]
    async with in_process(sandbox) as client, anyio.create_task_group() as group:
        for one in arguments:
            group.start_soon(client.call_tool, "get_historical_meeting_attendance", one)
    records = len(sandbox.meetings[LARGE_UUID].attendance)
    assert sandbox.hits[ATTENDANCE_PATH] == -(-records // 500)
    assert sandbox.hits[CONF_DETAIL_PATH] == -(-len(sandbox.meetings[LARGE_UUID].participants) // 500)


@pytest.mark.parametrize(
    ("variable", "value"),
    [("HUAWEI_MEETING_CONCURRENCY", "0"), ("HUAWEI_MEETING_CONCURRENCY", "11"), ("HUAWEI_MEETING_CACHE_TTL", "-1")],
)
def test_out_of_range_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings()
