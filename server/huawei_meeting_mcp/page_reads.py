"""Reading a paged list: the first page, then the rest at the same time, used in offset order.

`read_pages` gives what reading one page after another gives, whatever order the pages arrive in.
The pages of one answer share a `ReadSession`: its request slots bound how many requests are in
flight, it carries the answer's deadline, and after a 429 on any page it holds every page's next
request back until the pause ends (the client takes a slot for each request it sends).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, TypeVar

import anyio

from .concurrency import Together, together

Item = TypeVar("Item")
PageCallback = Callable[[int, "int | None"], Awaitable[None]]
"""Told after each page, in order: items read so far (never fewer than before), and the API's total (if any)."""
ItemsCallback = Callable[[Sequence[Item]], None]
"""Given the items each page adds, in order, as soon as the page is used."""
DEFAULT_CONCURRENCY = 8
"""Requests of one answer in flight at a time, once the first page has given the total."""


@dataclass(frozen=True)
class UpstreamPage(Generic[Item]):
    """One page as the API sent it: its items, and the total the API reported (None if it did not)."""

    items: Sequence[Item]
    total: int | None


@dataclass(frozen=True)
class ItemsRead(Generic[Item]):
    """Every item `read_pages` read, in the API's order, and how the reading ended."""

    items: list[Item]
    reported_total: int | None
    pages: int
    """Requests whose page was used (a page read ahead and then not needed is not counted)."""
    capped: bool
    """Reading stopped at `max_pages` or `max_items` while more items remained."""


class ReadSession:
    """What the page reads of one answer share: the answer's deadline, request slots, and a pause after a 429.

    A slot is held from sending a request until its answer has been read, not while the answer is
    parsed and used: a page that arrives frees its slot for the next request first. After a 429, no
    page starts a request before the pause ends; the pause never runs past `deadline`.
    """

    def __init__(self, *, in_flight: int, deadline: float = math.inf) -> None:
        self.deadline = deadline
        """The answer's time budget ends here (anyio clock)."""
        self.slots = anyio.CapacityLimiter(max(1, in_flight))
        """The one bound on this answer's requests in flight."""
        self._resume_at = 0.0

    def pause(self, seconds: float) -> None:
        """Hold back every page's next request for `seconds` (a 429's Retry-After, or its back-off)."""
        self._resume_at = max(self._resume_at, anyio.current_time() + seconds)

    def paused_for(self) -> float:
        """Seconds left of the pause (0 when there is none)."""
        return max(0.0, self._resume_at - anyio.current_time())


async def read_pages(
    fetch_page: Callable[[int, int], Awaitable[UpstreamPage[Item]]],
    *,
    page_size: int,
    max_pages: int,
    max_items: int,
    on_page: PageCallback | None = None,
    on_items: ItemsCallback[Item] | None = None,
) -> ItemsRead[Item]:
    """Read a paged list: the first page, then the rest at the same time.

    `fetch_page(offset, limit)` reads one page; it bounds its requests in flight itself (the client
    takes a `ReadSession` slot for each), so every planned page's read starts at once. The result is
    what reading one page after another gives, whatever order the pages arrive in: pages are used in
    offset order, the API's `count` decides when to stop (without one, the first short page does), and
    at most `max_pages` pages and `max_items` items are kept. Offsets are planned ahead only while pages
    come back exactly `page_size` long; a page of another length makes the following pages be read one
    at a time from where it ended. `on_page` is told after each page is used, in order; `on_items` is
    given the items each page adds, in order, as soon as it is used (so that a caller can work on them
    while later pages are on their way). The first failure cancels the other reads and is raised as it is.
    """
    reader: _InOffsetOrder[Item] = _InOffsetOrder(fetch_page, page_size, max_items, on_page, on_items)
    await reader.use(0, await fetch_page(0, page_size))
    while reader.more and reader.pages < max_pages and len(reader.items) < max_items:
        await reader.read_ahead(reader.next_offsets(max_pages - reader.pages))
    return ItemsRead(reader.items, reader.total, reader.pages, reader.more)


@dataclass
class _InOffsetOrder(Generic[Item]):
    """The items read so far, extended one page at a time in offset order (the sequential rule)."""

    fetch_page: Callable[[int, int], Awaitable[UpstreamPage[Item]]]
    page_size: int
    max_items: int
    on_page: PageCallback | None
    on_items: ItemsCallback[Item] | None
    items: list[Item] = field(default_factory=list)
    total: int | None = None
    pages: int = 0
    more: bool = True
    regular: bool = False
    """The last page had exactly `page_size` items: the next offsets can be planned ahead."""

    def next_offsets(self, pages_left: int) -> list[int]:
        """The offsets to read next: every page up to the total (or the cap) when it is known, else one."""
        start = len(self.items)
        if self.total is None or not self.regular:
            return [start]
        end = min(self.total, self.max_items)
        return list(range(start, end, self.page_size))[:pages_left] or [start]

    async def read_ahead(self, offsets: list[int]) -> None:
        """Read the pages at `offsets` at the same time; use them in order until one is not needed or does not fit."""
        arrived: dict[int, UpstreamPage[Item]] = {}
        in_order = anyio.Lock()
        next_index = 0

        async def read(offset: int, tasks: Together) -> None:
            nonlocal next_index
            arrived[offset] = await self.fetch_page(offset, self.page_size)
            async with in_order:
                while next_index < len(offsets) and offsets[next_index] in arrived:
                    at = offsets[next_index]
                    next_index += 1
                    used = await self.use(at, arrived.pop(at))
                    if not used or not self.more or len(self.items) >= self.max_items:
                        tasks.stop()  # the pages after this one are not needed as read
                        return

        async with together() as tasks:
            for offset in offsets:
                tasks.start(partial(read, offset, tasks))

    async def use(self, offset: int, page: UpstreamPage[Item]) -> bool:
        """Use `page` if it starts where the items read so far end; False if it was planned on a wrong guess."""
        if offset != len(self.items):
            return False
        rows = page.items
        kept = rows[: self.max_items - len(self.items)]
        self.items.extend(kept)
        if self.on_items is not None:
            self.on_items(kept)
        self.pages += 1
        if page.total is not None and page.total >= 0:
            self.total = page.total
        self.regular = len(rows) == self.page_size
        self.more = len(rows) > len(kept) or (
            bool(rows) and (len(self.items) < self.total if self.total is not None else len(rows) >= self.page_size)
        )
        if self.on_page is not None:
            await self.on_page(len(self.items), self.total)
        return True
