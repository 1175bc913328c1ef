"""The detail view: a confDetail answer to the trimmed output for one page of invitees, and its text."""

from __future__ import annotations

from ..output import (
    InvitedSummary,
    MeetingDetail,
    MeetingSettings,
    Participant,
    ParticipantPage,
    Recording,
)
from ..text import clean_text
from ..wire import ConfDetailResponse, ConferenceInfo, CycleParams, DetailQuery, ParticipantInfo
from .common import (
    LONG,
    TEXT_BUDGET,
    ViewOptions,
    call_text,
    join,
    lines_that_fit,
    meeting_times,
    text,
    trimmed_page,
    when,
    words,
)

STATES = {
    "Schedule": "scheduled",
    "Creating": "being created",
    "Created": "in progress",
    "Destroyed": "ended",
}
CONF_TYPES = {"IMMEDIATELY": "instant", "FUTURE": "scheduled", "CYCLE": "recurring"}
MEDIA = {"Voice": "audio", "Video": "video", "HDVideo": "HD video", "Data": "data sharing"}
RECORD_TYPES = {0: "disabled", 1: "live stream", 2: "recording", 3: "live stream and recording"}
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
    return [MEDIA.get(part.strip(), f"unknown ({clean_text(part, 32)})") for part in value.split(",") if part.strip()]


def _recurrence(cycle: CycleParams | None) -> str | None:
    if cycle is None or cycle.cycle is None:
        return None
    unit = CYCLES.get(cycle.cycle, f"unknown unit ({clean_text(cycle.cycle, 16)})")
    every = f"every {cycle.interval} {unit}s" if cycle.interval and cycle.interval > 1 else f"every {unit}"
    on = ""
    if cycle.point:
        if cycle.cycle == "Week":
            on = " on " + ", ".join(WEEKDAYS[p] if 0 <= p <= 6 else f"day {p}" for p in cycle.point)
        elif cycle.cycle == "Month":
            on = " on day " + ", ".join(str(p) for p in cycle.point)
    span = ""
    if cycle.start_date or cycle.end_date:
        span = f" from {text(cycle.start_date, 16) or '?'} to {text(cycle.end_date, 16) or '?'} (meeting's zone)"
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


def _participant(raw: ParticipantInfo, include_contacts: bool) -> Participant:
    participant = Participant(
        name=text(raw.name),
        role="chair" if raw.role == 1 else "participant",
        kind=words(DEVICE_KINDS, raw.attendee_type) or "unknown",
        deptName=text(raw.dept_name),
        accountId=text(raw.account_id),
    )
    if include_contacts:
        participant.phone = text(raw.participant_id or raw.subscriber_id, 64)
        participant.sms = text(raw.sms, 64)
        participant.email = text(raw.email)
    return participant


def build_detail(response: ConfDetailResponse, query: DetailQuery, options: ViewOptions) -> MeetingDetail:
    """Turn a confDetail answer into the trimmed, redacted output for one page of participants."""
    conf = response.conference_data
    notes: list[str] = []
    times = meeting_times(conf, options, notes)

    page = response.data
    raw_people = page.data if page and page.data else []
    people = [_participant(p, options.include_contacts) for p in raw_people]
    total = page.count if page and page.count is not None and page.count >= 0 else query.offset + len(people)
    offset = page.offset if page and page.offset is not None and page.offset >= 0 else query.offset
    more = offset + len(people) < total and len(people) > 0
    notes.append("Participants are the people invited when the meeting was scheduled, not who actually joined.")

    return MeetingDetail(
        confUUID=text(conf.conf_uuid, 64) or query.conf_uuid,
        conferenceID=text(conf.conference_id, 32),
        subject=text(conf.subject, LONG),
        scheduserName=text(conf.scheduser_name),
        deptName=text(conf.dept_name),
        conferenceState=words(STATES, conf.conference_state),
        kind=_kind(conf),
        mediaTypes=_media(conf.media_types),
        timeZone=times.zone,
        start=times.start,
        end=times.end,
        timesReadAs=times.reading,
        durationMinutes=times.duration_minutes,
        recording=Recording(
            isHasRecordFile=conf.is_has_record_file,
            recordType=words(RECORD_TYPES, conf.record_type),
            autoRecord=None if conf.is_auto_record is None else conf.is_auto_record == 1,
        ),
        settings=_settings(conf),
        invited=InvitedSummary(size=conf.size, softClients=conf.normal_count, roomTerminals=conf.terminl_count),
        recurrence=_recurrence(conf.cycle_params),
        participants=ParticipantPage(
            participantType=query.participant_type,
            searchKey=query.search_key,
            total=max(total, offset + len(people)) if people else total,
            offset=offset,
            returned=len(people),
            nextOffset=offset + len(people) if more else None,
            items=people,
        ),
        notes=notes,
    )


# --- text rendering -------------------------------------------------------------------------


def _yes_no(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def _count(n: int | None, one: str, many: str | None = None) -> str:
    if n is None:
        return f"? {many or one + 's'}"
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _header_lines(detail: MeetingDetail) -> list[str]:
    rec, st, inv = detail.recording, detail.settings, detail.invited
    zone = detail.timeZone
    zone_text = zone.label or (f"unknown timeZoneID {zone.timeZoneID}" if zone.timeZoneID else "unknown")
    lines = [
        f'Meeting "{detail.subject or "(no subject)"}" · ID {detail.conferenceID or "?"} · confUUID {detail.confUUID}',
        join(
            [
                f"Organizer: {detail.scheduserName}" if detail.scheduserName else None,
                f"Enterprise: {detail.deptName}" if detail.deptName else None,
                f"State: {detail.conferenceState}" if detail.conferenceState else None,
                f"Kind: {detail.kind}",
            ]
        ),
        f"Start: {when(detail.start)} · End: {when(detail.end)}"
        + (f" · Duration: {detail.durationMinutes} min" if detail.durationMinutes is not None else ""),
        f"Time zone: {zone_text} · API times read as {'UTC' if detail.timesReadAs == 'utc' else 'local time'}",
    ]
    if detail.mediaTypes:
        lines.append("Media: " + ", ".join(detail.mediaTypes))
    recording = join(
        [
            _yes_no(rec.isHasRecordFile, "a recording file exists", "no recording file"),
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
    if inv.size is not None or inv.softClients is not None or inv.roomTerminals is not None:
        lines.append(
            f"Invited: {_count(inv.size, 'person', 'people')}"
            f" ({_count(inv.softClients, 'soft client')}, {_count(inv.roomTerminals, 'room terminal')})"
        )
    if detail.recurrence:
        lines.append("Recurrence: " + detail.recurrence)
    return lines


def participant_line(p: Participant) -> str:
    """One compact line per participant."""
    return "- " + join([p.name or "(no name)", p.role, p.kind, p.deptName, p.accountId, p.phone, p.sms, p.email])


def _page_heading(page: ParticipantPage) -> str:
    which = {"all": "all", "people": "people only", "rooms": "rooms only"}[page.participantType]
    search = f', matching "{page.searchKey}"' if page.searchKey else ""
    if page.returned == 0:
        return f"Participants ({which}{search}): none in this page (total {page.total})."
    first, last = page.offset + 1, page.offset + page.returned
    return f"Participants {first}-{last} of {page.total} ({which}{search}):"


def next_call(detail: MeetingDetail, limit: int) -> str | None:
    """The exact call that returns the next page, or None on the last page."""
    page = detail.participants
    if page.nextOffset is None:
        return None
    args: dict[str, str | int | None] = {
        "confUUID": detail.confUUID,
        "offset": page.nextOffset,
        "limit": limit,
        "searchKey": page.searchKey,
        "participantType": None if page.participantType == "all" else page.participantType,
    }
    return call_text("get_historical_meeting_detail", args)


def _footer(detail: MeetingDetail, limit: int) -> list[str]:
    call = next_call(detail, limit)
    lines = []
    if call:
        reason = " (page trimmed to fit the size budget)" if detail.participants.trimmedToFit else ""
        lines.append(f"More participants remain{reason}: call {call}")
    lines.extend(f"Note: {note}" for note in detail.notes)
    return lines


def render_detail(detail: MeetingDetail, limit: int, budget: int = TEXT_BUDGET) -> tuple[MeetingDetail, str]:
    """Render the text block, trimming the participant page so the text stays under `budget` chars.

    Returns the (possibly trimmed) detail together with its text, so that structured content and
    text always describe the same participants.
    """
    head = "\n".join([*_header_lines(detail), _page_heading(detail.participants)])
    lines = [participant_line(p) for p in detail.participants.items]
    # Reserve room for the footer of a trimmed page, which is the longest footer there is.
    page = detail.participants
    worst = page.model_copy(update={"nextOffset": page.offset + len(lines), "trimmedToFit": True})
    reserve = len("\n".join(_footer(detail.model_copy(update={"participants": worst}), limit))) + 2
    kept = lines_that_fit(lines, budget - len(head) - reserve - 1)
    if kept < len(lines):
        page = trimmed_page(page, page.items, page.offset, kept)
        detail = detail.model_copy(update={"participants": page})
        head = "\n".join([*_header_lines(detail), _page_heading(detail.participants)])
    return detail, "\n".join([head, *lines[:kept], *_footer(detail, limit)])
