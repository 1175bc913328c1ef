"""The service layer: what each answer reads from the API, concurrently where it can, with its fallbacks.

Tools ask the service for what their view needs; the service decides which requests that takes,
runs the independent ones at the same time, and decides what a failed optional read means (the
attendance answer still comes when the meeting's own detail cannot be read: it then says why, and
gives times in UTC only). Only `client.MeetingClient` (over `transport.py`) speaks HTTP.

Reads of ended meetings (a meeting's detail pages, its attendance records) go through the read cache
(`cache.ReadCache`): paging an answer reads each upstream page once within the cache's lifetime, and
identical calls made at the same time share one read. The meeting list is not cached: new meetings end
all the time, and its default window ends now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TypeVar

import anyio
from cachetools import LRUCache

from .attendance_fold import AttendanceFold
from .cache import ReadCache
from .client import MeetingClient
from .concurrency import concurrently, together
from .errors import InvalidArgumentError, UpstreamError
from .page_reads import PageCallback, ReadSession, UpstreamPage, read_pages
from .reads import (
    MAX_WINDOW_MEETINGS,
    WINDOW_PAGE_SIZE,
    AttendanceRead,
    AttendanceRecords,
    DetailRead,
    EventsRead,
    ListRead,
    OccurrenceRead,
    Outcome,
    SeriesRead,
    WindowRead,
)
from .search import loosely_matches
from .wire import (
    MAX_SERIES_OCCURRENCES,
    ConfDetailResponse,
    ConferenceInfo,
    ControlQuery,
    DetailQuery,
    HistoryListResponse,
    HistoryQuery,
    ParticipantInfo,
    RecordingInfo,
)

T = TypeVar("T")

logger = logging.getLogger(__name__)


OccurrenceCallback = Callable[[int, int], Awaitable[None]]
"""Told after each occurrence's attendance is read: occurrences read so far, and how many there are."""

PARTICIPANT_PAGE_SIZE = 500
"""The API's largest participant page."""
MAX_PARTICIPANT_PAGES = 20
MAX_PARTICIPANTS = PARTICIPANT_PAGE_SIZE * MAX_PARTICIPANT_PAGES
"""Reconciling attendance reads at most this many participants (20 pages)."""
MeetingCallback = Callable[[int, int], Awaitable[None]]
"""Told after each meeting's attendance is read: meetings done, and how many are being read."""
SERIES_LIST_PAGE = 100
"""Meetings per list request when looking for a meeting ID's occurrences."""
SERIES_IN_FLIGHT = 4
"""Occurrences whose attendance is read at a time (each is its own bounded read of records and list)."""
QUERY_ALL_REFUSED = (
    "queryAll=true (every user's meetings) needs the administrator scope, which your sign-in does not have. "
    "Call again without queryAll to list the meetings you organized or were invited to."
)
REMEMBERED_RECORDINGS = 10_000
"""How many recorded meetings the service remembers (a confUUID each, least recently used forgotten first)."""


class MeetingService:
    """The answers the tools give, each read from the API with as few round trips as it takes.

    Every read of an ended meeting goes through the read cache (`cache.py`): paging through an answer
    reads each upstream page once within the cache's lifetime, and identical reads share one request.
    """

    def __init__(self, client: MeetingClient, cache: ReadCache | None = None, *, query_all: bool = True) -> None:
        self.client = client
        self.cache = cache if cache is not None else ReadCache("", ttl=0)
        self.query_all = query_all
        """Whether `queryAll=true` may be asked (oauth mode: only with the admin scope); else refused here."""
        self.recorded: LRUCache[str, bool] = LRUCache(maxsize=REMEMBERED_RECORDINGS)
        """Meetings a list or detail answer said have a recording: their detail reads it at the same time."""

    async def detail(self, query: DetailQuery) -> DetailRead:
        """A page of one meeting's participant list and, when it has a recording file, the recording.

        When an earlier answer said the meeting has a recording (the meeting list, usually asked first,
        or a detail page), both reads go at the same time: one round trip instead of two. Otherwise the
        recording is read once the detail says there is one, not on speculation, which would spend a
        request (and its rate limit) on every meeting without a recording. Either way the detail decides:
        a recording read alongside a meeting that no longer has one is dropped. Both reads are cached, and
        a failed recording read does not fail the answer.
        """
        conf_uuid = query.conf_uuid
        recording: Outcome[RecordingInfo] | None = None
        if conf_uuid in self.recorded:
            response, recording = await concurrently(
                lambda: self._detail_page(query), lambda: optional(lambda: self._recording(conf_uuid), "recording")
            )
        else:
            response = await self._detail_page(query)
        if not response.conference_data.is_has_record_file:
            self.recorded.pop(conf_uuid, None)
            return DetailRead(response=response, recording=Outcome())
        self.recorded[conf_uuid] = True
        if recording is None:
            recording = await optional(lambda: self._recording(conf_uuid), "recording")
        return DetailRead(response=response, recording=recording)

    async def history(self, query: HistoryQuery, session: ReadSession | None = None) -> HistoryListResponse:
        """A page of ended meetings in a window (not cached: meetings end all the time).

        The recorded ones are remembered, so that their detail reads the recording at the same time.
        `session` shares one answer's request slots among the pages it reads.
        """
        if query.query_all and not self.query_all:
            raise InvalidArgumentError(QUERY_ALL_REFUSED)
        if session is None:
            response = await self.client.history(query)
        else:
            async with session.slots:
                response = await self.client.history(query)
        self._remember_recorded(response)
        return response

    def _remember_recorded(self, response: HistoryListResponse) -> None:
        for meeting in response.data or []:
            if meeting.is_has_record_file and meeting.conf_uuid:
                self.recorded[meeting.conf_uuid] = True

    async def meeting_list(
        self, query: HistoryQuery, *, with_attendance: bool = False, on_meeting: MeetingCallback | None = None
    ) -> ListRead:
        """A page of the meeting list, the totals of its whole window, and (when asked) each row's attendance.

        The page comes first (one request). When it holds the whole window, the totals come from it; otherwise
        the rest of the window is read, up to MAX_WINDOW_MEETINGS, at the same time as the rows' attendance.
        When a searchKey finds nothing literally, the window without it is read and matched loosely
        (`search.loosely_matches`): the page is then cut from the meetings that matched.
        """
        first = await self.history(query)
        searched: WindowRead | None = None
        window: Outcome[WindowRead]
        if query.search_key and not first.data and not first.count:
            searched = await self.history_window(replace(query, search_key=None, offset=0, limit=WINDOW_PAGE_SIZE))
            key = query.search_key
            matched = [meeting for meeting in searched.meetings if loosely_matches(key, meeting)]
            window = Outcome(WindowRead(matched, len(matched), searched.capped))
            page = matched[query.offset : query.offset + query.limit]
            first = first.model_copy(update={"offset": query.offset, "count": len(matched), "data": page})
            self._remember_recorded(first)
        conf_uuids = [m.conf_uuid for m in first.data or [] if m.conf_uuid] if with_attendance else []
        if searched is not None:
            attendance = await self.attendance_of(conf_uuids, on_meeting)
        else:
            window, attendance = await concurrently(
                lambda: optional(lambda: self.history_window(query, first), "meeting list's window"),
                lambda: self.attendance_of(conf_uuids, on_meeting),
            )
        return ListRead(page=first, window=window, searched=searched, attendance=attendance)

    async def history_window(self, query: HistoryQuery, first: HistoryListResponse | None = None) -> WindowRead:
        """Every meeting of the query's window, up to MAX_WINDOW_MEETINGS, in the query's order.

        `first` is a page of the same query already read. When it holds the whole window, nothing more is
        read; when it gave the window's count, only the rest is read, in requests of up to 500 sent at the
        same time (one more round trip); otherwise the window is read from its start (`read_pages`).
        """
        if first is not None:
            rows, count = list(first.data or []), first.count
            if count is None or count < 0:
                if query.offset == 0 and len(rows) < query.limit:
                    return WindowRead(rows, len(rows))
            elif query.offset == 0 and count <= len(rows):
                return WindowRead(rows, count)
            else:
                return await self._window_around(query, rows, count)
        session = self.client.read_session()

        async def fetch(offset: int, limit: int) -> UpstreamPage[ConferenceInfo]:
            page = await self.history(replace(query, offset=offset, limit=limit), session)
            return UpstreamPage(page.data or [], page.count)

        read = await read_pages(
            fetch,
            page_size=WINDOW_PAGE_SIZE,
            max_pages=-(-MAX_WINDOW_MEETINGS // WINDOW_PAGE_SIZE),
            max_items=MAX_WINDOW_MEETINGS,
        )
        return WindowRead(_each_once(read.items), read.reported_total, read.capped)

    async def _window_around(self, query: HistoryQuery, rows: list[ConferenceInfo], count: int) -> WindowRead:
        """The window of `count` meetings (up to the cap) around `rows`, the page read at `query.offset`."""
        whole = min(count, MAX_WINDOW_MEETINGS)
        start, end = min(query.offset, whole), min(query.offset + len(rows), whole)
        gaps = [
            (offset, min(offset + WINDOW_PAGE_SIZE, stop))
            for begin, stop in ((0, start), (end, whole))
            for offset in range(begin, stop, WINDOW_PAGE_SIZE)
        ]
        session = self.client.read_session()

        def read(offset: int, stop: int) -> Callable[[], Awaitable[HistoryListResponse]]:
            return lambda: self.history(replace(query, offset=offset, limit=stop - offset), session)

        pages: list[HistoryListResponse] = await concurrently(*(read(*gap) for gap in gaps))
        before = [m for (offset, _), page in zip(gaps, pages, strict=True) if offset < start for m in page.data or []]
        after = [m for (offset, _), page in zip(gaps, pages, strict=True) if offset >= end for m in page.data or []]
        meetings = _each_once([*before, *rows[: end - start], *after])[:MAX_WINDOW_MEETINGS]
        return WindowRead(meetings, count, capped=count > MAX_WINDOW_MEETINGS)

    async def attendance_of(
        self, conf_uuids: list[str], on_meeting: MeetingCallback | None = None
    ) -> dict[str, Outcome[AttendanceRead]]:
        """The attendance of each meeting (`attendance`, cached), as many at a time as one answer's request slots.

        A meeting whose attendance cannot be read gets the reason instead; the others still come.
        """
        found: dict[str, Outcome[AttendanceRead]] = {}
        wanted = list(dict.fromkeys(conf_uuids))
        slots = self.client.read_session().slots
        done = 0

        async def read(conf_uuid: str) -> None:
            nonlocal done
            async with slots:
                found[conf_uuid] = await optional(lambda: self.attendance(conf_uuid), "attendance")
            done += 1
            if on_meeting is not None:
                await on_meeting(done, len(wanted))

        async with together() as tasks:
            for conf_uuid in wanted:
                tasks.start(partial(read, conf_uuid))
        return {conf_uuid: found[conf_uuid] for conf_uuid in wanted}

    async def attendance(self, conf_uuid: str, on_page: PageCallback | None = None) -> AttendanceRead:
        """Every attendance record and, at the same time, the meeting with its whole participant list.

        Nothing is filtered upstream: who never joined is decided against the whole list, and a filter
        (a name, a department, people or rooms) narrows the answer's page after that, in the view. If the
        list cannot be read the answer still comes, without the reconciliation, and says why.
        """
        records, listed = await concurrently(
            lambda: self.cache.get(
                ("attendance", conf_uuid, None),
                lambda: self._folded_attendance(conf_uuid, None, on_page),
            ),
            lambda: optional(lambda: self._participant_list(conf_uuid, None), "participant list"),
        )
        meeting, participants, capped = listed.value or (None, None, False)
        return AttendanceRead(
            records=records,
            meeting=Outcome(meeting, listed.problem),
            participants=Outcome(participants, listed.problem),
            participant_list_capped=capped,
        )

    async def series(
        self, meeting_id: str, window: HistoryQuery, on_occurrence: OccurrenceCallback | None = None
    ) -> SeriesRead:
        """The occurrences of one meeting ID that started in `window`, each with its attendance.

        The list is searched by the meeting ID (every page, the later ones concurrently) and only rows
        carrying that ID are kept, at most MAX_SERIES_OCCURRENCES (the newest). Their attendance is then
        read SERIES_IN_FLIGHT occurrences at a time, each through `attendance` (bounded page reads, the
        read cache); `on_occurrence` is told after each one. An occurrence whose attendance cannot be read
        does not fail the answer: it says why.
        """
        query = replace(window, search_key=meeting_id, offset=0, limit=SERIES_LIST_PAGE, sort_type="DSC_StartTIME")

        async def fetch(offset: int, limit: int) -> UpstreamPage[ConferenceInfo]:
            page = await self.history(replace(query, offset=offset, limit=limit))
            return UpstreamPage(page.data or [], page.count)

        listed = await read_pages(fetch, page_size=SERIES_LIST_PAGE, max_pages=10, max_items=10 * SERIES_LIST_PAGE)
        rows = [row for row in listed.items if row.conference_id == meeting_id and row.conf_uuid]
        kept = rows[:MAX_SERIES_OCCURRENCES]
        read: dict[int, Outcome[AttendanceRead]] = {}
        slots = anyio.CapacityLimiter(SERIES_IN_FLIGHT)

        async def one(index: int, conf_uuid: str) -> None:
            async with slots:
                read[index] = await optional(lambda: self.attendance(conf_uuid), "attendance")
            if on_occurrence is not None:
                await on_occurrence(len(read), len(kept))

        async with together() as tasks:
            for index, row in enumerate(kept):
                tasks.start(partial(one, index, row.conf_uuid or ""))
        occurrences = [OccurrenceRead(row, read[index]) for index, row in enumerate(kept)]
        return SeriesRead(
            query=query,
            occurrences=occurrences[::-1],
            other_rows=len(listed.items) - len(rows),
            capped=len(rows) > len(kept) or listed.capped,
        )

    async def _folded_attendance(
        self, conf_uuid: str, search_key: str | None, on_page: PageCallback | None
    ) -> AttendanceRecords:
        """Every attendance record, and the records folded per person as the pages arrived (`attendance_fold`).

        Folding then overlaps the reads of later pages instead of following them (docs/performance.md,
        row 7); kept in the cache with the records, the fold is not done again when the answer is paged.
        """
        fold = AttendanceFold()
        read = await self.client.all_attendance(conf_uuid, search_key, on_page=on_page, on_records=fold.add)
        return replace(read, people=fold.people(read.records))

    async def events(self, query: ControlQuery) -> EventsRead:
        """A page of the meeting's control records and, at the same time, the meeting (for its zone)."""
        page, meeting = await concurrently(
            lambda: self.cache.get(
                ("events", *sorted(query.params().items())),
                lambda: self.client.control_records(query),
            ),
            lambda: optional(lambda: self._meeting(query.conf_uuid), "meeting"),
        )
        return EventsRead(page=page, meeting=meeting)

    async def _detail_page(self, query: DetailQuery, session: ReadSession | None = None) -> ConfDetailResponse:
        key = ("detail", *sorted(query.params().items()), *sorted(query.headers().items()))
        return await self.cache.get(key, lambda: self.client.conf_detail(query, session))

    async def _recording(self, conf_uuid: str) -> RecordingInfo:
        return await self.cache.get(("recording", conf_uuid), lambda: self.client.recording(conf_uuid))

    async def _meeting(self, conf_uuid: str) -> ConferenceInfo:
        """One cheap confDetail call (one participant) for the meeting's subject and zone."""
        return (await self._detail_page(DetailQuery(conf_uuid=conf_uuid, limit=1))).conference_data

    async def _participant_list(
        self, conf_uuid: str, search_key: str | None
    ) -> tuple[ConferenceInfo, list[ParticipantInfo], bool]:
        """The meeting, its participant list, and whether the list went on past MAX_PARTICIPANTS.

        The list's first page, then the rest concurrently.
        """
        pages: dict[int, ConfDetailResponse] = {}
        session = self.client.read_session()

        async def fetch(offset: int, limit: int) -> UpstreamPage[ParticipantInfo]:
            query = DetailQuery(conf_uuid, offset=offset, limit=limit, search_key=search_key)
            page = pages[offset] = await self._detail_page(query, session)
            return UpstreamPage((page.data.data or []) if page.data else [], page.data.count if page.data else None)

        read = await read_pages(
            fetch, page_size=PARTICIPANT_PAGE_SIZE, max_pages=MAX_PARTICIPANT_PAGES, max_items=MAX_PARTICIPANTS
        )
        return pages[0].conference_data, read.items, read.capped


def _each_once(meetings: list[ConferenceInfo]) -> list[ConferenceInfo]:
    """`meetings` with each confUUID once (pages read at different moments may overlap as meetings end)."""
    seen: set[str] = set()
    kept = []
    for meeting in meetings:
        if meeting.conf_uuid is not None:
            if meeting.conf_uuid in seen:
                continue
            seen.add(meeting.conf_uuid)
        kept.append(meeting)
    return kept


async def optional(read: Callable[[], Awaitable[T]], what: str) -> Outcome[T]:
    """Run a read whose failure does not fail the answer: its value, or the error message saying why."""
    try:
        return Outcome(value=await read())
    except UpstreamError as exc:
        logger.debug("Reading the %s failed: %s [X-Request-ID: %s]", what, type(exc).__name__, exc.request_id)
        return Outcome(problem=f"{exc.summary} [X-Request-ID: {exc.request_id}]")
