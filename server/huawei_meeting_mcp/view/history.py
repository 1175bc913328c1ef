"""The history view: a page of the history list to one row per meeting occurrence, and its text."""

from __future__ import annotations

from collections import Counter

from ..dates import DEFAULT_DAYS, DateRange, Instant, iso_ms
from ..output import MeetingList, MeetingRow, RangeEnd, RepeatedMeetingID
from ..wire import ConferenceInfo, HistoryListResponse, HistoryQuery
from .common import LONG, TEXT_BUDGET, ViewOptions, call_text, join, lines_that_fit, meeting_times, text

TOOL = "list_historical_meetings"
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


def _row(conf: ConferenceInfo, options: ViewOptions, notes: list[str]) -> MeetingRow:
    times = meeting_times(conf, options, notes)
    return MeetingRow(
        confUUID=text(conf.conf_uuid, 64),
        conferenceID=text(conf.conference_id, 32),
        subject=text(conf.subject, LONG),
        scheduserName=text(conf.scheduser_name),
        start=times.start,
        timeZoneID=times.zone.timeZoneID,
        durationMinutes=times.duration_minutes,
        invited=conf.size,
        hasRecording=conf.is_has_record_file,
    )


def repeated_ids(rows: list[MeetingRow]) -> list[RepeatedMeetingID]:
    """Meeting IDs that appear on more than one row, in order of first appearance."""
    counts = Counter(row.conferenceID for row in rows if row.conferenceID)
    return [RepeatedMeetingID(conferenceID=i, occurrences=n) for i, n in counts.items() if n > 1]


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
    rows = [_row(conf, options, row_notes) for conf in response.data or []]
    total = response.count if response.count is not None and response.count >= 0 else query.offset + len(rows)
    offset = response.offset if response.offset is not None and response.offset >= 0 else query.offset
    if rows:  # a count smaller than what was just received is wrong; an empty page beyond the end is not
        total = max(total, offset + len(rows))
    more = offset + len(rows) < total and len(rows) > 0
    notes.extend(_range_notes(window))
    notes.extend(dict.fromkeys(row_notes))
    if not rows:
        notes.append(
            f"No meetings at offset {offset}: there are {total} in all." if total else "No meetings found. " + WHY_EMPTY
        )
    return MeetingList(
        startDate=_range_end(window.start, window.start_defaulted),
        endDate=_range_end(window.end, window.end_defaulted),
        searchKey=query.search_key,
        sortType=query.sort_type,
        queryAll=query.query_all,
        timesReadAs=options.api_times,
        total=total,
        offset=offset,
        returned=len(rows),
        nextOffset=offset + len(rows) if more else None,
        meetings=rows,
        repeatedMeetingIDs=repeated_ids(rows),
        notes=notes,
    )


# --- text rendering -------------------------------------------------------------------------


def meeting_line(row: MeetingRow) -> str:
    """One compact line per meeting occurrence."""
    start = row.start.utc or "start unknown"
    if row.start.local:
        start += f" ({row.start.local})"
    return "- " + join(
        [
            start,
            f"{row.durationMinutes} min" if row.durationMinutes is not None else None,
            f'"{row.subject or "(no subject)"}"',
            f"ID {row.conferenceID}" if row.conferenceID else None,
            f"by {row.scheduserName}" if row.scheduserName else None,
            f"{row.invited} invited" if row.invited is not None else None,
            None if row.hasRecording is None else ("recorded" if row.hasRecording else "no recording"),
            f"confUUID {row.confUUID}" if row.confUUID else "no confUUID",
        ]
    )


def next_call(listing: MeetingList, limit: int) -> str | None:
    """The exact call that returns the next page (the window pinned in epoch ms), or None on the last page."""
    if listing.nextOffset is None:
        return None
    return call_text(
        TOOL,
        {
            "startDate": listing.startDate.epochMs,
            "endDate": listing.endDate.epochMs,
            "searchKey": listing.searchKey,
            "sortType": None if listing.sortType == "DSC_StartTIME" else listing.sortType,
            "queryAll": True if listing.queryAll else None,
            "offset": listing.nextOffset,
            "limit": limit,
        },
    )


def _heading(listing: MeetingList) -> str:
    scope = "the whole enterprise" if listing.queryAll else "meetings you organized or were invited to"
    search = f', matching "{listing.searchKey}"' if listing.searchKey else ""
    window = (
        f"that started {listing.startDate.utc} .. {listing.endDate.utc} "
        f"(startDate={listing.startDate.epochMs}, endDate={listing.endDate.epochMs} epoch ms)"
    )
    reading = "UTC" if listing.timesReadAs == "utc" else "the meeting's zone"
    order = SORT_WORDS[listing.sortType]
    if listing.returned == 0:
        return f"Meetings {window}{search}, {scope}: none in this page (total {listing.total})."
    first, last = listing.offset + 1, listing.offset + listing.returned
    return (
        f"Meetings {first}-{last} of {listing.total} {window}{search}, {scope}, {order}. "
        f"Start shown in UTC (and the meeting's own zone); API times read as {reading}:"
    )


def _footer(listing: MeetingList, limit: int) -> list[str]:
    lines = []
    call = next_call(listing, limit)
    if call:
        reason = " (page trimmed to fit the size budget)" if listing.trimmedToFit else ""
        lines.append(f"More meetings remain{reason}: call {call}")
    for repeated in listing.repeatedMeetingIDs:
        lines.append(
            f"Meeting ID {repeated.conferenceID} appears {repeated.occurrences} times: it was held several times, "
            "one row per occurrence; use the confUUID of the occurrence you mean."
        )
    example = next((row.confUUID for row in listing.meetings if row.confUUID), None)
    if example:
        lines.append(
            f'Next: get_historical_meeting_detail(confUUID="{example}") tells what a meeting was and who was '
            f'invited; get_historical_meeting_attendance(confUUID="{example}") tells who actually joined and for '
            "how long."
        )
    lines.extend(f"Note: {note}" for note in listing.notes)
    return lines


def render_history(listing: MeetingList, limit: int, budget: int = TEXT_BUDGET) -> tuple[MeetingList, str]:
    """Render the text block, trimming rows so the text stays under `budget` characters.

    Returns the (possibly trimmed) listing with its text, so structured content and text agree.
    """
    lines = [meeting_line(row) for row in listing.meetings]
    worst = listing.model_copy(update={"nextOffset": listing.offset + len(lines), "trimmedToFit": True})
    reserve = len("\n".join(_footer(worst, limit))) + 2
    kept = lines_that_fit(lines, budget - len(_heading(listing)) - reserve - 1)
    if kept < len(lines):
        rows = listing.meetings[:kept]
        listing = listing.model_copy(
            update={
                "meetings": rows,
                "returned": kept,
                "nextOffset": listing.offset + kept,
                "trimmedToFit": True,
                "repeatedMeetingIDs": repeated_ids(rows),
            }
        )
    return listing, "\n".join([_heading(listing), *lines[:kept], *_footer(listing, limit)])
