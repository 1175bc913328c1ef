"""Attendance records folded into one entry per person: what the attendance view counts and lists.

One person is one display name (compared without case or surrounding spaces) with one call
number: the same name with two numbers stays two entries, and a record with neither is its
own entry. Each record is one session from join to leave; minutes attended merge overlapping
sessions (a phone and a laptop at once count once), and a session without a valid leave time
counts as a session but adds no minutes. A person's name, department and device order are
those of their earliest records. Every string stays as the API sent it (device and media labels
included, each kept once per person): an answer cleans what it shows.

The fold is what `aggregate` gives for all records at once. `AttendanceFold` gives the same
while the pages are still arriving (the service feeds it each page as it is used): for a
10,000-record meeting, folding then overlaps the network waits instead of following them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .dates import MAX_EPOCH_MS
from .wire import AttendanceRecord


@dataclass
class PersonAttendance:
    """Everything one person's records add up to (raw upstream text: cleaned when an answer shows it)."""

    name: str | None
    call_number: str | None
    dept_name: str | None = None
    device_types: list[str] = field(default_factory=list)
    media_types: list[str] = field(default_factory=list)
    first_join_ms: int | None = None
    last_leave_ms: int | None = None
    sessions: int = 0
    attended_ms: int | None = None
    sessions_without_leave: int = 0


def person_key(record: AttendanceRecord) -> tuple[str, str] | None:
    """Who a record belongs to: display name without case or surrounding spaces, and the call number.

    None when the record has neither: such a record cannot be matched to anyone else's.
    """
    key = ((record.display_name or "").strip().casefold(), (record.call_number or "").strip())
    return key if any(key) else None


def merged_ms(intervals: list[tuple[int, int]]) -> int:
    """Total length of the union of [start, end] intervals: overlaps are counted once."""
    total = 0
    current: tuple[int, int] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total


def _epoch_ms(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= MAX_EPOCH_MS else None


def join_order(record: AttendanceRecord) -> tuple[bool, int]:
    """The order records are folded in: by join time, records without a valid one last."""
    joined = _epoch_ms(record.join_time)
    return (False, joined) if joined is not None else (True, 0)


class AttendanceFold:
    """Folds records into people as they come, and gives what `aggregate` gives for all of them.

    Records are folded in the order they are added. Added in join order (as the API sends them),
    that is the order `aggregate` folds in, and `people` only has to finish each person; added in
    any other order, `people` folds them all again, sorted, so the result is the same either way.
    """

    def __init__(self) -> None:
        self._people: dict[tuple[str, str], PersonAttendance] = {}
        self._intervals: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self._folded = 0
        self._last: tuple[bool, int] = (False, -1)
        self.in_join_order = True
        """False once a record came with an earlier join than the one before it."""

    def add(self, records: Iterable[AttendanceRecord]) -> None:
        """Fold the next records in."""
        for record in records:
            order = join_order(record)
            if order < self._last:
                self.in_join_order = False
            self._last = order
            self._fold(record)

    def people(self, records: Sequence[AttendanceRecord]) -> list[PersonAttendance]:
        """One entry per person, ordered by first join (unknown last), then name.

        `records` are all the records added, in the order added; they are folded again, sorted, only
        if they did not come in join order.
        """
        if not self.in_join_order or self._folded != len(records):
            return aggregate(records)
        for key, person in self._people.items():
            spans = self._intervals[key]
            if len(spans) == 1:
                person.attended_ms = spans[0][1] - spans[0][0]
            elif spans:
                person.attended_ms = merged_ms(spans)
        return sorted(
            self._people.values(),
            key=lambda p: (p.first_join_ms is None, p.first_join_ms or 0, (p.name or "").casefold()),
        )

    def _fold(self, record: AttendanceRecord) -> None:
        name, number = record.display_name, record.call_number
        key = ((name or "").strip().casefold(), (number or "").strip())
        if not (key[0] or key[1]):
            key = ("", f"anonymous record {self._folded}")
        self._folded += 1
        person = self._people.get(key)
        if person is None:
            person = self._people[key] = PersonAttendance(name=name, call_number=number)
            spans = self._intervals[key] = []
        else:
            spans = self._intervals[key]
        if person.dept_name is None:
            person.dept_name = record.dept_name
        device, media = record.device_type, record.media_type
        if device and device not in person.device_types:
            person.device_types.append(device)
        if media and media not in person.media_types:
            person.media_types.append(media)
        person.sessions += 1
        joined, left = _epoch_ms(record.join_time), _epoch_ms(record.left_time)
        if joined is not None and (person.first_join_ms is None or joined < person.first_join_ms):
            person.first_join_ms = joined
        if joined is not None and left is not None and left >= joined:
            spans.append((joined, left))
            if person.last_leave_ms is None or left > person.last_leave_ms:
                person.last_leave_ms = left
        else:
            person.sessions_without_leave += 1


def aggregate(records: Sequence[AttendanceRecord]) -> list[PersonAttendance]:
    """Fold records into one entry per person, ordered by first join (unknown last), then name."""
    fold = AttendanceFold()
    ordered = sorted(records, key=join_order)
    fold.add(ordered)
    return fold.people(ordered)
