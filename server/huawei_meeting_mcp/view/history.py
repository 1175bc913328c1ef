"""The history view: a page of the history list to one row per meeting occurrence, the window's totals, and its text.

With `ListRead` (what `service.meeting_list` read) the list also carries the totals over its whole window,
each row's attendance counts (reconciled the way the attendance tool's summary is: `view.reconcile`), and
says when a searchKey was matched loosely because it found nothing as typed.
"""

from __future__ import annotations

from ..dates import DEFAULT_DAYS, DateRange, Instant, iso_ms
from ..output import MeetingList, MeetingRow, Page, RangeEnd, RepeatedMeetingID, RowAttendance, WindowSummary
from ..reads import AttendanceRead, ListRead, Outcome, WindowRead
from ..wire import AttendanceQuery, ConferenceInfo, HistoryListResponse, HistoryQuery
from .attendance import build_attendance
from .clean import LONG, Echoes, Scrub, code
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall, call_text
from .times import meeting_times
from .words import at, is_conf_uuid, join, plural, shown, shown_id

SORT_WORDS = {
    "DSC_StartTIME": "newest first",
    "ASC_StartTIME": "oldest first",
    "DSC_RecordTYPE": "recorded meetings first, then newest",
    "ASC_RecordTYPE": "recorded meetings first, then oldest",
}
WHY_EMPTY = (
    "History is kept 6 months by default (12 at most, an administrator's setting); ordinary users see only "
    "meetings they created or were invited to (not ones they only joined by ID or link), and administrators "
    "see others' meetings only with queryAll=true; meetings still in progress are not listed. "
    "Try a wider range or a shorter searchKey."
)


def _row(conf: ConferenceInfo, options: ViewOptions, scrub: Scrub, notes: list[str]) -> MeetingRow:
    times = meeting_times(conf, options, notes)
    return MeetingRow(
        confUUID=code(conf.conf_uuid, 64),
        conferenceID=code(conf.conference_id, 32),
        subject=scrub(conf.subject, LONG),
        scheduserName=scrub(conf.scheduser_name),
        start=times.start,
        timeZoneID=times.zone.timeZoneID,
        durationMinutes=times.duration_minutes,
        invited=conf.size,
        hasRecording=conf.is_has_record_file,
    )


def row_attendance(outcome: Outcome[AttendanceRead], conf_uuid: str, options: ViewOptions) -> RowAttendance:
    """One meeting's attendance counts, exactly as `get_historical_meeting_attendance`'s summary gives them."""
    read = outcome.value
    if read is None:
        return RowAttendance(unreadable=outcome.problem)
    summary = build_attendance(read, AttendanceQuery(conf_uuid, limit=0), "attendees", options).summary
    problem = read.participants.problem
    return RowAttendance(
        people=summary.people,
        rooms=summary.rooms,
        invited=summary.participantList,
        absent=summary.absent,
        uninvited=summary.uninvited,
        audience=summary.audience,
        unreadable=f"The participant list could not be read ({problem})." if problem else None,
    )


def window_summary(window: WindowRead, options: ViewOptions, notes: list[str]) -> WindowSummary:
    """The totals of every meeting read of the window: how many, their minutes added up, how many recorded."""
    total = untimed = 0
    for conf in window.meetings:
        duration = meeting_times(conf, options, []).duration_minutes
        if duration is None:
            untimed += 1
        else:
            total += duration
    if untimed:
        notes.append(f"{plural(untimed, 'meeting')} of the window had no readable start or end: not in totalMinutes.")
    if window.capped:
        of = f" of the {window.in_window:,}" if window.in_window is not None else ""
        notes.append(
            f"The totals cover the first {len(window.meetings):,}{of} meetings of the window in the order asked for: "
            "narrow the window (startDate, endDate) for totals of every meeting."
        )
    return WindowSummary(
        meetings=len(window.meetings),
        totalMinutes=total,
        recorded=sum(1 for conf in window.meetings if conf.is_has_record_file),
        capped=window.capped,
        inWindow=window.in_window,
    )


LOOSELY = "ignoring case, spaces, hyphens and full-width forms"
MAX_SUBJECTS_NAMED = 3


def _loose_notes(key: str, searched: WindowRead, matched: list[ConferenceInfo], scrub: Scrub) -> list[str]:
    scope = f"the window's {plural(len(searched.meetings), 'meeting')}"
    if searched.capped:
        scope = f"the first {len(searched.meetings):,} meetings of the window (narrow it to search them all)"
    if not matched:
        return [f"No meeting matched searchKey {shown(key)}, either as typed or {LOOSELY}, among {scope}."]
    subjects = list(dict.fromkeys(scrub(m.subject, LONG) or "(no subject)" for m in matched))
    named = ", ".join(shown(subject) for subject in subjects[:MAX_SUBJECTS_NAMED])
    more = f" and {len(subjects) - MAX_SUBJECTS_NAMED} more subjects" if len(subjects) > MAX_SUBJECTS_NAMED else ""
    return [
        f"No meeting's subject, organizer or meeting ID contains searchKey {shown(key)} as typed (the API's search "
        f"is literal), so it was matched {LOOSELY} among {scope}: {plural(len(matched), 'meeting')} matched, "
        f"{named}{more}."
    ]


ATTENDANCE_COUNTS = (
    "Each row's attendance: people and rooms (meeting-room devices) who joined; invited is the participant list "
    "(people and rooms invited before or during the meeting), absent who on it never joined, uninvited who joined "
    "without being on it (a webinar's: its audience): the counts of {attendance}'s summary."
)


def _range_end(instant: Instant, defaulted: bool) -> RangeEnd:
    return RangeEnd(utc=iso_ms(instant.moment), epochMs=instant.epoch_ms, defaulted=defaulted)


def _range_notes(window: DateRange) -> list[str]:
    notes = []
    if window.start_defaulted and window.end_defaulted:
        notes.append(f"No startDate or endDate was given: the window is the last {DEFAULT_DAYS} days up to now.")
    elif window.start_defaulted:
        notes.append(f"No startDate was given: the window starts {DEFAULT_DAYS} days before endDate.")
    elif window.end_defaulted:
        notes.append("No endDate was given: the window ends now.")
    naive = [name for name, end in (("startDate", window.start), ("endDate", window.end)) if end.naive]
    if naive:
        notes.append(
            f"{' and '.join(naive)} had no UTC offset and {'was' if len(naive) == 1 else 'were'} read as UTC "
            "(a bare date covers the whole day); add an offset such as +08:00 to mean another zone."
        )
    return notes


def build_history(
    listed: HistoryListResponse | ListRead,
    query: HistoryQuery,
    window: DateRange,
    options: ViewOptions,
    *,
    with_attendance: bool = False,
    limit_asked: int | None = None,
) -> MeetingList:
    """Turn a history-list answer into one row per occurrence, with paging and caveats.

    Given a `ListRead`, the list also carries the window's totals, each row's attendance (`with_attendance`)
    and how a searchKey was forgiven; `limit_asked` is the caller's limit when the page was bounded below it.
    """
    read = listed if isinstance(listed, ListRead) else None
    response = listed.page if isinstance(listed, ListRead) else listed
    notes: list[str] = []
    row_notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    rows = [_row(conf, options, scrub, row_notes) for conf in response.data or []]
    if read is not None and with_attendance:
        by_uuid = read.attendance
        rows = [
            row.model_copy(update={"attendance": row_attendance(by_uuid[conf.conf_uuid], conf.conf_uuid, options)})
            if conf.conf_uuid in by_uuid
            else row
            for row, conf in zip(rows, response.data or [], strict=True)
        ]
    page = Page.of(query.offset, len(rows), count=response.count, offset=response.offset)
    notes.extend(_range_notes(window))
    notes.extend(dict.fromkeys(row_notes))
    summary = None
    if read is not None:
        if read.searched is not None and query.search_key:
            matched = read.window.value.meetings if read.window.value is not None else []
            notes.extend(_loose_notes(query.search_key, read.searched, matched, scrub))
        if read.window.value is not None:
            summary = window_summary(read.window.value, options, notes)
        else:
            notes.append(f"The window's totals could not be read ({read.window.problem}).")
    if with_attendance:
        notes.append(ATTENDANCE_COUNTS.format(attendance=options.tools.attendance))
        if limit_asked is not None and limit_asked > len(rows) and page.nextOffset is not None:
            notes.append(
                f"withAttendance reads the attendance of at most {len(rows)} meetings a call, so this page holds "
                f"{len(rows)} rows instead of {limit_asked}: the next call above gives the rest."
            )
    if not rows and not page.total:
        notes.append("No meetings found. " + WHY_EMPTY)
    if any(row.confUUID and not is_conf_uuid(row.confUUID) for row in rows):
        notes.append(
            "Some rows carry a confUUID that is not 32 hex characters, so no call is suggested for them; "
            "the API may have sent something unexpected."
        )
    scrub.note(notes)
    echo = Echoes(notes)
    return MeetingList(
        startDate=_range_end(window.start, window.start_defaulted),
        endDate=_range_end(window.end, window.end_defaulted),
        searchKey=echo(query.search_key, "searchKey"),
        sortType=query.sort_type,
        queryAll=query.query_all,
        timesReadAs=options.api_times,
        summary=summary,
        searchLoosely=read is not None and read.searched is not None,
        withAttendance=with_attendance,
        meetings=rows,
        repeatedMeetingIDs=RepeatedMeetingID.among(rows),
        page=page,
        notes=notes,
    ).echoing(echo.as_given)


# --- text rendering -------------------------------------------------------------------------


def _conf_uuid(row: MeetingRow) -> str:
    if row.confUUID is None:
        return "no confUUID"
    if is_conf_uuid(row.confUUID):
        return f"confUUID {row.confUUID}"
    return f"malformed confUUID {shown(row.confUUID)}"


def meeting_line(row: MeetingRow) -> str:
    """One compact line per meeting occurrence."""
    return "- " + join(
        [
            at(row.start) if row.start.utc else "start unknown",
            f"{row.durationMinutes} min" if row.durationMinutes is not None else None,
            shown(row.subject, "(no subject)"),
            f"ID {shown_id(row.conferenceID)}" if row.conferenceID else None,
            f"by {shown(row.scheduserName)}" if row.scheduserName else None,
            f"{row.invited} invited" if row.invited is not None else None,
            None if row.hasRecording is None else ("recorded" if row.hasRecording else "no recording"),
            _conf_uuid(row),
            _attendance_text(row.attendance) if row.attendance is not None else None,
        ]
    )


def _attendance_text(counts: RowAttendance) -> str:
    if counts.people is None:
        return "attendance unreadable"
    joined = f"joined: {plural(counts.people, 'person', 'people')}, {plural(counts.rooms, 'room')}"
    if counts.invited is None:
        return f"{joined} (participant list unreadable)"
    outside = f"{counts.audience} audience" if counts.audience is not None else f"{counts.uninvited} uninvited"
    return f"{joined}; {counts.invited} invited, {counts.absent} never joined, {outside}"


def summary_line(summary: WindowSummary) -> str:
    """The window's totals in one line."""
    capped = f" (the first {summary.meetings:,} of {summary.inWindow:,})" if summary.capped and summary.inWindow else ""
    hours = f"{summary.totalMinutes / 60:,.1f}"
    return (
        f"Totals over the whole window: {plural(summary.meetings, 'meeting')}{capped}, "
        f"{summary.totalMinutes:,} minutes ({hours} hours) in all, {summary.recorded} recorded."
    )


def _header(listing: MeetingList) -> list[str]:
    scope = "the whole enterprise" if listing.queryAll else "meetings you organized or were invited to"
    reading = "UTC" if listing.timesReadAs == "utc" else "the meeting's zone"
    lines = [
        f"Meetings that started {listing.startDate.utc} .. {listing.endDate.utc} "
        f"(startDate={listing.startDate.epochMs}, endDate={listing.endDate.epochMs} epoch ms), {scope}, "
        f"{SORT_WORDS[listing.sortType]}; API times read as {reading}."
    ]
    if listing.summary is not None:
        lines.append(summary_line(listing.summary))
    return lines


def _qualifier(listing: MeetingList) -> str:
    if not listing.searchKey:
        return ""
    return f", matching {shown(listing.searchKey)}" + (f" {LOOSELY}" if listing.searchLoosely else "")


def _next_call(listing: MeetingList, limit: int, tools: ToolNames) -> NextCall:
    return NextCall(
        tools.list,
        {
            "startDate": listing.startDate.epochMs,
            "endDate": listing.endDate.epochMs,
            "searchKey": listing.searchKey,
            "sortType": None if listing.sortType == "DSC_StartTIME" else listing.sortType,
            "queryAll": True if listing.queryAll else None,
            "withAttendance": True if listing.withAttendance else None,
            "offset": None,
            "limit": limit,
        },
    )


def _closing(listing: MeetingList, tools: ToolNames) -> list[str]:
    lines = [
        f"Meeting ID {shown_id(repeated.conferenceID)} appears {repeated.occurrences} times: it was held several "
        "times, one row per occurrence; use the confUUID of the occurrence you mean."
        for repeated in listing.repeatedMeetingIDs
    ]
    example = next((row.confUUID for row in listing.meetings if is_conf_uuid(row.confUUID)), None)
    if example:
        lines.append(
            f"Next: {call_text(tools.detail, {'confUUID': example})} tells what a meeting was, its participant "
            f"list and its recording; {call_text(tools.attendance, {'confUUID': example})} who actually joined, "
            f"for how long, and who missed it; {call_text(tools.events, {'confUUID': example})} what happened in "
            "it (recording, locking, removals)."
        )
    return lines


HISTORY_TEXT = AnswerText("Meetings", meeting_line, _next_call, header=_header, qualifier=_qualifier, closing=_closing)
"""How a meeting list renders."""
