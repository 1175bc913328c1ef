"""The series view: the occurrences of one meeting ID in a window, and who attended them how regularly.

Each occurrence's attendance is reconciled with its own participant list (`reconcile`), and people are
followed across occurrences by the entry they matched: the entry's number, else its name. So someone
invited by name who joined as "iPhone" from their number counts for the invited person, and an invitee
who missed an occurrence is still counted as invited to it. Attendees on no list are followed by their
number, else their name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..attendance_fold import PersonAttendance, aggregate
from ..dates import DateRange, Instant, iso_ms
from ..output import MeetingSeries, MeetingTime, Page, RangeEnd, SeriesOccurrence, SeriesPerson, SeriesSummary
from ..people import is_room
from ..reads import OccurrenceRead, SeriesRead
from ..wire import ParticipantInfo
from .clean import LONG, Scrub, code
from .options import ToolNames, ViewOptions
from .paging import AnswerText, Argument, NextCall, call_text
from .reconcile import Match, name_key, number_key, reconcile
from .times import meeting_times
from .words import at, is_conf_uuid, join, minutes, plural, shown, shown_id

SERIES_DAYS = 90
"""The default window: the 90 days up to now (a series needs more history than one list page)."""
IDENTITY_NOTE = (
    "People are followed across occurrences by the participant-list entry they matched (its number, else its "
    "name), so someone who joined under a device name counts for the person invited; attendees on no list by "
    "their number, else their name. Minutes are per occurrence, overlapping sessions counted once."
)

Key = tuple[str, str]


def _entry_key(entry: ParticipantInfo) -> Key:
    number = number_key(entry.participant_id) or number_key(entry.subscriber_id)
    return ("number", number) if number else ("name", name_key(entry.name) or "")


def _attendee_key(person: PersonAttendance, match: Match | None) -> Key:
    if match is not None:
        return _entry_key(match.entry)
    number = number_key(person.call_number)
    return ("number", number) if number else ("name", name_key(person.name) or "")


@dataclass
class _Regular:
    """One person across the occurrences, as the fold goes."""

    name: str | None
    room: bool
    dept: str | None
    attended: dict[int, int] = field(default_factory=dict)
    """Occurrence index -> milliseconds attended (the longest of their joins that occurrence)."""
    invited: set[int] = field(default_factory=set)


def _fold(occurrences: list[OccurrenceRead]) -> tuple[dict[Key, _Regular], list[tuple[int | None, int | None]]]:
    """Everyone across the occurrences; and per occurrence, its attendees and absentees (None when unread)."""
    regulars: dict[Key, _Regular] = {}
    counts: list[tuple[int | None, int | None]] = []

    def regular(key: Key, name: str | None, room: bool, dept: str | None) -> _Regular:
        found = regulars.get(key)
        if found is None:
            found = regulars[key] = _Regular(name, room, dept)
        return found

    for index, occurrence in enumerate(occurrences):
        read = occurrence.attendance.value
        if read is None:
            counts.append((None, None))
            continue
        people = read.records.people if read.records.people is not None else aggregate(read.records.records)
        listed = read.participants.value
        found = reconcile(people, listed) if listed is not None else None
        for invitee in listed or []:
            key = _entry_key(invitee)
            regular(key, invitee.name, is_room(invitee.attendee_type), invitee.dept_name).invited.add(index)
        matches: list[Match | None] = found.matches if found else [None] * len(people)
        for person, match in zip(people, matches, strict=True):
            entry = match.entry if match else None
            room = is_room(entry.attendee_type if entry else None, person.device_types)
            name = entry.name if entry else person.name
            one = regular(
                _attendee_key(person, match), name, room, person.dept_name or (entry.dept_name if entry else None)
            )
            one.attended[index] = max(one.attended.get(index, 0), person.attended_ms or 0)
        counts.append((len(people), len(found.absent) if found else None))
    return regulars, counts


def _range_end(instant: Instant, defaulted: bool) -> RangeEnd:
    return RangeEnd(utc=iso_ms(instant.moment), epochMs=instant.epoch_ms, defaulted=defaulted)


def build_series(
    read: SeriesRead, meeting_id: str, window: DateRange, offset: int, limit: int, options: ViewOptions
) -> MeetingSeries:
    """The occurrences of `meeting_id` in `window` with their lengths and attendee counts, and a page of people."""
    notes: list[str] = []
    time_notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    regulars, counts = _fold(read.occurrences)
    occurrences: list[SeriesOccurrence] = []
    starts: list[MeetingTime] = []
    for occurrence, (attendees, absent) in zip(read.occurrences, counts, strict=True):
        times = meeting_times(occurrence.meeting, options, time_notes)
        starts.append(times.start)
        occurrences.append(
            SeriesOccurrence(
                confUUID=code(occurrence.meeting.conf_uuid, 64),
                start=times.start,
                durationMinutes=times.duration_minutes,
                attendees=attendees,
                absent=absent,
                unreadable=occurrence.attendance.problem,
            )
        )
    notes.extend(dict.fromkeys(time_notes))
    total = len(occurrences)
    people = [
        SeriesPerson(
            name=scrub(one.name),
            kind="room" if one.room else "person",
            deptName=scrub(one.dept),
            attended=len(one.attended),
            invited=len(one.invited),
            occurrences=total,
            minutesAttended=round(sum(one.attended.values()) / 60_000, 1),
            lastAttended=starts[max(one.attended)] if one.attended else None,
        )
        for one in regulars.values()
    ]
    people.sort(key=lambda p: (-p.attended, -p.minutesAttended, (p.name or "").casefold()))
    page = people[offset : offset + limit]
    _notes(read, window, total, meeting_id, options, notes)
    timed = [o for o in occurrences if o.durationMinutes is not None]
    counted = [o.attendees for o in occurrences if o.attendees is not None]
    latest = read.occurrences[-1].meeting if read.occurrences else None
    result = MeetingSeries(
        meetingID=meeting_id,
        subject=scrub(latest.subject, LONG) if latest else None,
        startDate=_range_end(window.start, window.start_defaulted),
        endDate=_range_end(window.end, window.end_defaulted),
        capped=read.capped,
        summary=SeriesSummary(
            occurrences=total,
            totalMinutes=sum(o.durationMinutes or 0 for o in timed),
            longest=max(timed, key=lambda o: o.durationMinutes or 0, default=None),
            shortest=min(timed, key=lambda o: o.durationMinutes or 0, default=None),
            averageAttendees=round(sum(counted) / len(counted), 1) if counted else None,
        ),
        occurrences=occurrences,
        people=page,
        page=Page.of(offset, len(page), count=len(people)),
        notes=notes,
    )
    scrub.note(result.notes)
    return result


def _notes(
    read: SeriesRead, window: DateRange, total: int, meeting_id: str, options: ViewOptions, notes: list[str]
) -> None:
    if window.start_defaulted:
        notes.append(f"No startDate was given: the window starts {SERIES_DAYS} days before endDate.")
    if window.end_defaulted:
        notes.append("No endDate was given: the window ends now.")
    if not total:
        notes.append(
            f"No occurrence of meeting ID {meeting_id} started in the window. Check the ID (the 9 digits people "
            f"type to join) with {options.tools.list}, or widen the window; ordinary users see only meetings they "
            "created or were invited to, administrators add queryAll=true."
        )
    else:
        notes.append(IDENTITY_NOTE)
    if read.other_rows:
        notes.append(
            f"{plural(read.other_rows, 'meeting')} of the list's search held the digits elsewhere (subject or "
            "organizer) under another meeting ID: left out."
        )
    if read.capped:
        notes.append(
            f"More occurrences started in the window than one answer reads: the newest {total} were read. "
            "Narrow the window with startDate and endDate for earlier ones."
        )
    failed = sum(1 for o in read.occurrences if o.attendance.value is None)
    if failed:
        notes.append(
            f"The attendance of {plural(failed, 'occurrence')} could not be read (each says why): those count in "
            "the lengths, not in anyone's attendance."
        )
    if read.query.query_all:
        notes.append("Searched the whole enterprise (queryAll=true).")


# --- text rendering -------------------------------------------------------------------------


def person_line(person: SeriesPerson) -> str:
    """One line per person: attended of the occurrences, invited to, minutes."""
    return "- " + join(
        [
            shown(person.name, "(no name)"),
            "room" if person.kind == "room" else None,
            shown(person.deptName) if person.deptName else None,
            f"attended {person.attended} of {person.occurrences}",
            f"invited to {person.invited}",
            minutes(person.minutesAttended),
            f"last joined {at(person.lastAttended)}" if person.lastAttended else None,
        ]
    )


def occurrence_line(occurrence: SeriesOccurrence) -> str:
    """One line per occurrence: start, length, attendees, who never joined, its confUUID."""
    uuid = occurrence.confUUID
    return "- " + join(
        [
            at(occurrence.start),
            f"{occurrence.durationMinutes} min" if occurrence.durationMinutes is not None else "length unknown",
            plural(occurrence.attendees, "attendee") if occurrence.attendees is not None else None,
            f"{occurrence.absent} never joined" if occurrence.absent is not None else None,
            f"attendance unreadable ({occurrence.unreadable})" if occurrence.unreadable else None,
            f"confUUID {uuid}" if is_conf_uuid(uuid) else (f"confUUID {shown(uuid)}" if uuid else None),
        ]
    )


def _extreme(label: str, occurrence: SeriesOccurrence | None) -> str | None:
    if occurrence is None:
        return None
    return f"{label}: {at(occurrence.start)}, {occurrence.durationMinutes} min"


def _header(series: MeetingSeries) -> list[str]:
    summary = series.summary
    lines = [
        join(
            [
                f"Series of meeting ID {shown_id(series.meetingID)}",
                shown(series.subject) if series.subject else None,
                f"{plural(summary.occurrences, 'occurrence')} that started {series.startDate.utc} .. "
                f"{series.endDate.utc}" + (" (capped: the newest)" if series.capped else ""),
            ]
        )
    ]
    if summary.occurrences:
        average = (
            f"{summary.averageAttendees:g} attendees per occurrence" if summary.averageAttendees is not None else None
        )
        lines.append(
            join(
                [
                    _extreme("Longest", summary.longest),
                    _extreme("shortest", summary.shortest),
                    f"{summary.totalMinutes} min in all",
                    average,
                ]
            )
        )
        lines.append("Occurrences, oldest first (start, length, attendees, never joined):")
        lines.extend(occurrence_line(o) for o in series.occurrences)
    return lines


def _next_call(series: MeetingSeries, limit: int, tools: ToolNames) -> NextCall:
    arguments: dict[str, Argument] = {
        "meetingID": series.meetingID,
        "startDate": series.startDate.epochMs,
        "endDate": series.endDate.epochMs,
        "offset": None,
        "limit": limit,
    }
    return NextCall(tools.series, arguments)


def _closing(series: MeetingSeries, tools: ToolNames) -> list[str]:
    example = next((o.confUUID for o in reversed(series.occurrences) if is_conf_uuid(o.confUUID)), None)
    if example is None:
        return []
    return [
        f"Next: {call_text(tools.attendance, {'confUUID': example})} gives one occurrence's attendees, absentees "
        f"and devices; {call_text(tools.detail, {'confUUID': example})} what it was and its recording."
    ]


SERIES_TEXT = AnswerText(
    "People",
    person_line,
    _next_call,
    header=_header,
    qualifier=lambda _: ", most regular first (occurrences attended, then minutes)",
    closing=_closing,
)
"""How a series answer renders."""
