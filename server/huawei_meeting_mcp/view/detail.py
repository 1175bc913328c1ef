"""The detail view: a confDetail answer to the trimmed output for one page of participants, and its text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Literal

from ..output import (
    InvitedSummary,
    MeetingDetail,
    MeetingSettings,
    Occurrence,
    Page,
    Participant,
    Recording,
)
from ..reads import DetailRead, Outcome
from ..timezones import parse_api_time
from ..wire import ConferenceInfo, CycleParams, DetailQuery, ParticipantInfo, RecordingInfo
from .clean import LONG, Echoes, Scrub, code
from .options import ToolNames, ViewOptions
from .paging import AnswerText, NextCall
from .times import MeetingTimes, at_epoch_ms, meeting_times, moment
from .words import at, join, minutes, plural, shown, shown_id, words, zone_text

STATES = {
    "Schedule": "scheduled",
    "Creating": "being created",
    "Created": "in progress",
    "Destroyed": "ended",
}
CONF_TYPES = {"IMMEDIATELY": "instant", "FUTURE": "scheduled", "CYCLE": "recurring"}
MEDIA = {"Voice": "audio", "Video": "video", "HDVideo": "HD video", "Data": "data sharing"}
RECORD_TYPES = {0: "disabled", 1: "live stream", 2: "recording", 3: "live stream and recording"}
RECORD_AUTH = {0: "anyone with the link", 1: "enterprise users", 2: "the meeting's participants"}
CALL_IN = {0: "anyone", 2: "enterprise users only", 3: "invited users only"}
DEVICE_KINDS = {
    "normal": "soft client",
    "terminal": "room terminal",
    "outside": "external",
    "mobile": "mobile",
    "ideahub": "IdeaHub",
    "board": "whiteboard",
    "hwvision": "Huawei Vision",
}
CYCLES = {"Day": "day", "Week": "week", "Month": "month"}
WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


def _kind(conf: ConferenceInfo) -> str:
    if conf.webinar:
        return "webinar"
    if conf.conf_type in CONF_TYPES:
        return CONF_TYPES[conf.conf_type]
    if conf.conference_type == 2:
        return "recurring"
    if conf.conference_type == 0 and conf.conf_type is None:
        return "scheduled or instant"
    return "unknown"


def _media(value: str | None) -> list[str]:
    if not value:
        return []
    return [words(MEDIA, part.strip()) or "" for part in value.split(",") if part.strip()]


def _recurrence(cycle: CycleParams | None) -> str | None:
    if cycle is None or cycle.cycle is None:
        return None
    unit = CYCLES.get(cycle.cycle) or f"{words(CYCLES, cycle.cycle)} unit"
    every = f"every {cycle.interval} {unit}s" if cycle.interval and cycle.interval > 1 else f"every {unit}"
    on = ""
    if cycle.point:
        if cycle.cycle == "Week":
            on = " on " + ", ".join(WEEKDAYS[p] if 0 <= p <= 6 else f"day {p}" for p in cycle.point)
        elif cycle.cycle == "Month":
            on = " on day " + ", ".join(str(p) for p in cycle.point)
    span = ""
    if cycle.start_date or cycle.end_date:
        start, end = shown_id(code(cycle.start_date, 16)), shown_id(code(cycle.end_date, 16))
        span = f" from {start} to {end} (meeting's zone)"
    return every + on + span


def _auto_mute(conf: ConferenceInfo) -> str | None:
    config = conf.conf_config_info
    soft = config.is_auto_mute if config and config.is_auto_mute is not None else None
    if soft is None and conf.is_auto_mute is not None:
        soft = conf.is_auto_mute == 1
    rooms = config.is_hard_terminal_auto_mute if config else None
    if soft is None and rooms is None:
        return None
    if soft and rooms:
        return "soft clients and room terminals"
    if soft:
        return "soft clients"
    if rooms:
        return "room terminals"
    return "nobody"


def _settings(conf: ConferenceInfo) -> MeetingSettings:
    config = conf.conf_config_info
    free_pwd = config.is_guest_free_pwd if config else None
    return MeetingSettings(
        autoMute=_auto_mute(conf),
        waitingRoom=config.enable_waiting_room if config else None,
        whoMayJoin=words(CALL_IN, config.call_in_restriction) if config else None,
        guestsNeedPassword=None if free_pwd is None else not free_pwd,
        guestsMayStart=config.allow_guest_start_conf if config else None,
        autoExtendMinutes=config.prolong_length if config else None,
    )


PARTICIPANT_LIST_NOTE = (
    "The participant list holds the people and rooms invited when the meeting was scheduled and those the host "
    "invited during it; it does not say who actually joined (use {attendance} for that)."
)


def participant(raw: ParticipantInfo, scrub: Scrub) -> Participant:
    """One entry of the participant list, contact data only when the operator enabled it."""
    participant = Participant(
        name=scrub(raw.name),
        role="chair" if raw.role == 1 else "participant",
        kind=words(DEVICE_KINDS, raw.attendee_type) or "unknown",
        deptName=scrub(raw.dept_name),
        accountId=scrub.account(raw.account_id),
    )
    if scrub.include_contacts:
        participant.phone = scrub(raw.participant_id or raw.subscriber_id, 64)
        participant.sms = scrub(raw.sms, 64)
        participant.email = scrub(raw.email)
    return participant


def _recording(conf: ConferenceInfo, read: Outcome[RecordingInfo], zone: tzinfo | None) -> Recording:
    """What the meeting says of its recording and, when it has one, what the recording read says."""
    recording = Recording(
        isHasRecordFile=conf.is_has_record_file,
        recordType=words(RECORD_TYPES, conf.record_type),
        autoRecord=None if conf.is_auto_record is None else conf.is_auto_record == 1,
    )
    found = read.value
    if found is None:
        # A meeting without a recording answers the recording read with an error: that is no news.
        return recording.model_copy(update={"unreadable": read.problem}) if conf.is_has_record_file else recording
    expected = None
    if found.is_decode_finish is False and found.decode_end_time is not None:
        expected = at_epoch_ms(found.decode_end_time, zone, "minutes")
    return recording.model_copy(
        update={
            "lengthMinutes": None if not _plausible(found.rcd_time) else round((found.rcd_time or 0) / 60, 1),
            "sizeMB": found.rcd_size if _plausible(found.rcd_size) else None,
            "transcoded": found.is_decode_finish,
            "transcodingExpectedBy": expected,
            "watchable": found.available,
            "whoMayWatch": words(RECORD_AUTH, found.record_auth_type),
        }
    )


MAX_PLAUSIBLE = 10**9
"""Seconds of recording or megabytes past this (31 years, a petabyte) are no measurement: left out."""


def _plausible(value: int | None) -> bool:
    return value is not None and 0 <= value <= MAX_PLAUSIBLE


OCCURRENCES_AROUND = 10
"""Occurrences of a recurring meeting listed before and after the one asked about."""


@dataclass(frozen=True)
class _Occurrences:
    """The occurrences listed (around the one asked about), and how many the series has in all."""

    shown: list[Occurrence]
    total: int
    earlier: int
    later: int
    future: int


def _occurrences(conf: ConferenceInfo, times: MeetingTimes, now: datetime | None) -> _Occurrences | None:
    """The series' occurrences, marked past, this one or future, centred on this one and capped on both sides."""
    if not conf.sub_confs:
        return None
    source = times.tz if times.reading == "local" and times.tz is not None else timezone.utc
    this = parse_api_time(conf.start_time, source)
    spans = [(parse_api_time(sub.start_time, source), parse_api_time(sub.end_time, source)) for sub in conf.sub_confs]
    starts = [(abs((start - this).total_seconds()), i) for i, (start, _) in enumerate(spans) if start and this]
    asked = min(starts)[1] if starts else None
    centre = asked if asked is not None else 0
    first, last = max(0, centre - OCCURRENCES_AROUND), min(len(spans), centre + OCCURRENCES_AROUND + 1)

    def when(index: int, start: datetime | None) -> Literal["past", "this one", "future"]:
        if index == asked:
            return "this one"
        return "future" if start is not None and now is not None and start > now else "past"

    shown = []
    for index in range(first, last):
        start, end = spans[index]
        duration = int((end - start).total_seconds() // 60) if start and end and end >= start else None
        shown.append(
            Occurrence(
                number=index + 1, start=moment(start, times.tz), durationMinutes=duration, when=when(index, start)
            )
        )
    future = sum(1 for i, (start, _) in enumerate(spans) if when(i, start) == "future")
    return _Occurrences(shown, len(spans), first, len(spans) - last, future)


def build_detail(
    read: DetailRead, query: DetailQuery, options: ViewOptions, now: datetime | None = None
) -> MeetingDetail:
    """Turn a confDetail answer (and the recording read) into the trimmed, redacted output for one page.

    `now` tells past occurrences of a recurring meeting from future ones (without it, none is future).
    """
    response = read.response
    conf = response.conference_data
    notes: list[str] = []
    scrub = Scrub(options.include_contacts)
    times = meeting_times(conf, options, notes)

    page = response.data
    people = [participant(p, scrub) for p in (page.data if page and page.data else [])]
    series = _occurrences(conf, times, now)
    notes.append(PARTICIPANT_LIST_NOTE.format(attendance=options.tools.attendance))
    echo = Echoes(notes)
    detail = MeetingDetail(
        confUUID=echo(query.conf_uuid, "confUUID", 64) or "",
        conferenceID=code(conf.conference_id, 32),
        subject=scrub(conf.subject, LONG),
        scheduserName=scrub(conf.scheduser_name),
        deptName=scrub(conf.dept_name),
        conferenceState=words(STATES, conf.conference_state),
        kind=_kind(conf),
        mediaTypes=_media(conf.media_types),
        timeZone=times.zone,
        start=times.start,
        end=times.end,
        timesReadAs=times.reading,
        durationMinutes=times.duration_minutes,
        recording=_recording(conf, read.recording, times.tz),
        settings=_settings(conf),
        invited=InvitedSummary(size=conf.size, softClients=conf.normal_count, roomTerminals=conf.terminl_count),
        recurrence=_recurrence(conf.cycle_params),
        occurrences=series.shown if series else [],
        occurrencesTotal=series.total if series else None,
        occurrencesEarlier=series.earlier if series else None,
        occurrencesLater=series.later if series else None,
        occurrencesInFuture=series.future if series else None,
        participantType=query.participant_type,
        searchKey=echo(query.search_key, "searchKey"),
        participants=people,
        page=Page.of(
            query.offset,
            len(people),
            count=page.count if page else None,
            offset=page.offset if page else None,
        ),
        notes=notes,
    )
    scrub.note(detail.notes)
    return detail.echoing(echo.as_given)


# --- text rendering -------------------------------------------------------------------------


def _yes_no(value: bool | None, yes: str, no: str | None) -> str | None:
    return None if value is None else (yes if value else no)


def _invited(inv: InvitedSummary) -> str | None:
    if inv.size is None and inv.softClients is None and inv.roomTerminals is None:
        return None
    total = "?" if inv.size is None else str(inv.size)
    return (
        f"Invited: {total} ({plural(inv.softClients, 'person', 'people')}, "
        f"{plural(inv.roomTerminals, 'room terminal')})"
    )


def _header_lines(detail: MeetingDetail) -> list[str]:
    rec, st = detail.recording, detail.settings
    lines = [
        join(
            [
                f"Meeting {shown(detail.subject, '(no subject)')}",
                f"ID {shown_id(detail.conferenceID)}",
                f"confUUID {shown_id(detail.confUUID)}",
            ]
        ),
        join(
            [
                f"Organizer: {shown(detail.scheduserName)}" if detail.scheduserName else None,
                f"Enterprise: {shown(detail.deptName)}" if detail.deptName else None,
                f"State: {detail.conferenceState}" if detail.conferenceState else None,
                f"Kind: {detail.kind}",
            ]
        ),
        f"Start: {at(detail.start)} · End: {at(detail.end)}"
        + (f" · Duration: {detail.durationMinutes} min" if detail.durationMinutes is not None else ""),
        f"Time zone: {zone_text(detail.timeZone)} · API times read as "
        + ("UTC" if detail.timesReadAs == "utc" else "local time"),
    ]
    if detail.mediaTypes:
        lines.append("Media: " + ", ".join(detail.mediaTypes))
    recording = join(
        [
            _yes_no(rec.isHasRecordFile, "a recording file exists", "no recording file"),
            *_recording_facts(rec),
            f"mode: {rec.recordType}" if rec.recordType else None,
            _yes_no(rec.autoRecord, "auto-record on", "auto-record off"),
        ]
    )
    if recording:
        lines.append("Recording: " + recording)
    settings = join(
        [
            f"auto-mute on join: {st.autoMute}" if st.autoMute else None,
            _yes_no(st.waitingRoom, "waiting room on", "waiting room off"),
            f"who may join: {st.whoMayJoin}" if st.whoMayJoin else None,
            _yes_no(st.guestsNeedPassword, "guests need a password", "guests need no password"),
            _yes_no(st.guestsMayStart, "guests may start it", "only the host may start it"),
            f"auto-extend {st.autoExtendMinutes} min" if st.autoExtendMinutes else None,
        ]
    )
    if settings:
        lines.append("Settings: " + settings)
    invited = _invited(detail.invited)
    if invited:
        lines.append(invited)
    if detail.recurrence:
        lines.append("Recurrence: " + detail.recurrence)
    if detail.occurrences:
        lines.append(_occurrences_heading(detail))
        lines.extend(
            f"Occurrence {item.number}: {at(item.start)}"
            + (f", {item.durationMinutes} min" if item.durationMinutes is not None else "")
            + (f" · {OCCURRENCE_MARKS[item.when]}" if item.when in OCCURRENCE_MARKS else "")
            for item in detail.occurrences
        )
    return lines


OCCURRENCE_MARKS = {"this one": "this occurrence (the confUUID asked about)", "future": "future: not held yet"}


def _occurrences_heading(detail: MeetingDetail) -> str:
    shown = detail.occurrences
    total = detail.occurrencesTotal or len(shown)
    span = f"{shown[0].number}-{shown[-1].number} of {total}" if len(shown) < total else f"{total}"
    hidden = [
        f"{detail.occurrencesEarlier} earlier" if detail.occurrencesEarlier else None,
        f"{detail.occurrencesLater} later" if detail.occurrencesLater else None,
    ]
    more = f"; {join(hidden, ' and ')} not shown" if any(hidden) else ""
    future = f"; {detail.occurrencesInFuture} of the {total} not held yet" if detail.occurrencesInFuture else ""
    return f"Occurrences {span} (around this one{more}{future}), start and length:"


def _recording_facts(rec: Recording) -> list[str | None]:
    if rec.unreadable:
        return [f"its details could not be read ({rec.unreadable})"]
    transcoding = _yes_no(rec.transcoded, "transcoded", "still transcoding")
    if rec.transcoded is False and rec.transcodingExpectedBy is not None:
        transcoding = f"still transcoding, expected done by {at(rec.transcodingExpectedBy)}"
    size = f"{rec.sizeMB} MB" if rec.sizeMB is not None else None
    return [
        join([minutes(rec.lengthMinutes) if rec.lengthMinutes is not None else None, size], ", ") or None,
        transcoding,
        _yes_no(rec.watchable, "can be watched", "cannot be watched now"),
        f"who may watch: {rec.whoMayWatch}" if rec.whoMayWatch else None,
    ]


def participant_line(p: Participant) -> str:
    """One compact line per participant."""
    return "- " + join(
        [
            shown(p.name, "(no name)"),
            p.role,
            p.kind,
            *(shown(value) if value else None for value in (p.deptName, p.accountId, p.phone, p.sms, p.email)),
        ]
    )


def _qualifier(detail: MeetingDetail) -> str:
    which = {"all": "all", "people": "people only", "rooms": "rooms only"}[detail.participantType]
    search = f", matching {shown(detail.searchKey)}" if detail.searchKey else ""
    return f" ({which}{search})"


def _next_call(detail: MeetingDetail, limit: int, tools: ToolNames) -> NextCall | None:
    which = None if detail.participantType == "all" else detail.participantType
    arguments = {"offset": None, "limit": limit, "searchKey": detail.searchKey, "participantType": which}
    return NextCall.for_meeting(tools.detail, detail.confUUID, arguments)


DETAIL_TEXT = AnswerText("Participants", participant_line, _next_call, header=_header_lines, qualifier=_qualifier)
"""How a detail answer renders."""
