"""The history view: a page of the history list to one row per meeting occurrence, and its text."""

from __future__ import annotations

from ..dates import DEFAULT_DAYS, DateRange, Instant, iso_ms
from ..output import MeetingList, MeetingRow, Page, RangeEnd, RepeatedMeetingID
from ..wire import ConferenceInfo, HistoryListResponse, HistoryQuery
from .clean import LONG, Scrub, code, echoed
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall, call_text
from .times import meeting_times
from .words import at, is_conf_uuid, join, shown, shown_id

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
    response: HistoryListResponse, query: HistoryQuery, window: DateRange, options: ViewOptions
) -> MeetingList:
    """Turn a history-list answer into one row per occurrence, with paging and caveats."""
    notes: list[str] = []
    row_notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    rows = [_row(conf, options, scrub, row_notes) for conf in response.data or []]
    page = Page.of(query.offset, len(rows), count=response.count, offset=response.offset)
    notes.extend(_range_notes(window))
    notes.extend(dict.fromkeys(row_notes))
    if not rows and not page.total:
        notes.append("No meetings found. " + WHY_EMPTY)
    if any(row.confUUID and not is_conf_uuid(row.confUUID) for row in rows):
        notes.append(
            "Some rows carry a confUUID that is not 32 hex characters, so no call is suggested for them; "
            "the API may have sent something unexpected."
        )
    scrub.note(notes)
    return MeetingList(
        startDate=_range_end(window.start, window.start_defaulted),
        endDate=_range_end(window.end, window.end_defaulted),
        searchKey=echoed(query.search_key, "searchKey", notes),
        sortType=query.sort_type,
        queryAll=query.query_all,
        timesReadAs=options.api_times,
        meetings=rows,
        repeatedMeetingIDs=RepeatedMeetingID.among(rows),
        page=page,
        notes=notes,
    )


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
        ]
    )


def _header(listing: MeetingList) -> list[str]:
    scope = "the whole enterprise" if listing.queryAll else "meetings you organized or were invited to"
    reading = "UTC" if listing.timesReadAs == "utc" else "the meeting's zone"
    return [
        f"Meetings that started {listing.startDate.utc} .. {listing.endDate.utc} "
        f"(startDate={listing.startDate.epochMs}, endDate={listing.endDate.epochMs} epoch ms), {scope}, "
        f"{SORT_WORDS[listing.sortType]}; API times read as {reading}."
    ]


def _qualifier(listing: MeetingList) -> str:
    return f", matching {shown(listing.searchKey)}" if listing.searchKey else ""


def _next_call(listing: MeetingList, limit: int, tools: ToolNames) -> NextCall:
    return NextCall(
        tools.list,
        {
            "startDate": listing.startDate.epochMs,
            "endDate": listing.endDate.epochMs,
            "searchKey": listing.searchKey,
            "sortType": None if listing.sortType == "DSC_StartTIME" else listing.sortType,
            "queryAll": True if listing.queryAll else None,
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
