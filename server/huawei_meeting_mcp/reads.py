"""What one answer read: the upstream models an answer needs, gathered by the service for a view.

The service (service.py) fills these from one or more API reads; the views (view/) turn them into
output. An optional read that failed is an `Outcome` with its problem, so the answer can say so
instead of failing whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .attendance_fold import PersonAttendance
from .wire import (
    AttendanceRecord,
    ConfDetailResponse,
    ConferenceInfo,
    ControlRecordPage,
    HistoryListResponse,
    HistoryQuery,
    ParticipantInfo,
    RecordingInfo,
)

T = TypeVar("T")

WINDOW_PAGE_SIZE = 500
"""The API's largest page of the meeting list."""
MAX_WINDOW_MEETINGS = 1_000
"""The list's totals, and a forgiving search, read at most this many meetings of a window (2 requests)."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """An optional read: its value, or why it failed (an error message with its request ID)."""

    value: T | None = None
    problem: str | None = None


@dataclass(frozen=True)
class DetailRead:
    """A detail answer: the meeting with a page of its participant list, and its recording."""

    response: ConfDetailResponse
    recording: Outcome[RecordingInfo]


@dataclass(frozen=True)
class AttendanceRead:
    """An attendance answer: every record, the meeting itself, and its whole participant list."""

    records: AttendanceRecords
    meeting: Outcome[ConferenceInfo]
    participants: Outcome[list[ParticipantInfo]]
    participant_list_capped: bool = False
    """The participant list went on past what is read of it (10,000 entries): only those were compared."""


@dataclass(frozen=True)
class EventsRead:
    """An events answer: a page of control records, and the meeting itself (for its zone)."""

    page: ControlRecordPage
    meeting: Outcome[ConferenceInfo]


@dataclass(frozen=True)
class WindowRead:
    """The meetings of a list query's whole window, as far as read: for the list's totals and a forgiving search."""

    meetings: list[ConferenceInfo]
    """In the order the query asked for, each occurrence once."""
    in_window: int | None
    """How many the API said the window holds (None if it did not say)."""
    capped: bool = False
    """Reading stopped at the cap (1,000 meetings) while more remained."""


@dataclass(frozen=True)
class ListRead:
    """A meeting-list answer: its page, the window's totals, how a search was forgiven, each row's attendance."""

    page: HistoryListResponse
    """The page asked for: from the API, or cut from the window's loosely matched meetings."""
    window: Outcome[WindowRead]
    """Every meeting the page is part of (what the totals count), or why it could not be read."""
    searched: WindowRead | None = None
    """When the literal searchKey found nothing: the window without it, whose meetings were matched loosely."""
    attendance: dict[str, Outcome[AttendanceRead]] = field(default_factory=dict)
    """With withAttendance: each row's attendance by confUUID, or why it could not be read."""


@dataclass(frozen=True)
class AttendanceRecords:
    """Every attendance record read for one meeting, over as many pages as it took (or the cap allowed)."""

    records: list[AttendanceRecord]
    reported_total: int | None
    """The API's `count`: how many records it holds (None if it did not say)."""
    pages: int
    capped: bool
    """Reading stopped at the page cap while more records remained."""
    people: list[PersonAttendance] | None = None
    """The records folded per person while they were read (`attendance_fold`), or None: the view folds them."""


@dataclass(frozen=True)
class OccurrenceRead:
    """One occurrence of a meeting ID: its row of the meeting list, and what its attendance read gave."""

    meeting: ConferenceInfo
    attendance: Outcome[AttendanceRead]


@dataclass(frozen=True)
class SeriesRead:
    """A series answer: the occurrences of one meeting ID in a window, each with its attendance."""

    query: HistoryQuery
    """The list query (window, search by the meeting ID) the occurrences were found with."""
    occurrences: list[OccurrenceRead]
    """Oldest first."""
    other_rows: int
    """Rows the list's search gave for other meeting IDs (a subject or organizer holding the digits)."""
    capped: bool
    """More occurrences started in the window than an answer reads: the newest ones were kept."""
