"""The attendance view: raw join/leave records folded into one entry per person, and its text.

One person is one display name (compared without case or surrounding spaces) with one call
number: the same name with two numbers stays two entries, and a record with neither is its
own entry. Each record is one session from join to leave; minutes attended merge overlapping
sessions (a phone and a laptop at once count once), and a session without a valid leave time
counts as a session but adds no minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, tzinfo

from ..dates import EPOCH, MAX_EPOCH_MS
from ..output import AttendanceSummary, Attendee, AttendeePage, MeetingAttendance, MeetingTime, Stay
from ..wire import AttendanceRecord, AttendanceRecords, ConfDetailResponse
from .common import (
    LONG,
    TEXT_BUDGET,
    ViewOptions,
    call_text,
    join,
    lines_that_fit,
    meeting_times,
    moment,
    text,
    trimmed_page,
)

TOOL = "get_historical_meeting_attendance"
IDENTITY_NOTE = (
    "One attendee is one display name with one number; minutes attended count overlapping sessions "
    "(two devices at once) once."
)


@dataclass
class PersonAttendance:
    """Everything one person's records add up to."""

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


def _add_unique(values: list[str], value: str | None, limit: int = 32) -> None:
    cleaned = text(value, limit)
    if cleaned and cleaned not in values:
        values.append(cleaned)


def aggregate(records: list[AttendanceRecord]) -> list[PersonAttendance]:
    """Fold records into one entry per person, ordered by first join (unknown last), then name."""
    people: dict[tuple[str, str], PersonAttendance] = {}
    intervals: dict[tuple[str, str], list[tuple[int, int]]] = {}
    ordered = sorted(records, key=lambda r: (_epoch_ms(r.join_time) is None, _epoch_ms(r.join_time) or 0))
    for index, record in enumerate(ordered):
        key = person_key(record) or ("", f"anonymous record {index}")
        person = people.get(key)
        if person is None:
            person = people[key] = PersonAttendance(
                name=text(record.display_name), call_number=text(record.call_number, 64)
            )
            intervals[key] = []
        person.dept_name = person.dept_name or text(record.dept_name)
        _add_unique(person.device_types, record.device_type)
        _add_unique(person.media_types, record.media_type)
        person.sessions += 1
        joined, left = _epoch_ms(record.join_time), _epoch_ms(record.left_time)
        if joined is not None:
            person.first_join_ms = joined if person.first_join_ms is None else min(person.first_join_ms, joined)
        if joined is not None and left is not None and left >= joined:
            intervals[key].append((joined, left))
            person.last_leave_ms = left if person.last_leave_ms is None else max(person.last_leave_ms, left)
        else:
            person.sessions_without_leave += 1
    for key, person in people.items():
        if intervals[key]:
            person.attended_ms = merged_ms(intervals[key])
    return sorted(
        people.values(),
        key=lambda p: (p.first_join_ms is None, p.first_join_ms or 0, (p.name or "").casefold()),
    )


def _minutes(ms: int) -> float:
    return round(ms / 60_000, 1)


def _at(epoch_ms: int | None, zone: tzinfo | None) -> MeetingTime:
    return moment(None if epoch_ms is None else EPOCH + timedelta(milliseconds=epoch_ms), zone, "seconds")


def _attendee(person: PersonAttendance, zone: tzinfo | None, options: ViewOptions) -> Attendee:
    return Attendee(
        name=person.name,
        deptName=person.dept_name,
        callNumber=person.call_number if options.include_contacts else None,
        deviceTypes=person.device_types,
        mediaTypes=person.media_types,
        firstJoin=_at(person.first_join_ms, zone),
        lastLeave=_at(person.last_leave_ms, zone),
        sessions=person.sessions,
        minutesAttended=None if person.attended_ms is None else _minutes(person.attended_ms),
        sessionsWithoutLeaveTime=person.sessions_without_leave or None,
    )


def _summary(people: list[PersonAttendance], sessions: int) -> AttendanceSummary:
    timed = [p for p in people if p.attended_ms is not None]
    longest = max(timed, key=lambda p: p.attended_ms or 0, default=None)
    shortest = min(timed, key=lambda p: p.attended_ms or 0, default=None)
    return AttendanceSummary(
        uniqueAttendees=len(people),
        sessions=sessions,
        longestStay=Stay(name=longest.name, minutesAttended=_minutes(longest.attended_ms or 0)) if longest else None,
        shortestStay=Stay(name=shortest.name, minutesAttended=_minutes(shortest.attended_ms or 0))
        if shortest
        else None,
    )


@dataclass(frozen=True)
class AttendanceRequest:
    """What the caller asked for: the meeting, the filter, and a page of people."""

    conf_uuid: str
    offset: int = 0
    limit: int = 50
    search_key: str | None = None


def build_attendance(
    fetched: AttendanceRecords,
    request: AttendanceRequest,
    meeting: ConfDetailResponse | None,
    meeting_problem: str | None,
    options: ViewOptions,
) -> MeetingAttendance:
    """Aggregate the records per person and return one page of people with the summary and caveats.

    `meeting` (from one confDetail call) gives the subject and zone; when it is None,
    `meeting_problem` says why, and times are given in UTC only.
    """
    notes: list[str] = []
    conf = meeting.conference_data if meeting is not None else None
    times = meeting_times(conf, options, notes) if conf is not None else None
    if conf is None:
        notes.append(f"The meeting itself could not be read ({meeting_problem}), so times are in UTC only.")
    zone = times.tz if times is not None else None

    people = aggregate(fetched.records)
    page = people[request.offset : request.offset + request.limit]
    more = request.offset + len(page) < len(people)
    if fetched.capped:
        notes.append(
            f"Reading stopped after {fetched.pages} pages ({len(fetched.records)} records)"
            + (f" of the {fetched.reported_total} the API holds" if fetched.reported_total is not None else "")
            + ": the summary and list cover only those. Narrow the search with searchKey."
        )
    elif fetched.reported_total is not None and fetched.reported_total > len(fetched.records):
        notes.append(
            f"The API reported {fetched.reported_total} records but sent {len(fetched.records)}: "
            "the summary covers those sent."
        )
    if not fetched.records:
        search = " matching the searchKey" if request.search_key else ""
        notes.append(
            f"No attendance records{search}. Records exist only for people who actually joined; "
            "check the confUUID with list_historical_meetings (each occurrence has its own)."
        )
    elif not page:
        notes.append(f"No attendees at offset {request.offset}: there are {len(people)} in all.")
    else:
        notes.append(IDENTITY_NOTE)
    if any(p.sessions_without_leave for p in people):
        notes.append("Some sessions had no valid leave time: they count as sessions but add no minutes.")

    return MeetingAttendance(
        confUUID=request.conf_uuid,
        conferenceID=text(conf.conference_id, 32) if conf else None,
        subject=text(conf.subject, LONG) if conf else None,
        timeZone=times.zone if times else None,
        start=times.start if times else None,
        end=times.end if times else None,
        searchKey=request.search_key,
        recordsRead=len(fetched.records),
        recordsReported=fetched.reported_total,
        pagesRead=fetched.pages,
        capped=fetched.capped,
        summary=_summary(people, len(fetched.records)),
        attendees=AttendeePage(
            total=len(people),
            offset=request.offset,
            returned=len(page),
            nextOffset=request.offset + len(page) if more and page else None,
            items=[_attendee(p, zone, options) for p in page],
        ),
        notes=notes,
    )


# --- text rendering -------------------------------------------------------------------------


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _point(point: MeetingTime) -> str:
    if point.utc is None:
        return "unknown"
    return f"{point.utc} ({point.local})" if point.local else point.utc


def attendee_line(person: Attendee) -> str:
    """One compact line per attendee."""
    minutes = f"{person.minutesAttended} min" if person.minutesAttended is not None else "minutes unknown"
    sessions = _plural(person.sessions, "session")
    return "- " + join(
        [
            person.name or "(no name)",
            person.deptName,
            person.callNumber,
            ", ".join(person.deviceTypes) or None,
            minutes,
            sessions,
            f"first join {_point(person.firstJoin)}",
            f"last leave {_point(person.lastLeave)}",
        ]
    )


def _heading(result: MeetingAttendance) -> list[str]:
    meeting = join(
        [
            f'Attendance of "{result.subject or "(no subject)"}"' if result.subject else "Attendance",
            f"ID {result.conferenceID}" if result.conferenceID else None,
            f"confUUID {result.confUUID}",
        ]
    )
    lines = [meeting]
    if result.start is not None and result.start.utc:
        zone = result.timeZone.label if result.timeZone and result.timeZone.label else "unknown"
        end = f" to {_point(result.end)}" if result.end and result.end.utc else ""
        lines.append(f"Meeting: {_point(result.start)}{end} · time zone {zone}")
    summary = result.summary
    stays = join(
        [
            f"longest: {summary.longestStay.name or '(no name)'} {summary.longestStay.minutesAttended} min"
            if summary.longestStay
            else None,
            f"shortest: {summary.shortestStay.name or '(no name)'} {summary.shortestStay.minutesAttended} min"
            if summary.shortestStay
            else None,
        ]
    )
    capped = " (capped)" if result.capped else ""
    lines.append(
        f"Summary: {_plural(summary.uniqueAttendees, 'unique attendee')} in {_plural(summary.sessions, 'session')} "
        f"({_plural(result.recordsRead, 'record')} read in {_plural(result.pagesRead, 'page')}{capped})"
        + (f" · {stays}" if stays else "")
    )
    page = result.attendees
    search = f', matching "{result.searchKey}"' if result.searchKey else ""
    if page.returned:
        lines.append(
            f"Attendees {page.offset + 1}-{page.offset + page.returned} of {page.total}{search}, in order of first "
            "join; times UTC (meeting's zone):"
        )
    return lines


def next_call(result: MeetingAttendance, limit: int) -> str | None:
    """The exact call that returns the next page of attendees, or None on the last page."""
    if result.attendees.nextOffset is None:
        return None
    return call_text(
        TOOL,
        {
            "confUUID": result.confUUID,
            "searchKey": result.searchKey,
            "offset": result.attendees.nextOffset,
            "limit": limit,
        },
    )


def _footer(result: MeetingAttendance, limit: int) -> list[str]:
    lines = []
    call = next_call(result, limit)
    if call:
        reason = " (page trimmed to fit the size budget)" if result.attendees.trimmedToFit else ""
        lines.append(f"More attendees remain{reason}: call {call}")
    lines.extend(f"Note: {note}" for note in result.notes)
    return lines


def render_attendance(
    result: MeetingAttendance, limit: int, budget: int = TEXT_BUDGET
) -> tuple[MeetingAttendance, str]:
    """Render the text block, trimming the page of attendees so the text stays under `budget` characters.

    Returns the (possibly trimmed) result with its text, so structured content and text agree.
    """
    page = result.attendees
    lines = [attendee_line(person) for person in page.items]
    worst = page.model_copy(update={"nextOffset": page.offset + len(lines), "trimmedToFit": True})
    reserve = len("\n".join(_footer(result.model_copy(update={"attendees": worst}), limit))) + 2
    kept = lines_that_fit(lines, budget - len("\n".join(_heading(result))) - reserve - 1)
    if kept < len(lines):
        page = trimmed_page(page, page.items, page.offset, kept)
        result = result.model_copy(update={"attendees": page})
    return result, "\n".join([*_heading(result), *lines[:kept], *_footer(result, limit)])
