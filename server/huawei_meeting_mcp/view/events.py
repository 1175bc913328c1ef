"""The events view: a page of a meeting's control records (what the host and participants did), and its text.

Every field of a control record is text someone's client or Huawei wrote (the operator's display
name, the operation's description in the language asked for, free-text details): each is cleaned,
masked and quoted like every other upstream string. Records keep Huawei's order.
"""

from __future__ import annotations

from datetime import tzinfo

from ..output import MeetingEvent, MeetingEvents, Page
from ..reads import EventsRead
from ..wire import ControlQuery, ControlRecord
from .clean import LONG, Echoes, Scrub, code
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall
from .times import at_epoch_ms, meeting_times_if_read
from .words import at, join, shown, shown_id, zone_text


def _event(record: ControlRecord, zone: tzinfo | None, scrub: Scrub) -> MeetingEvent:
    return MeetingEvent(
        time=at_epoch_ms(record.operate_time, zone),
        operator=scrub(record.operator),
        action=scrub(record.operate_code),
        target=scrub(record.operation_object),
        result=scrub(record.operate_result),
        source=scrub(record.operate_source, 64),
        detail=scrub(record.detail, LONG),
    )


def build_events(read: EventsRead, query: ControlQuery, options: ViewOptions) -> MeetingEvents:
    """Turn a page of control records (and the meeting, for its zone) into the trimmed, redacted output."""
    notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    conf = read.meeting.value
    times = meeting_times_if_read(read.meeting, options, notes)
    records = read.page.data or []
    events = [_event(record, times.tz if times else None, scrub) for record in records]
    page = Page.of(query.offset, len(events), count=read.page.count, offset=read.page.offset)
    if not events and not page.total:
        notes.append(
            "No control records: Huawei keeps them for operations such as recording, muting, locking, admitting "
            f"or removing participants; a meeting where nobody used them has none. Check the confUUID with "
            f"{options.tools.list} (each occurrence has its own)."
        )
    notes.append(
        "Events are Huawei's control records, worded in the language the server asks for "
        "(HUAWEI_MEETING_LANGUAGE); who joined and left is in the attendance answer instead."
    )
    echo = Echoes(notes)
    result = MeetingEvents(
        confUUID=echo(query.conf_uuid, "confUUID", 64) or "",
        conferenceID=code(conf.conference_id, 32) if conf else None,
        subject=scrub(conf.subject, LONG) if conf else None,
        timeZone=times.zone if times else None,
        events=events,
        page=page,
        notes=notes,
    )
    scrub.note(result.notes)
    return result.echoing(echo.as_given)


def event_line(event: MeetingEvent) -> str:
    """One compact line per event."""
    return "- " + join(
        [
            at(event.time),
            f"by {shown(event.operator)}" if event.operator else None,
            shown(event.action, "(no description)"),
            f"on {shown(event.target)}" if event.target else None,
            f"result {shown(event.result)}" if event.result else None,
            f"from {shown(event.source)}" if event.source else None,
            f"details {shown(event.detail)}" if event.detail else None,
        ]
    )


def _header(result: MeetingEvents) -> list[str]:
    return [
        join(
            [
                f"Events in {shown(result.subject)}" if result.subject else "Events",
                f"ID {shown_id(result.conferenceID)}" if result.conferenceID else None,
                f"confUUID {shown_id(result.confUUID)}",
                f"Time zone: {zone_text(result.timeZone)}",
            ]
        )
    ]


def _next_call(result: MeetingEvents, limit: int, tools: ToolNames) -> NextCall | None:
    return NextCall.for_meeting(tools.events, result.confUUID, {"offset": None, "limit": limit})


EVENTS_TEXT = AnswerText("Events", event_line, _next_call, header=_header, qualifier=lambda _: ", in Huawei's order")
"""How an events answer renders."""
