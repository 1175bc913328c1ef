"""Output models: the structured content the tools return, and the schema clients see.

Field names are the public contract. Where a field keeps the API's meaning it keeps the API's
camelCase name (`conferenceID`, `scheduserName`, `deptName`); derived fields get plain names.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .wire import SortType

ParticipantType = Literal["all", "people", "rooms"]


class OutputModel(BaseModel):
    """Base for output models: strict names, nothing extra."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use, not at import


class Page(OutputModel):
    """Where one page of a longer list sits, and how to get the next one: the same in every paged answer."""

    total: int = Field(description="Items matching the request in all pages.")
    offset: int = Field(description="Offset of the first item in this page.")
    returned: int = Field(description="Items in this page.")
    nextOffset: int | None = Field(
        default=None, description="Pass as offset to get the next page; absent on the last page."
    )
    trimmedToFit: bool = Field(
        default=False, description="The page was cut short to keep the answer under the size budget."
    )

    @classmethod
    def of(cls, requested_offset: int, received: int, *, count: int | None = None, offset: int | None = None) -> Page:
        """A page of `received` items; the API's `count` and `offset` are used when sane.

        The repair rule, in one place: a missing or negative offset is the one asked for; a missing or
        negative count, or one smaller than what was just received, grows to cover what was received
        (an empty page beyond the end keeps the count it was given). Paging always moves forward: the next
        offset is past the one asked for, even when the API says it answered an earlier one.
        """
        start = offset if offset is not None and offset >= 0 else requested_offset
        total = count if count is not None and count >= 0 else start + received
        if received:
            total = max(total, start + received)
        following = max(start, requested_offset) + received
        more = received > 0 and following < total
        return cls(total=total, offset=start, returned=received, nextOffset=following if more else None)

    def trimmed(self, kept: int) -> Page:
        """The page cut to its first `kept` items, the next page starting right after them."""
        following = (self.nextOffset or self.offset + self.returned) - (self.returned - kept)
        return self.model_copy(update={"returned": kept, "nextOffset": following, "trimmedToFit": True})


PagedT = TypeVar("PagedT", bound="PagedAnswer")


class PagedAnswer(OutputModel):
    """An answer that carries one page of a longer list: the `page` and the items it describes."""

    ITEMS: ClassVar[str]
    """Name of the field that holds this page's items."""

    page: Page = Field(description="Which part of the whole list this answer holds, and how to get the next page.")
    notes: list[str] = Field(default_factory=list, description="Caveats about this answer, and next steps.")
    _arguments_as_given: bool = PrivateAttr(default=True)

    @property
    def arguments_as_given(self) -> bool:
        """False when an argument this answer echoes is shown cleaned (`view.clean.Echoes`).

        A next call written from the echoed values would then not be the caller's call (a searchKey that cleaned
        to nothing would page unfiltered), so the text suggests none and gives the next offset only.
        """
        return self._arguments_as_given

    def echoing(self: PagedT, as_given: bool) -> PagedT:
        """Record whether the arguments the answer echoes are the ones given; returns the answer."""
        self._arguments_as_given = as_given
        return self

    def items_field(self) -> str:
        """The name of the field that holds this page's items."""
        return self.ITEMS

    def items(self) -> list[Any]:
        """The items of this page."""
        items: list[Any] = getattr(self, self.items_field())
        return items

    def cut(self: PagedT, kept: int) -> PagedT:
        """The answer with only the first `kept` items, marked as trimmed to fit."""
        return self.model_copy(update={self.items_field(): self.items()[:kept], "page": self.page.trimmed(kept)})


class MeetingTime(OutputModel):
    """One instant, in UTC and in the meeting's own time zone."""

    utc: str | None = Field(default=None, description="ISO 8601 in UTC, e.g. 2019-11-18T23:31Z (attendance: seconds).")
    local: str | None = Field(
        default=None, description="ISO 8601 in the meeting's time zone, with its offset; absent if unknown."
    )


class TimeZoneInfo(OutputModel):
    """The zone the meeting was scheduled in (not the organizer's profile zone), as Huawei labels it."""

    timeZoneID: str | None = Field(default=None, description="Huawei's time zone ID, e.g. '56'.")
    label: str | None = Field(
        default=None,
        description="Huawei's label for the ID, e.g. '(GMT+08:00) Beijing, ...'; absent when the ID is unknown.",
    )


class Recording(OutputModel):
    """Whether and how the meeting was recorded or streamed, and the recording itself. Never its links."""

    isHasRecordFile: bool | None = Field(default=None, description="A cloud recording file exists.")
    recordType: str | None = Field(
        default=None, description="Recording mode in words: disabled, live stream, recording, or both."
    )
    autoRecord: bool | None = Field(default=None, description="Cloud recording started automatically.")
    lengthMinutes: float | None = Field(default=None, description="Length of the recording, in minutes.")
    sizeMB: int | None = Field(default=None, description="Size of the recording file, in MB.")
    transcoded: bool | None = Field(default=None, description="Transcoding has finished.")
    transcodingExpectedBy: MeetingTime | None = Field(
        default=None, description="When transcoding is expected to finish, while it has not."
    )
    watchable: bool | None = Field(default=None, description="The recording can be watched now.")
    whoMayWatch: str | None = Field(
        default=None,
        description="Who may watch or download it: anyone with the link, enterprise users, or the participants.",
    )
    unreadable: str | None = Field(
        default=None, description="Why the recording's facts could not be read, when they could not."
    )


class Occurrence(OutputModel):
    """One occurrence of a recurring meeting."""

    number: int = Field(description="Its place in the series, from 1, as the API lists them.")
    start: MeetingTime = Field(description="Start, in UTC and in the zone the meeting was scheduled in.")
    durationMinutes: int | None = Field(default=None, description="End minus start, in minutes.")
    when: Literal["past", "this one", "future"] = Field(
        description="past (started before now), this one (the occurrence asked about), or future (not held yet)."
    )


class MeetingSettings(OutputModel):
    """Key settings of the meeting, in words."""

    autoMute: str | None = Field(default=None, description="Who was muted on joining.")
    waitingRoom: bool | None = Field(default=None, description="Waiting room enabled.")
    whoMayJoin: str | None = Field(default=None, description="Call-in restriction in words.")
    guestsNeedPassword: bool | None = Field(default=None, description="Guests needed a password to join.")
    guestsMayStart: bool | None = Field(default=None, description="Guests could start the meeting.")
    autoExtendMinutes: int | None = Field(default=None, description="Minutes the meeting auto-extends.")


class InvitedSummary(OutputModel):
    """How many were invited when the meeting was scheduled."""

    size: int | None = Field(default=None, description="Invitees added when scheduling: people and room terminals.")
    softClients: int | None = Field(default=None, description="Invited people (soft clients: PC, mobile app).")
    roomTerminals: int | None = Field(default=None, description="Invited room terminals (IdeaHub, TE30...).")


class Participant(OutputModel):
    """One invited participant."""

    name: str | None = Field(default=None, description="Display name.")
    role: str = Field(description="'chair' (host) or 'participant'.")
    kind: str = Field(description="soft client, room terminal, external, mobile, or another device kind.")
    deptName: str | None = Field(default=None, description="Department.")
    accountId: str | None = Field(default=None, description="Huawei Cloud Meeting account or third-party user ID.")
    phone: str | None = Field(
        default=None, description="Number (participantID); only when HUAWEI_MEETING_INCLUDE_CONTACTS=true."
    )
    sms: str | None = Field(default=None, description="SMS number; only when HUAWEI_MEETING_INCLUDE_CONTACTS=true.")
    email: str | None = Field(default=None, description="E-mail; only when HUAWEI_MEETING_INCLUDE_CONTACTS=true.")


class MeetingDetail(PagedAnswer):
    """A trimmed, privacy-safe summary of one ended meeting and a page of its participant list."""

    ITEMS = "participants"

    confUUID: str = Field(description="UUID of this occurrence of the meeting.")
    conferenceID: str | None = Field(default=None, description="The 9-digit meeting ID people type to join.")
    subject: str | None = Field(default=None, description="Topic.")
    scheduserName: str | None = Field(default=None, description="Organizer (who scheduled it).")
    deptName: str | None = Field(default=None, description="The organizer's enterprise.")
    conferenceState: str | None = Field(default=None, description="State in words, e.g. 'ended'.")
    kind: str = Field(description="instant, scheduled, recurring, webinar, or unknown.")
    mediaTypes: list[str] = Field(description="Media in words: audio, video, HD video, data sharing.")
    timeZone: TimeZoneInfo = Field(
        description="The zone the meeting was scheduled in (its timeZoneID), not the organizer's profile zone."
    )
    start: MeetingTime = Field(description="Start time.")
    end: MeetingTime = Field(description="End time.")
    timesReadAs: Literal["utc", "local"] = Field(
        description="How the API's times were read (HUAWEI_MEETING_API_TIMES): as UTC or as the meeting's zone."
    )
    durationMinutes: int | None = Field(default=None, description="End minus start, in minutes.")
    recording: Recording = Field(description="Recording and streaming.")
    settings: MeetingSettings = Field(description="Key settings.")
    invited: InvitedSummary = Field(description="Invitation counts.")
    recurrence: str | None = Field(default=None, description="The recurrence in words, for recurring meetings.")
    occurrences: list[Occurrence] = Field(
        default_factory=list,
        description="Occurrences of a recurring meeting around the one asked about (at most 10 before and 10 after), "
        "each marked past, this one or future.",
    )
    occurrencesTotal: int | None = Field(
        default=None, description="Occurrences the series has in all (recurring meetings only)."
    )
    occurrencesEarlier: int | None = Field(
        default=None, description="Earlier occurrences not listed (before the first one shown)."
    )
    occurrencesLater: int | None = Field(
        default=None, description="Later occurrences not listed (after the last one shown)."
    )
    occurrencesInFuture: int | None = Field(
        default=None, description="Occurrences of the whole series that have not started yet."
    )
    participantType: ParticipantType = Field(description="Which participants were asked for.")
    searchKey: str | None = Field(default=None, description="The participant filter that was applied, if any.")
    participants: list[Participant] = Field(description="This page of the participant list (not who joined).")


class RangeEnd(OutputModel):
    """One end of the window on meeting start times, as sent to the API."""

    utc: str = Field(description="ISO 8601 in UTC with milliseconds, e.g. 2026-11-24T00:00:00.000Z.")
    epochMs: int = Field(description="The same instant in Unix epoch milliseconds, exactly as the API received it.")
    defaulted: bool = Field(description="Not given: the default (now, or 30 days before endDate) was used.")


class RowAttendance(OutputModel):
    """Who joined one meeting of the list, against its participant list (as the attendance tool's summary counts)."""

    people: int | None = Field(default=None, description="People who joined (one per name and number).")
    rooms: int | None = Field(default=None, description="Meeting-room devices (TE30, IdeaHub...) that joined.")
    invited: int | None = Field(
        default=None, description="Entries of the participant list: the people and rooms invited, before or during it."
    )
    absent: int | None = Field(default=None, description="Invited people and rooms who never joined.")
    uninvited: int | None = Field(
        default=None, description="Who joined without being on the participant list (absent for a webinar)."
    )
    audience: int | None = Field(default=None, description="A webinar: attendees not on the list (its audience).")
    unreadable: str | None = Field(
        default=None, description="Why the attendance, or its participant list, could not be read, when it could not."
    )


class MeetingRow(OutputModel):
    """One occurrence of an ended meeting."""

    confUUID: str | None = Field(
        default=None, description="UUID of this occurrence: pass it to the detail and attendance tools."
    )
    conferenceID: str | None = Field(
        default=None, description="The 9-digit meeting ID; the same ID can belong to several occurrences."
    )
    subject: str | None = Field(default=None, description="Topic.")
    scheduserName: str | None = Field(default=None, description="Organizer (who scheduled it).")
    start: MeetingTime = Field(
        description="Start time, in UTC and in the meeting's own zone (the zone it was scheduled in)."
    )
    timeZoneID: str | None = Field(
        default=None,
        description="Huawei's ID of the zone the meeting was scheduled in (not the organizer's profile), e.g. '56'.",
    )
    durationMinutes: int | None = Field(default=None, description="End minus start, in minutes.")
    invited: int | None = Field(default=None, description="Number of people invited when it was scheduled.")
    hasRecording: bool | None = Field(default=None, description="A cloud recording file exists.")
    attendance: RowAttendance | None = Field(
        default=None, description="With withAttendance=true: who joined, who never did, who came uninvited."
    )


class WindowSummary(OutputModel):
    """Totals over every meeting of the window (all pages), not only this page."""

    meetings: int = Field(description="Meetings (occurrences) that started in the window and match searchKey.")
    totalMinutes: int = Field(description="The meetings' lengths added up: end minus start, in minutes.")
    recorded: int = Field(description="Meetings with a cloud recording.")
    capped: bool = Field(
        default=False,
        description="The window holds more than 1,000 meetings: the totals cover the first 1,000 in the order asked.",
    )
    inWindow: int | None = Field(default=None, description="Meetings the API said the window holds.")


class RepeatedMeetingID(OutputModel):
    """A meeting ID that appears on several rows of this page: one row per occurrence."""

    conferenceID: str = Field(description="The meeting ID.")
    occurrences: int = Field(description="How many rows of this page carry it.")

    @classmethod
    def among(cls, rows: list[MeetingRow]) -> list[RepeatedMeetingID]:
        """Meeting IDs that appear on more than one of `rows`, in order of first appearance."""
        counts = Counter(row.conferenceID for row in rows if row.conferenceID)
        return [cls(conferenceID=i, occurrences=n) for i, n in counts.items() if n > 1]


class MeetingList(PagedAnswer):
    """A page of ended meetings that started in a window, and how to get the next page."""

    ITEMS = "meetings"

    startDate: RangeEnd = Field(description="Start of the window on meeting start times.")
    endDate: RangeEnd = Field(description="End of the window on meeting start times.")
    searchKey: str | None = Field(default=None, description="The topic / organizer / meeting ID filter, if any.")
    sortType: SortType = Field(description="The order the API was asked for.")
    queryAll: bool = Field(description="Asked for the whole enterprise (administrators only).")
    timesReadAs: Literal["utc", "local"] = Field(
        description="How the API's start times were read (HUAWEI_MEETING_API_TIMES): as UTC or as the meeting's zone."
    )
    summary: WindowSummary | None = Field(
        default=None, description="Totals over the whole window (every page); absent when it could not be read."
    )
    searchLoosely: bool = Field(
        default=False,
        description="searchKey found nothing literally, so it was matched ignoring case, spaces, hyphens and "
        "full-width forms within the window's meetings.",
    )
    withAttendance: bool = Field(default=False, description="Each row carries its attendance counts.")
    meetings: list[MeetingRow] = Field(description="One row per meeting occurrence.")
    repeatedMeetingIDs: list[RepeatedMeetingID] = Field(
        default_factory=list, description="Meeting IDs held several times within this page."
    )

    def cut(self, kept: int) -> MeetingList:
        """The page with only its first `kept` meetings; repeated meeting IDs counted again."""
        answer = super().cut(kept)
        return answer.model_copy(update={"repeatedMeetingIDs": RepeatedMeetingID.among(answer.meetings)})


class Stay(OutputModel):
    """How long one attendee stayed."""

    name: str | None = Field(default=None, description="Display name.")
    minutesAttended: float = Field(description="Minutes attended, overlapping sessions counted once.")


class AttendanceSummary(OutputModel):
    """The attendance of the whole meeting at a glance, reconciled with its whole participant list.

    Filters (kind, department, searchKey) narrow the page, never the summary. The counts add up:
    uniqueAttendees = matched + uninvited (a webinar: audience) + sameNameAsMatched; participantList =
    matched + absent; uniqueAttendees = people + rooms.
    """

    uniqueAttendees: int = Field(description="People and rooms who joined, the whole meeting.")
    people: int = Field(description="Attendees who are people.")
    rooms: int = Field(description="Attendees that are meeting-room terminals.")
    sessions: int = Field(description="Join-to-leave sessions (attendance records) read.")
    participantList: int | None = Field(
        default=None, description="People and rooms on the participant list (absent when it could not be read)."
    )
    matched: int | None = Field(
        default=None, description="Attendees matched to an entry of the list (by number or name): as many entries."
    )
    absent: int | None = Field(default=None, description="On the participant list, never joined.")
    absentPeople: int | None = Field(default=None, description="Of those who never joined: people.")
    absentRooms: int | None = Field(default=None, description="Of those who never joined: rooms.")
    uninvited: int | None = Field(
        default=None, description="Joined, not on the participant list (absent for a webinar: see audience)."
    )
    audience: int | None = Field(
        default=None, description="A webinar: attendees not on the participant list (its audience never is)."
    )
    sameNameAsMatched: int | None = Field(
        default=None,
        description="Attendees with the name of an entry already matched (a second number): present, not uninvited.",
    )
    matchedByNameOnly: int | None = Field(
        default=None,
        description="Attendees matched to the list by display name alone, not by number: an approximation.",
    )
    countRule: str | None = Field(default=None, description="How the counts add up, in words.")
    longestStay: Stay | None = Field(default=None, description="Who stayed longest.")
    shortestStay: Stay | None = Field(default=None, description="Who stayed shortest.")


class Attendee(OutputModel):
    """One person's attendance, all their sessions taken together."""

    name: str | None = Field(default=None, description="Display name they joined under.")
    kind: Literal["person", "room"] = Field(description="A person, or a meeting-room terminal.")
    invitedAs: str | None = Field(
        default=None,
        description="The participant-list name they matched, when they joined under another (e.g. 'iPhone').",
    )
    matchedBy: Literal["number", "name", "same name"] | None = Field(
        default=None,
        description="How they matched the participant list: number, name, or the name of an entry already "
        "matched; absent when not on it.",
    )
    deptName: str | None = Field(default=None, description="Department.")
    callNumber: str | None = Field(
        default=None, description="Number they joined with; only when HUAWEI_MEETING_INCLUDE_CONTACTS=true."
    )
    deviceTypes: list[str] = Field(description="Device types they joined from, as the API names them.")
    mediaTypes: list[str] = Field(description="Media types of their sessions, as the API names them.")
    firstJoin: MeetingTime = Field(description="When they first joined.")
    lastLeave: MeetingTime = Field(description="When they last left.")
    sessions: int = Field(description="Join-to-leave sessions (a rejoin is a new session).")
    minutesAttended: float | None = Field(
        default=None, description="Minutes in the meeting, overlapping sessions (two devices at once) counted once."
    )
    sessionsWithoutLeaveTime: int | None = Field(
        default=None, description="Sessions with no valid leave time, left out of minutesAttended."
    )


AttendanceShow = Literal["attendees", "absent", "uninvited"]


class MeetingAttendance(PagedAnswer):
    """Who actually joined an ended meeting, when, and for how long; who missed it; who came uninvited."""

    ITEMS = "attendees"

    confUUID: str = Field(description="UUID of this occurrence of the meeting.")
    conferenceID: str | None = Field(default=None, description="The 9-digit meeting ID, when the meeting was read.")
    subject: str | None = Field(default=None, description="Topic, when the meeting was read.")
    webinar: bool | None = Field(default=None, description="The meeting is a webinar, when the meeting was read.")
    timeZone: TimeZoneInfo | None = Field(
        default=None,
        description="The zone the meeting was scheduled in, used for the local times; absent if it could not be read.",
    )
    start: MeetingTime | None = Field(default=None, description="The meeting's scheduled start, when read.")
    end: MeetingTime | None = Field(default=None, description="The meeting's end, when read.")
    searchKey: str | None = Field(
        default=None, description="The name filter applied to the page (name shown or invited name), if any."
    )
    kind: ParticipantType = Field(description="Which attendees or absentees the page lists: all, people or rooms.")
    department: str | None = Field(default=None, description="The department filter applied to the page, if any.")
    recordsRead: int = Field(description="Attendance records read (one per join-to-leave session).")
    recordsReported: int | None = Field(default=None, description="Records the API said it holds.")
    pagesRead: int = Field(description="Pages of up to 500 records read.")
    capped: bool = Field(description="Reading stopped at the page cap; the summary covers the records read.")
    summary: AttendanceSummary = Field(
        description="The whole meeting (never narrowed by the filters): attendees, people and rooms, matched, absent, "
        "uninvited or audience, longest and shortest stay."
    )
    show: AttendanceShow = Field(description="What this page lists: attendees, absent or uninvited.")
    attendees: list[Attendee] = Field(
        default_factory=list,
        description="show=attendees or uninvited: this page of attendees (people, not records), by first join.",
    )
    absent: list[Participant] = Field(
        default_factory=list,
        description="show=absent: this page of the participant list's people and rooms who never joined.",
    )

    def items_field(self) -> str:
        """The field holding this page: `absent` for show=absent, else `attendees`."""
        return "absent" if self.show == "absent" else "attendees"


class MeetingEvent(OutputModel):
    """One thing the host or a participant did in the meeting (a control record), as Huawei words it."""

    time: MeetingTime = Field(description="When, in UTC and in the meeting's zone (seconds).")
    operator: str | None = Field(default=None, description="Who did it (a display name or number).")
    action: str | None = Field(default=None, description="What was done (operateCode), e.g. 'Start recording'.")
    target: str | None = Field(default=None, description="Whom or what it acted on (operationObject).")
    result: str | None = Field(default=None, description="The outcome (operateResult).")
    source: str | None = Field(default=None, description="Where the operation came from (operateSource).")
    detail: str | None = Field(default=None, description="Details, as Huawei gives them.")


class MeetingEvents(PagedAnswer):
    """What happened in an ended meeting: a page of its control records, in the order Huawei keeps them."""

    ITEMS = "events"

    confUUID: str = Field(description="UUID of this occurrence of the meeting.")
    conferenceID: str | None = Field(default=None, description="The 9-digit meeting ID, when the meeting was read.")
    subject: str | None = Field(default=None, description="Topic, when the meeting was read.")
    timeZone: TimeZoneInfo | None = Field(
        default=None, description="The meeting's zone, used for the local times; absent when it could not be read."
    )
    events: list[MeetingEvent] = Field(description="This page of control records.")


class SeriesOccurrence(OutputModel):
    """One occurrence of the meeting ID in the window."""

    confUUID: str | None = Field(default=None, description="UUID of this occurrence: for the other tools.")
    start: MeetingTime = Field(description="Start, in UTC and in the zone the meeting was scheduled in.")
    durationMinutes: int | None = Field(default=None, description="End minus start, in minutes.")
    attendees: int | None = Field(
        default=None, description="People and rooms who joined (absent when its attendance could not be read)."
    )
    absent: int | None = Field(default=None, description="On its participant list, never joined.")
    unreadable: str | None = Field(default=None, description="Why its attendance could not be read, when it could not.")


class SeriesPerson(OutputModel):
    """One person (or room) across the occurrences: how regularly they attended, and for how long."""

    name: str | None = Field(
        default=None, description="The participant-list name they matched, else the name they joined under."
    )
    kind: Literal["person", "room"] = Field(description="A person, or a meeting-room terminal.")
    deptName: str | None = Field(default=None, description="Department.")
    attended: int = Field(description="Occurrences they joined.")
    invited: int = Field(description="Occurrences whose participant list had them.")
    occurrences: int = Field(description="Occurrences read (attended of this many).")
    minutesAttended: float = Field(description="Minutes over all occurrences, overlapping sessions counted once.")
    lastAttended: MeetingTime | None = Field(default=None, description="Start of the latest occurrence they joined.")


class SeriesSummary(OutputModel):
    """The series at a glance."""

    occurrences: int = Field(description="Occurrences of the meeting ID that started in the window (read).")
    totalMinutes: int = Field(description="Their lengths (end minus start) added up, in minutes.")
    longest: SeriesOccurrence | None = Field(default=None, description="The occurrence that ran longest.")
    shortest: SeriesOccurrence | None = Field(default=None, description="The occurrence that ran shortest.")
    averageAttendees: float | None = Field(
        default=None, description="Attendees per occurrence, over those whose attendance was read."
    )


class MeetingSeries(PagedAnswer):
    """The occurrences of one meeting ID in a window, and who attended them how regularly."""

    ITEMS = "people"

    meetingID: str = Field(description="The 9-digit meeting ID asked about.")
    subject: str | None = Field(default=None, description="Topic of its latest occurrence.")
    startDate: RangeEnd = Field(description="Start of the window on occurrence start times.")
    endDate: RangeEnd = Field(description="End of the window on occurrence start times.")
    capped: bool = Field(description="More occurrences started in the window than were read: the newest were kept.")
    summary: SeriesSummary = Field(description="How many occurrences, their minutes, the longest and shortest.")
    occurrences: list[SeriesOccurrence] = Field(description="Every occurrence read, oldest first.")
    people: list[SeriesPerson] = Field(
        description="This page of people and rooms, most regular first (occurrences attended, then minutes)."
    )
