"""The service layer: what each answer reads from the API, concurrently where it can, with its fallbacks.

Tools ask the service for what their view needs; the service decides which requests that takes,
runs the independent ones at the same time, and decides what a failed optional read means (the
attendance answer still comes when the meeting's own detail cannot be read: it then says why, and
gives times in UTC only). Only `client.MeetingClient` speaks HTTP.

Reads of ended meetings (a meeting's detail pages, its attendance records) go through the read cache
(`cache.ReadCache`): paging an answer reads each upstream page once within the cache's lifetime, and
identical calls made at the same time share one read. The meeting list is not cached: new meetings end
all the time, and its default window ends now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

from .cache import ReadCache
from .client import MeetingClient, PageCallback
from .errors import UpstreamError
from .wire import AttendanceRecords, ConfDetailResponse, DetailQuery, HistoryListResponse, HistoryQuery

logger = logging.getLogger(__name__)


async def concurrently(*reads: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run `reads` at the same time; their results in the order given.

    The first read to fail cancels the others, and its exception is raised as it is (not wrapped in
    an exception group), so callers handle it like the failure of a single read.
    """
    results: list[Any] = [None] * len(reads)
    failures: list[Exception] = []

    async with anyio.create_task_group() as group:

        async def run(index: int) -> None:
            try:
                results[index] = await reads[index]()
            except Exception as exc:
                failures.append(exc)
                group.cancel_scope.cancel()

        for index in range(len(reads)):
            group.start_soon(run, index)
    if failures:
        raise failures[0]
    return results


@dataclass(frozen=True)
class AttendanceAnswer:
    """What the attendance view needs: every record, and the meeting itself when it could be read."""

    records: AttendanceRecords
    meeting: ConfDetailResponse | None
    meeting_problem: str | None
    """Why the meeting could not be read (its error message), when `meeting` is None."""


class MeetingService:
    """The answers the tools give, each read from the API with as few round trips as it takes."""

    def __init__(self, client: MeetingClient, cache: ReadCache | None = None) -> None:
        self.client = client
        self.cache = cache if cache is not None else ReadCache("", ttl=0)

    async def detail(self, query: DetailQuery) -> ConfDetailResponse:
        """One meeting and a page of its participant list."""
        key = ("detail", *sorted(query.params().items()), *sorted(query.headers().items()))
        return await self.cache.get(key, lambda: self.client.conf_detail(query), _participants)

    async def history(self, query: HistoryQuery) -> HistoryListResponse:
        """A page of ended meetings in a window."""
        return await self.client.history(query)

    async def attendance(
        self, conf_uuid: str, search_key: str | None, on_page: PageCallback | None = None
    ) -> AttendanceAnswer:
        """Every attendance record and, at the same time, the meeting's subject and zone (not fatal if it fails)."""
        records, (meeting, problem) = await concurrently(
            lambda: self.cache.get(
                ("attendance", conf_uuid, search_key),
                lambda: self.client.all_attendance(conf_uuid, search_key, on_page=on_page),
                _records,
            ),
            lambda: self._meeting_for_zone(conf_uuid),
        )
        return AttendanceAnswer(records=records, meeting=meeting, meeting_problem=problem)

    async def _meeting_for_zone(self, conf_uuid: str) -> tuple[ConfDetailResponse | None, str | None]:
        """One cheap confDetail call (one participant) for the meeting's subject and zone."""
        try:
            return await self.detail(DetailQuery(conf_uuid=conf_uuid, limit=1)), None
        except UpstreamError as exc:
            logger.info("Meeting detail for the attendance answer failed: %s", type(exc).__name__)
            return None, f"{exc.summary} [X-Request-ID: {exc.request_id}]"


def _participants(response: ConfDetailResponse) -> int:
    """A detail page's weight in the cache: the meeting and its participants."""
    return 1 + len(response.data.data or []) if response.data is not None else 1


def _records(read: AttendanceRecords) -> int:
    return len(read.records)
