"""The attendance view: raw join/leave records folded into one entry per person, and its text.

One person is one display name (compared without case or surrounding spaces) with one call
number: the same name with two numbers stays two entries, and a record with neither is its
own entry. Each record is one session from join to leave; minutes attended merge overlapping
sessions (a phone and a laptop at once count once), and a session without a valid leave time
counts as a session but adds no minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from ..dates import MAX_EPOCH_MS
from ..output import AttendanceShow, AttendanceSummary, Attendee, MeetingAttendance, Page, Participant, Stay
from ..wire import AttendanceQuery, AttendanceRead, AttendanceRecord, AttendanceRecords
from .common import LONG, Scrub, ToolNames, ViewOptions, at_epoch_ms, code, meeting_times_if_read, text
from .detail import participant, participant_line
from .paging import NextCall, PageText
from .reconcile import Reconciliation, reconcile
from .words import at, join, minutes, plural, shown, shown_id, zone_text

PARTICIPANT_LIST = (
    "Never joined and uninvited compare attendance with the meeting's participant list: the people and rooms "
    "invited when it was scheduled and those the host invited during it."
)
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


class _Labels(dict[str | None, str | None]):
    """Device and media labels of one answer, each cleaned once: thousands of records share a handful."""

    def __missing__(self, value: str | None) -> str | None:
        self[value] = cleaned = code(value, 32)
        return cleaned


def _add_unique(values: list[str], cleaned: str | None) -> None:
    if cleaned and cleaned not in values:
        values.append(cleaned)


def aggregate(records: list[AttendanceRecord]) -> list[PersonAttendance]:
    """Fold records into one entry per person, ordered by first join (unknown last), then name."""
    labels = _Labels()
    people: dict[tuple[str, str], PersonAttendance] = {}
    intervals: dict[tuple[str, str], list[tuple[int, int]]] = {}
    ordered = sorted(records, key=lambda r: (_epoch_ms(r.join_time) is None, _epoch_ms(r.join_time) or 0))
    for index, record in enumerate(ordered):
        key = person_key(record) or ("", f"anonymous record {index}")
        person = people.get(key)
        if person is None:
            # Raw upstream text: cleaned (and masked) only for the people an answer shows (`_attendee`, `_stay`).
            person = people[key] = PersonAttendance(name=record.display_name, call_number=record.call_number)
            intervals[key] = []
        if person.dept_name is None:
            person.dept_name = record.dept_name
        _add_unique(person.device_types, labels[record.device_type])
        _add_unique(person.media_types, labels[record.media_type])
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


def _attendee(person: PersonAttendance, zone: tzinfo | None, scrub: Scrub) -> Attendee:
    return Attendee(
        name=scrub(person.name),
        deptName=scrub(person.dept_name),
        callNumber=text(person.call_number, 64) if scrub.include_contacts else None,
        deviceTypes=person.device_types,
        mediaTypes=person.media_types,
        firstJoin=at_epoch_ms(person.first_join_ms, zone),
        lastLeave=at_epoch_ms(person.last_leave_ms, zone),
        sessions=person.sessions,
        minutesAttended=None if person.attended_ms is None else _minutes(person.attended_ms),
        sessionsWithoutLeaveTime=person.sessions_without_leave or None,
    )


def _stay(person: PersonAttendance | None, scrub: Scrub) -> Stay | None:
    if person is None:
        return None
    return Stay(name=scrub(person.name), minutesAttended=_minutes(person.attended_ms or 0))


def _summary(
    people: list[PersonAttendance], sessions: int, listed: int | None, found: Reconciliation | None, scrub: Scrub
) -> AttendanceSummary:
    timed = [p for p in people if p.attended_ms is not None]
    return AttendanceSummary(
        uniqueAttendees=len(people),
        sessions=sessions,
        participantList=listed,
        absent=len(found.absent) if found else None,
        uninvited=len(found.uninvited) if found else None,
        matchedByNameOnly=found.matched_by_name_only if found else None,
        longestStay=_stay(max(timed, key=lambda p: p.attended_ms or 0, default=None), scrub),
        shortestStay=_stay(min(timed, key=lambda p: p.attended_ms or 0, default=None), scrub),
    )


def _reading_notes(fetched: AttendanceRecords, notes: list[str]) -> None:
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


def _reconciliation_notes(read: AttendanceRead, found: Reconciliation | None, query: AttendanceQuery) -> list[str]:
    if found is None:
        return [
            f"The participant list could not be read ({read.participants.problem}), so who never joined and who "
            "came uninvited are not counted."
        ]
    notes = [PARTICIPANT_LIST]
    if found.matched_by_name_only:
        notes.append(
            f"{plural(found.matched_by_name_only, 'attendee')} matched the participant list by display name only "
            "(not by number): an approximation."
        )
    if query.search_key:
        notes.append("With searchKey, both the attendance records and the participant list were filtered by it.")
    return notes


def build_attendance(
    read: AttendanceRead, query: AttendanceQuery, show: AttendanceShow, options: ViewOptions
) -> MeetingAttendance:
    """Fold the records per person, reconcile them with the participant list, and return one page.

    `query` names the meeting and the filter; its offset and limit count people, not records. `show`
    picks what the page lists: attendees, the list's entries who never joined, or uninvited attendees.
    Without the meeting (`read.meeting` failed) times are in UTC only; without the participant list,
    nothing is reconciled; each answer says why.
    """
    notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    conf = read.meeting.value
    times = meeting_times_if_read(read.meeting, options, notes)
    zone = times.tz if times is not None else None

    fetched = read.records
    people = aggregate(fetched.records)
    listed = read.participants.value
    found = reconcile(people, listed) if listed is not None else None
    _reading_notes(fetched, notes)
    if not fetched.records:
        search = " matching the searchKey" if query.search_key else ""
        notes.append(
            f"No attendance records{search}. Records exist only for people who actually joined; "
            f"check the confUUID with {options.tools.list} (each occurrence has its own)."
        )
    else:
        notes.append(IDENTITY_NOTE)
    if any(p.sessions_without_leave for p in people):
        notes.append("Some sessions had no valid leave time: they count as sessions but add no minutes.")
    notes.extend(_reconciliation_notes(read, found, query))

    window = slice(query.offset, query.offset + query.limit)
    absent: list[Participant] = []
    attendees: list[Attendee] = []
    if show == "absent":
        everyone: list[object] = list(found.absent) if found else []
        absent = [participant(entry, scrub) for entry in (found.absent[window] if found else [])]
        returned = len(absent)
    else:
        chosen = people if show == "attendees" else (found.uninvited if found else [])
        everyone = list(chosen)
        attendees = [_attendee(p, zone, scrub) for p in chosen[window]]
        returned = len(attendees)
    result = MeetingAttendance(
        confUUID=query.conf_uuid,
        conferenceID=code(conf.conference_id, 32) if conf else None,
        subject=scrub(conf.subject, LONG) if conf else None,
        timeZone=times.zone if times else None,
        start=times.start if times else None,
        end=times.end if times else None,
        searchKey=query.search_key,
        recordsRead=len(fetched.records),
        recordsReported=fetched.reported_total,
        pagesRead=fetched.pages,
        capped=fetched.capped,
        summary=_summary(people, len(fetched.records), len(listed) if listed is not None else None, found, scrub),
        show=show,
        attendees=attendees,
        absent=absent,
        page=Page.of(query.offset, returned, count=len(everyone)),
        notes=notes,
    )
    scrub.note(result.notes)
    return result


# --- text rendering -------------------------------------------------------------------------


def attendee_line(person: Attendee) -> str:
    """One compact line per attendee."""
    return "- " + join(
        [
            shown(person.name, "(no name)"),
            shown(person.deptName) if person.deptName else None,
            shown(person.callNumber) if person.callNumber else None,
            ", ".join(shown(device) for device in person.deviceTypes) or None,
            minutes(person.minutesAttended),
            plural(person.sessions, "session"),
            f"first join {at(person.firstJoin)}",
            f"last leave {at(person.lastLeave)}",
        ]
    )


def _stay_text(label: str, stay: Stay | None) -> str | None:
    return f"{label}: {shown(stay.name, '(no name)')} {minutes(stay.minutesAttended)}" if stay else None


def _header(result: MeetingAttendance) -> list[str]:
    lines = [
        join(
            [
                f"Attendance of {shown(result.subject)}" if result.subject else "Attendance",
                f"ID {shown_id(result.conferenceID)}" if result.conferenceID else None,
                f"confUUID {shown_id(result.confUUID)}",
            ]
        )
    ]
    if result.start is not None and result.start.utc:
        end = f" · End: {at(result.end)}" if result.end and result.end.utc else ""
        lines.append(f"Meeting start: {at(result.start)}{end} · Time zone: {zone_text(result.timeZone)}")
    summary = result.summary
    stays = join([_stay_text("longest", summary.longestStay), _stay_text("shortest", summary.shortestStay)])
    capped = " (capped)" if result.capped else ""
    lines.append(
        f"Summary: {plural(summary.uniqueAttendees, 'unique attendee')} in {plural(summary.sessions, 'session')} "
        f"({plural(result.recordsRead, 'record')} read in {plural(result.pagesRead, 'page')}{capped})"
        + (f" · {stays}" if stays else "")
    )
    if summary.participantList is not None:
        by_name = f", {summary.matchedByNameOnly} of them by name only" if summary.matchedByNameOnly else ""
        lines.append(
            f"Participant list: {plural(summary.participantList, 'entry', 'entries')} · never joined: "
            f"{summary.absent} · joined uninvited: {summary.uninvited} · matched to the list: "
            f"{summary.participantList - (summary.absent or 0)}{by_name}"
        )
    return lines


def _qualifier(result: MeetingAttendance) -> str:
    search = f", matching {shown(result.searchKey)}" if result.searchKey else ""
    order = ", in list order" if result.show == "absent" else ", in order of first join"
    return f"{search}{order}"


def _next_call(result: MeetingAttendance, limit: int, tools: ToolNames) -> NextCall | None:
    show = None if result.show == "attendees" else result.show
    arguments = {"searchKey": result.searchKey, "show": show, "offset": None, "limit": limit}
    return NextCall.for_meeting(tools.attendance, result.confUUID, arguments)


def _text(noun: str, item: Callable[[Any], str]) -> PageText[MeetingAttendance]:
    return PageText(noun, item, _next_call, header=_header, qualifier=_qualifier)


ATTENDANCE_TEXT: dict[AttendanceShow, PageText[MeetingAttendance]] = {
    "attendees": _text("Attendees", attendee_line),
    "absent": _text("People who never joined", participant_line),
    "uninvited": _text("Uninvited attendees", attendee_line),
}
"""How an attendance answer renders, by what it shows."""
