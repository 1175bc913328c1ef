"""The attendance view: one entry per person (the records folded by `attendance_fold.py`), reconciled, and its text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from ..attendance_fold import PersonAttendance, aggregate
from ..output import AttendanceShow, AttendanceSummary, Attendee, MeetingAttendance, Page, Participant, Stay
from ..reads import AttendanceRead, AttendanceRecords
from ..wire import AttendanceQuery
from .clean import LONG, Scrub, code, echoed
from .detail import participant, participant_line
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall
from .reconcile import Reconciliation, reconcile
from .times import at_epoch_ms, meeting_times_if_read
from .words import at, join, minutes, plural, shown, shown_id, zone_text

PARTICIPANT_LIST = (
    "Never joined and uninvited compare attendance with the meeting's participant list: the people and rooms "
    "invited when it was scheduled and those the host invited during it."
)
IDENTITY_NOTE = (
    "One attendee is one display name with one number; minutes attended count overlapping sessions "
    "(two devices at once) once."
)


def _minutes(ms: int) -> float:
    return round(ms / 60_000, 1)


def _labels(raw: list[str]) -> list[str]:
    """Device or media labels as shown: each cleaned (as a code), blanks dropped, each once."""
    shown = (code(label, 32) for label in raw)
    return list(dict.fromkeys(label for label in shown if label))


def _attendee(person: PersonAttendance, zone: tzinfo | None, scrub: Scrub) -> Attendee:
    return Attendee(
        name=scrub(person.name),
        deptName=scrub(person.dept_name),
        callNumber=scrub(person.call_number, 64) if scrub.include_contacts else None,
        deviceTypes=_labels(person.device_types),
        mediaTypes=_labels(person.media_types),
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
    if read.participant_list_capped:
        listed = len(read.participants.value or [])
        notes.append(
            f"The participant list is longer than the {listed:,} entries read: only those were compared, so some "
            "of the attendees counted as uninvited may be on it, and the absent count covers those entries only."
        )
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
    people = fetched.people if fetched.people is not None else aggregate(fetched.records)
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
        confUUID=echoed(query.conf_uuid, "confUUID", notes, 64) or "",
        conferenceID=code(conf.conference_id, 32) if conf else None,
        subject=scrub(conf.subject, LONG) if conf else None,
        timeZone=times.zone if times else None,
        start=times.start if times else None,
        end=times.end if times else None,
        searchKey=echoed(query.search_key, "searchKey", notes),
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


def _text(noun: str, item: Callable[[Any], str]) -> AnswerText[MeetingAttendance]:
    return AnswerText(noun, item, _next_call, header=_header, qualifier=_qualifier)


ATTENDANCE_TEXT: dict[AttendanceShow, AnswerText[MeetingAttendance]] = {
    "attendees": _text("Attendees", attendee_line),
    "absent": _text("People who never joined", participant_line),
    "uninvited": _text("Uninvited attendees", attendee_line),
}
"""How an attendance answer renders, by what it shows."""
