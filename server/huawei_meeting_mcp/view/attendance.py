"""The attendance view: one entry per person (the records folded by `attendance_fold.py`), reconciled, and its text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from ..attendance_fold import PersonAttendance, aggregate
from ..output import (
    AttendanceShow,
    AttendanceSummary,
    Attendee,
    MeetingAttendance,
    Page,
    Participant,
    ParticipantType,
    Stay,
)
from ..people import is_room
from ..reads import AttendanceRead, AttendanceRecords
from ..wire import AttendanceQuery, ParticipantInfo
from .clean import LONG, Echoes, Scrub, code
from .detail import participant, participant_line
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall, call_text
from .reconcile import Match, Reconciliation, name_key, reconcile
from .times import at_epoch_ms, meeting_times_if_read
from .words import at, is_conf_uuid, join, minutes, plural, shown, shown_id, zone_text

PARTICIPANT_LIST = (
    "Never joined and uninvited compare attendance with the meeting's participant list: the people and rooms "
    "invited when it was scheduled and those the host invited during it."
)
IDENTITY_NOTE = (
    "One attendee is one display name with one number; minutes attended count overlapping sessions "
    "(two devices at once) once."
)
COUNT_RULE = (
    "unique attendees = matched + {uninvited} + same name as a matched entry; participant list = matched + "
    "never joined; unique attendees = people + rooms"
)
"""How the summary's counts add up (stated in every answer that reconciled)."""
WEBINAR_NOTE = (
    "A webinar's audience is never on its participant list (which holds the hosts and panelists): attendees not "
    "on it are counted as audience, not as uninvited."
)


def _minutes(ms: int) -> float:
    return round(ms / 60_000, 1)


def _labels(raw: list[str]) -> list[str]:
    """Device or media labels as shown: each cleaned (as a code), blanks dropped, each once."""
    shown = (code(label, 32) for label in raw)
    return list(dict.fromkeys(label for label in shown if label))


@dataclass(frozen=True)
class _Joined:
    """One attendee as the filters see them: the person, the entry they matched, and whether a room."""

    person: PersonAttendance
    match: Match | None
    room: bool


def _joined(people: list[PersonAttendance], found: Reconciliation | None) -> list[_Joined]:
    matches: list[Match | None] = found.matches if found else [None] * len(people)
    return [
        _Joined(person, match, is_room(match.entry.attendee_type if match else None, person.device_types))
        for person, match in zip(people, matches, strict=True)
    ]


def _renamed(joined: _Joined) -> bool:
    """Whether the attendee's shown name differs from the entry they matched."""
    return joined.match is not None and name_key(joined.match.entry.name) != name_key(joined.person.name)


def _attendee(joined: _Joined, zone: tzinfo | None, scrub: Scrub) -> Attendee:
    person, match = joined.person, joined.match
    return Attendee(
        name=scrub(person.name),
        kind="room" if joined.room else "person",
        invitedAs=scrub(match.entry.name) if match and _renamed(joined) else None,
        matchedBy=match.by if match else None,
        deptName=scrub(person.dept_name or (match.entry.dept_name if match else None)),
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
    joined: list[_Joined],
    sessions: int,
    listed: int | None,
    found: Reconciliation | None,
    webinar: bool,
    scrub: Scrub,
) -> AttendanceSummary:
    people = [j.person for j in joined]
    timed = [p for p in people if p.attended_ms is not None]
    rooms = sum(1 for j in joined if j.room)
    absent_rooms = sum(1 for entry in found.absent if is_room(entry.attendee_type)) if found else None
    outside = len(found.uninvited) if found else None
    return AttendanceSummary(
        uniqueAttendees=len(people),
        people=len(people) - rooms,
        rooms=rooms,
        sessions=sessions,
        participantList=listed,
        matched=found.matched if found else None,
        absent=len(found.absent) if found else None,
        absentPeople=None if found is None or absent_rooms is None else len(found.absent) - absent_rooms,
        absentRooms=absent_rooms,
        uninvited=None if webinar else outside,
        audience=outside if webinar else None,
        sameNameAsMatched=found.same_name if found else None,
        matchedByNameOnly=found.matched_by_name_only if found else None,
        countRule=COUNT_RULE.format(uninvited="audience" if webinar else "uninvited") if found else None,
        longestStay=_stay(max(timed, key=lambda p: p.attended_ms or 0, default=None), scrub),
        shortestStay=_stay(min(timed, key=lambda p: p.attended_ms or 0, default=None), scrub),
    )


def _reading_notes(fetched: AttendanceRecords, notes: list[str]) -> None:
    if fetched.capped:
        notes.append(
            f"Reading stopped after {fetched.pages} pages ({len(fetched.records)} records)"
            + (f" of the {fetched.reported_total} the API holds" if fetched.reported_total is not None else "")
            + ": the summary and list cover only those."
        )
    elif fetched.reported_total is not None and fetched.reported_total > len(fetched.records):
        notes.append(
            f"The API reported {fetched.reported_total} records but sent {len(fetched.records)}: "
            "the summary covers those sent."
        )


def _reconciliation_notes(read: AttendanceRead, found: Reconciliation | None, webinar: bool) -> list[str]:
    if found is None:
        return [
            f"The participant list could not be read ({read.participants.problem}), so who never joined and who "
            "came uninvited are not counted."
        ]
    notes = [PARTICIPANT_LIST]
    if webinar:
        notes.append(WEBINAR_NOTE)
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
    if found.same_name:
        notes.append(
            f"{plural(found.same_name, 'attendee')} joined under the name of an entry already matched (possibly "
            "the same person on a second number): counted as present, neither matched nor uninvited."
        )
    return notes


def _contains(needle: str | None, *values: str | None) -> bool:
    """Whether any of `values` contains `needle`, both folded as names are (NFKC, no case, one space)."""
    key = name_key(needle)
    return key is None or any(key in (name_key(value) or "") for value in values)


@dataclass(frozen=True)
class _Filters:
    """What narrows the page (never the summary): people or rooms, a department, a name."""

    kind: ParticipantType
    department: str | None
    search_key: str | None

    def kind_fits(self, room: bool) -> bool:
        """Whether a room (or a person) is asked for."""
        return self.kind == "all" or (self.kind == "rooms") == room

    def attendee(self, joined: _Joined, *, by_name: bool = True) -> bool:
        """Whether an attendee fits: kind, department (theirs or their entry's), name shown or invited."""
        entry = joined.match.entry if joined.match else None
        dept = (joined.person.dept_name, entry.dept_name if entry else None)
        name = (joined.person.name, entry.name if entry else None)
        return (
            self.kind_fits(joined.room)
            and _contains(self.department, *dept)
            and (not by_name or _contains(self.search_key, *name))
        )

    def entry(self, entry: ParticipantInfo, *, by_name: bool = True) -> bool:
        """Whether a participant-list entry fits: kind, department, name or account."""
        return (
            self.kind_fits(is_room(entry.attendee_type))
            and _contains(self.department, entry.dept_name)
            and (not by_name or _contains(self.search_key, entry.name, entry.account_id))
        )


def _in_department(filters: _Filters, joined: Iterable[_Joined], absent: Iterable[ParticipantInfo]) -> int:
    """How many attendees and absentees have `searchKey` in their department (a hint when no name held it)."""
    as_department = _Filters(filters.kind, filters.search_key, None)
    return sum(1 for j in joined if as_department.attendee(j, by_name=False)) + sum(
        1 for entry in absent if as_department.entry(entry, by_name=False)
    )


def build_attendance(
    read: AttendanceRead,
    query: AttendanceQuery,
    show: AttendanceShow,
    options: ViewOptions,
    *,
    kind: ParticipantType = "all",
    department: str | None = None,
) -> MeetingAttendance:
    """Fold the records per person, reconcile them with the whole participant list, and return one page.

    `query` names the meeting and the name filter; its offset and limit count people, not records (a
    limit of 0 gives the summary alone). `show` picks what the page lists: attendees, the list's entries
    who never joined, or attendees not on the list. `kind`, `department` and the searchKey narrow the
    page only, after the whole meeting was reconciled: they never change who is absent, and the summary
    covers the whole meeting. Without the meeting (`read.meeting` failed) times are in UTC only; without
    the participant list, nothing is reconciled; each answer says why.
    """
    notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    conf = read.meeting.value
    webinar = bool(conf and conf.webinar)
    times = meeting_times_if_read(read.meeting, options, notes)
    zone = times.tz if times is not None else None

    fetched = read.records
    people = fetched.people if fetched.people is not None else aggregate(fetched.records)
    listed = read.participants.value
    found = reconcile(people, listed) if listed is not None else None
    joined = _joined(people, found)
    _reading_notes(fetched, notes)
    if not fetched.records:
        notes.append(
            "No attendance records. Records exist only for people who actually joined; "
            f"check the confUUID with {options.tools.list} (each occurrence has its own)."
        )
    else:
        notes.append(IDENTITY_NOTE)
    if any(p.sessions_without_leave for p in people):
        notes.append("Some sessions had no valid leave time: they count as sessions but add no minutes.")
    notes.extend(_reconciliation_notes(read, found, webinar))
    renamed = sum(1 for j in joined if j.match and j.match.by == "number" and _renamed(j))
    if renamed:
        notes.append(
            f"{plural(renamed, 'attendee')} joined under another name than their participant-list entry (a device "
            "name such as 'iPhone') and matched it by number: each is shown with invitedAs, the name invited."
        )

    filters = _Filters(kind, department, query.search_key)
    window = slice(query.offset, query.offset + query.limit)
    absent: list[Participant] = []
    attendees: list[Attendee] = []
    if show == "absent":
        entries = [entry for entry in (found.absent if found else []) if filters.entry(entry)]
        absent = [participant(entry, scrub) for entry in entries[window]]
        total, returned = len(entries), len(absent)
    else:
        outside = {id(person) for person in found.uninvited} if found else set()
        pool = joined if show == "attendees" else [j for j in joined if id(j.person) in outside]
        chosen = [j for j in pool if filters.attendee(j)]
        attendees = [_attendee(j, zone, scrub) for j in chosen[window]]
        total, returned = len(chosen), len(attendees)
    if query.search_key or department or kind != "all":
        notes.append(
            "kind, department and searchKey narrow this page only, after the whole meeting was matched against "
            "its whole participant list (searchKey by the name shown and the invited name matched): the summary "
            "covers the whole meeting."
        )
    if query.search_key and not total and fetched.records:
        in_department = _in_department(filters, joined, found.absent if found else [])
        if in_department:
            notes.append(
                f"No name contains the searchKey, but {in_department} of the attendees and invitees have it in their "
                "department: ask again with department instead of searchKey."
            )
    echo = Echoes(notes)
    conf_uuid = echo(query.conf_uuid, "confUUID", 64) or ""
    if query.limit == 0:
        again = call_text(options.tools.attendance, {"confUUID": conf_uuid, "limit": 50})
        who = "attendees" if show == "attendees" else show
        listing = f": {again} lists them" if is_conf_uuid(conf_uuid) else ""
        notes.append(f"limit=0: the summary alone; {total} {who} fit the filters{listing}.")
    result = MeetingAttendance(
        confUUID=conf_uuid,
        conferenceID=code(conf.conference_id, 32) if conf else None,
        subject=scrub(conf.subject, LONG) if conf else None,
        webinar=webinar if conf else None,
        timeZone=times.zone if times else None,
        start=times.start if times else None,
        end=times.end if times else None,
        searchKey=echo(query.search_key, "searchKey"),
        kind=kind,
        department=echo(department, "department"),
        recordsRead=len(fetched.records),
        recordsReported=fetched.reported_total,
        pagesRead=fetched.pages,
        capped=fetched.capped,
        summary=_summary(
            joined, len(fetched.records), len(listed) if listed is not None else None, found, webinar, scrub
        ),
        show=show,
        attendees=attendees,
        absent=absent,
        page=Page.of(query.offset, returned, count=total),
        notes=notes,
    )
    scrub.note(result.notes)
    return result.echoing(echo.as_given)


# --- text rendering -------------------------------------------------------------------------


def attendee_line(person: Attendee) -> str:
    """One compact line per attendee."""
    name = shown(person.name, "(no name)")
    if person.invitedAs:
        name += f" (invited as {shown(person.invitedAs)})"
    return "- " + join(
        [
            name,
            "room" if person.kind == "room" else None,
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


def _people_and_rooms(people: int | None, rooms: int | None) -> str:
    if people is None or rooms is None:
        return ""
    return f" ({plural(people, 'person', 'people')}, {plural(rooms, 'room')})"


def _header(result: MeetingAttendance) -> list[str]:
    kind = " (webinar)" if result.webinar else ""
    lines = [
        join(
            [
                f"Attendance of {shown(result.subject)}{kind}" if result.subject else "Attendance",
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
        f"Summary: {plural(summary.uniqueAttendees, 'unique attendee')}"
        f"{_people_and_rooms(summary.people, summary.rooms)} in {plural(summary.sessions, 'session')} "
        f"({plural(result.recordsRead, 'record')} read in {plural(result.pagesRead, 'page')}{capped})"
        + (f" · {stays}" if stays else "")
    )
    if summary.participantList is not None:
        by_name = f" ({summary.matchedByNameOnly} by name only)" if summary.matchedByNameOnly else ""
        outside = (
            f"audience (not on the list): {summary.audience}"
            if summary.audience is not None
            else f"joined uninvited: {summary.uninvited}"
        )
        lines.append(
            f"Participant list: {plural(summary.participantList, 'entry', 'entries')} · never joined: "
            f"{summary.absent}{_people_and_rooms(summary.absentPeople, summary.absentRooms)} · matched to the list: "
            f"{summary.matched}{by_name} · {outside}"
            + (f" · same name as a matched entry: {summary.sameNameAsMatched}" if summary.sameNameAsMatched else "")
        )
    if summary.countRule and summary.matched is not None and summary.participantList is not None:
        word = "audience" if summary.audience is not None else "uninvited"
        joined = plural(summary.uniqueAttendees, "attendee")
        lines.append(
            f"Counts add up: {joined} = {summary.matched} matched + "
            f"{summary.audience if summary.audience is not None else summary.uninvited} {word} + "
            f"{summary.sameNameAsMatched} same name as a matched entry; {summary.participantList} on the list = "
            f"{summary.matched} matched + {summary.absent} never joined; {joined} = "
            f"{plural(summary.people, 'person', 'people')} + {plural(summary.rooms, 'room')}."
        )
    return lines


def _qualifier(result: MeetingAttendance) -> str:
    kind = {"all": "", "people": ", people only", "rooms": ", rooms only"}[result.kind]
    department = f", department containing {shown(result.department)}" if result.department else ""
    search = f", matching {shown(result.searchKey)}" if result.searchKey else ""
    order = ", in list order" if result.show == "absent" else ", in order of first join"
    return f"{kind}{department}{search}{order}"


def _next_call(result: MeetingAttendance, limit: int, tools: ToolNames) -> NextCall | None:
    show = None if result.show == "attendees" else result.show
    arguments = {
        "searchKey": result.searchKey,
        "show": show,
        "kind": None if result.kind == "all" else result.kind,
        "department": result.department,
        "offset": None,
        "limit": limit,
    }
    return NextCall.for_meeting(tools.attendance, result.confUUID, arguments)


def _text(noun: str, item: Callable[[Any], str]) -> AnswerText[MeetingAttendance]:
    return AnswerText(noun, item, _next_call, header=_header, qualifier=_qualifier)


ATTENDANCE_TEXT: dict[AttendanceShow, AnswerText[MeetingAttendance]] = {
    "attendees": _text("Attendees", attendee_line),
    "absent": _text("People who never joined", participant_line),
    "uninvited": _text("Uninvited attendees", attendee_line),
}
"""How an attendance answer renders, by what it shows."""
AUDIENCE_TEXT = _text("Audience (attendees not on the participant list)", attendee_line)
"""How show=uninvited renders for a webinar, whose audience is never on the list."""


def attendance_text(result: MeetingAttendance) -> AnswerText[MeetingAttendance]:
    """How this attendance answer renders: by what it shows, a webinar's outsiders as its audience."""
    return AUDIENCE_TEXT if result.webinar and result.show == "uninvited" else ATTENDANCE_TEXT[result.show]
