"""Pages read concurrently: the same result as one after another, bounded in flight, pausing together on a 429."""

from __future__ import annotations

import random
from contextvars import ContextVar
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.client import ATTENDANCE_PATH, MeetingClient, RetryPolicy
from huawei_meeting_mcp.errors import NotFoundError, RateLimitError
from huawei_meeting_mcp.page_reads import ItemsRead, ReadSession, UpstreamPage, read_pages
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.wire import AttendanceQuery, AttendanceRecord

pytestmark = pytest.mark.anyio

TOKEN = "stbCONCURRENT-test-token-000000000000"


class FakeApi:
    """A paged list of `size` items whose pages finish in an order the test chooses, never by waiting on a clock.

    Each read yields to the event loop `delay(offset)` times before answering, so reads started together
    finish in the order of their delays. Like the client, it takes a request slot of its `session` for
    each read. It counts the reads in flight and logs the order of arrival.
    """

    def __init__(self, size: int, *, page_cap: int | None = None, total: int | str | None = "size") -> None:
        self.session = ReadSession(in_flight=1)
        self.items = list(range(size))
        self.page_cap = page_cap
        self.total = size if total == "size" else total
        self.delay: Any = lambda offset: 0
        self.started: list[int] = []
        self.arrived: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.fail_at: int | None = None

    async def fetch(self, offset: int, limit: int) -> UpstreamPage[int]:
        async with self.session.slots:
            return await self._answer(offset, limit)

    async def _answer(self, offset: int, limit: int) -> UpstreamPage[int]:
        self.started.append(offset)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            for _ in range(self.delay(offset)):
                await anyio.lowlevel.checkpoint()
            if offset == self.fail_at:
                raise NotFoundError(request_id="r1", detail="gone")
            size = limit if self.page_cap is None else min(limit, self.page_cap)
            self.arrived.append(offset)
            return UpstreamPage(self.items[offset : offset + size], None if self.total is None else int(self.total))
        finally:
            self.in_flight -= 1


async def read(api: FakeApi, in_flight: int, **kwargs: Any) -> tuple[ItemsRead[int], list[tuple[int, int | None]]]:
    api.session = ReadSession(in_flight=in_flight)
    progress: list[tuple[int, int | None]] = []

    async def on_page(done: int, total: int | None) -> None:
        progress.append((done, total))

    options: dict[str, Any] = {"page_size": 100, "max_pages": 20, "max_items": 10_000} | kwargs
    result = await read_pages(api.fetch, on_page=on_page, **options)
    return result, progress


def summary(result: ItemsRead[int]) -> tuple[list[int], int | None, int, bool]:
    return result.items, result.reported_total, result.pages, result.capped


async def test_pages_answered_in_reverse_order_give_the_sequential_result() -> None:
    sequential, _ = await read(FakeApi(950), in_flight=1)
    api = FakeApi(950)
    api.delay = lambda offset: 2000 - offset  # the later the page, the sooner it answers
    concurrent, progress = await read(api, in_flight=4)
    assert api.arrived[1:5] == [400, 300, 200, 100], "the first four in flight arrived in reverse"
    assert summary(concurrent) == summary(sequential)
    assert concurrent.items == list(range(950))
    assert progress == [(n, 950) for n in (100, 200, 300, 400, 500, 600, 700, 800, 900, 950)]


@pytest.mark.parametrize("seed", range(12))
async def test_any_arrival_order_gives_the_sequential_result(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data
    size, page_cap = rng.randrange(0, 2500), rng.choice([None, None, 60, 100, 130])
    total = rng.choice(["size", "size", None, size + 300, max(0, size - 150)])
    max_pages, max_items = rng.choice([20, 5]), rng.choice([10_000, 730])
    sequential, sequential_progress = await read(
        FakeApi(size, page_cap=page_cap, total=total), in_flight=1, max_pages=max_pages, max_items=max_items
    )
    api = FakeApi(size, page_cap=page_cap, total=total)
    delays = {offset: rng.randrange(50) for offset in range(0, 10_000, 10)}
    api.delay = lambda offset: delays.get(offset, 0)
    concurrent, progress = await read(api, in_flight=rng.choice([2, 4, 7]), max_pages=max_pages, max_items=max_items)
    assert summary(concurrent) == summary(sequential)
    assert progress == sequential_progress, "told after each page used, in order"
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


async def test_at_most_the_setting_in_flight() -> None:
    api = FakeApi(2000)
    api.delay = lambda offset: 5
    result, _ = await read(api, in_flight=3)
    assert len(result.items) == 2000
    assert api.most_in_flight == 3


async def test_the_10000_record_cap_holds_and_nothing_past_it_is_read() -> None:
    api = FakeApi(30_000, total=10**9)
    result, progress = await read(api, in_flight=4, page_size=500)
    assert (len(result.items), result.pages, result.capped) == (10_000, 20, True)
    assert sorted(api.started) == list(range(0, 10_000, 500))
    assert progress[-1] == (10_000, 10**9)


async def test_a_failing_page_cancels_the_others_and_is_raised_as_it_is() -> None:
    api = FakeApi(5000)
    api.fail_at = 300
    api.delay = lambda offset: 0 if offset == 300 else 100
    with pytest.raises(NotFoundError):
        await read(api, in_flight=4)
    assert 300 not in api.arrived
    assert len(api.arrived) == 1, "only the first page arrived; the others in flight were cancelled"


# ---------------------------------------------------------------- through the client: a 429 pauses the answer

OFFSET: ContextVar[int] = ContextVar("offset", default=-1)


class PausingApi:
    """An attendance endpoint of 3,000 records (500 a page) whose page at offset 500 is rate-limited once."""

    def __init__(self, retry_after: str = "2") -> None:
        self.retry_after = retry_after
        self.events: list[tuple[str, int, float]] = []
        self.limited = False

    async def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == ATTENDANCE_PATH
        offset = int(request.url.params["offset"])
        self.events.append(("start", offset, 0.0))
        await anyio.lowlevel.checkpoint()
        if offset == 500 and not self.limited:
            self.limited = True
            self.events.append(("429", offset, 0.0))
            return httpx.Response(
                429,
                json={"error_code": "100000429", "error_msg": "flow control"},
                headers={"Retry-After": self.retry_after},
            )
        rows = [{"displayName": f"p{i}"} for i in range(offset, min(offset + 500, 3000))]
        return httpx.Response(200, json={"offset": offset, "count": 3000, "data": rows})

    async def sleep(self, seconds: float) -> None:
        self.events.append(("sleep", OFFSET.get(), seconds))


async def read_through_client(api: PausingApi, budget: float = 10) -> ItemsRead[AttendanceRecord]:
    async with create_http_client(
        "https://api.example.test", timeout=budget, transport=httpx.MockTransport(api.handle)
    ) as http:
        client = MeetingClient(
            http, StaticToken(TOKEN), timeout=budget, retry=RetryPolicy(max_retries=2), sleep=api.sleep, concurrency=2
        )

        session = client.read_session()

        async def fetch(offset: int, limit: int) -> UpstreamPage[AttendanceRecord]:
            OFFSET.set(offset)
            page = await client.attendance_page(AttendanceQuery("c0ffee", offset, limit), session)
            return UpstreamPage(page.data or [], page.count)

        return await read_pages(fetch, page_size=500, max_pages=20, max_items=10_000)


async def test_a_429_pauses_every_page_of_the_answer_that_has_not_started() -> None:
    api = PausingApi(retry_after="2")
    result = await read_through_client(api)
    assert [r.display_name for r in result.items] == [f"p{i}" for i in range(3000)]
    limited_at = api.events.index(("429", 500, 0.0))
    started_later = [offset for kind, offset, _ in api.events[limited_at:] if kind == "start"]
    assert sorted(started_later) == [500, 1500, 2000, 2500], "1000 was already in flight"
    waits = {offset: seconds for kind, offset, seconds in api.events if kind == "sleep"}
    assert set(waits) == set(started_later), "each page read after the 429 waited first, the limited one too"
    # Each waits what is left of the 2 s pause: never more, and (however loaded the machine) most of it.
    assert all(1.0 <= seconds <= 2.0 for seconds in waits.values()), waits


async def test_a_retry_after_past_the_answers_budget_is_reported_at_once() -> None:
    api = PausingApi(retry_after="30")
    with pytest.raises(RateLimitError):
        await read_through_client(api, budget=5)
    assert [kind for kind, _, _ in api.events].count("sleep") == 0


async def test_a_transport_answering_in_reverse_gives_what_one_page_at_a_time_gives() -> None:
    rows = [{"displayName": f"p{i}", "joinTime": 1_800_000_000_000 + i} for i in range(2_345)]
    answered: list[int] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        for _ in range(3_000 - offset if offset else 0):  # the later the page, the sooner it answers
            await anyio.lowlevel.checkpoint()
        answered.append(offset)
        return httpx.Response(200, json={"offset": offset, "count": len(rows), "data": rows[offset : offset + limit]})

    async def read_all(concurrency: int) -> tuple[Any, list[tuple[int, int | None]]]:
        progress: list[tuple[int, int | None]] = []

        async def on_page(done: int, total: int | None) -> None:
            progress.append((done, total))

        async with create_http_client(
            "https://api.example.test", timeout=10, transport=httpx.MockTransport(handle)
        ) as http:
            client = MeetingClient(http, StaticToken(TOKEN), timeout=10, concurrency=concurrency)
            return await client.all_attendance("c0ffee", on_page=on_page), progress

    one_at_a_time, sequential_progress = await read_all(1)
    answered.clear()
    concurrent, progress = await read_all(4)
    assert answered == [0, 2000, 1500, 1000, 500]
    assert concurrent == one_at_a_time
    assert [r.display_name for r in concurrent.records] == [f"p{i}" for i in range(2_345)]
    assert progress == sequential_progress == [(500, 2345), (1000, 2345), (1500, 2345), (2000, 2345), (2345, 2345)]


async def test_through_the_client_at_most_the_setting_is_in_flight_and_the_pages_come_in_order() -> None:
    rows = [{"displayName": f"p{i}", "joinTime": 1_800_000_000_000 + i} for i in range(5_000)]
    delays = random.Random(7)  # noqa: S311 - pages finish in a shuffled (but repeatable) order
    in_flight = most = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
            for _ in range(delays.randint(0, 20)):
                await anyio.lowlevel.checkpoint()
            page = rows[offset : offset + limit]
            return httpx.Response(200, json={"offset": offset, "count": len(rows), "data": page})
        finally:
            in_flight -= 1

    given: list[int] = []
    transport = httpx.MockTransport(handle)
    async with create_http_client("https://api.example.test", timeout=10, transport=transport) as http:
        client = MeetingClient(http, StaticToken(TOKEN), timeout=10, concurrency=3)
        read = await client.all_attendance("c0ffee", on_records=lambda page: given.append(len(page)))
    assert most == 3, "every page's read starts at once; the request slots hold them to the setting"
    assert [r.display_name for r in read.records] == [f"p{i}" for i in range(5_000)]
    assert given == [500] * 10, "each page handed on once, in order"


async def test_a_page_waiting_for_its_request_slot_does_not_spend_its_time_budget() -> None:
    # One request at a time, 150 ms each (a slow upstream, simulated), a 0.6 s budget: the ninth page
    # is answered 1.35 s after the read began, yet within its own budget, counted from its request slot.
    # Each page has four times its own time as budget, so a loaded machine does not make it fail.
    rows = [{"displayName": f"p{i}"} for i in range(4_500)]

    async def handle(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        await anyio.sleep(0.15)
        return httpx.Response(200, json={"offset": offset, "count": len(rows), "data": rows[offset : offset + limit]})

    transport = httpx.MockTransport(handle)
    async with create_http_client("https://api.example.test", timeout=0.6, transport=transport) as http:
        client = MeetingClient(http, StaticToken(TOKEN), timeout=0.6, concurrency=1)
        started = anyio.current_time()
        read = await client.all_attendance("c0ffee")
        took = anyio.current_time() - started
    assert len(read.records) == 4_500
    assert took > 0.6, "the whole read took longer than one budget"
