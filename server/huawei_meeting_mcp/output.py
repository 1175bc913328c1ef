"""Output models: the structured content the tools return, and the schema clients see.

Field names are the public contract. Where a field keeps the API's meaning it keeps the API's
camelCase name (`conferenceID`, `scheduserName`, `deptName`); derived fields get plain names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ParticipantType = Literal["all", "people", "rooms"]


class OutputModel(BaseModel):
    """Base for output models: strict names, nothing extra."""

    model_config = ConfigDict(extra="forbid")


class MeetingTime(OutputModel):
    """One instant, in UTC and in the meeting's own time zone."""

    utc: str | None = Field(default=None, description="ISO 8601 in UTC, e.g. 2019-11-18T23:31Z.")
    local: str | None = Field(
        default=None, description="ISO 8601 in the meeting's time zone, with its offset; null if unknown."
    )


class TimeZoneInfo(OutputModel):
    """The meeting's time zone as Huawei labels it."""

    timeZoneID: str | None = Field(default=None, description="Huawei's time zone ID, e.g. '56'.")
    label: str | None = Field(
        default=None,
        description="Huawei's label for the ID, e.g. '(GMT+08:00) Beijing, ...'; null when the ID is unknown.",
    )


class Recording(OutputModel):
    """Whether and how the meeting was recorded or streamed."""

    isHasRecordFile: bool | None = Field(default=None, description="A cloud recording file exists.")
    recordType: str | None = Field(
        default=None, description="Recording mode in words: disabled, live stream, recording, or both."
    )
    autoRecord: bool | None = Field(default=None, description="Cloud recording started automatically.")


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

    size: int | None = Field(default=None, description="Number of invitees added when scheduling.")
    softClients: int | None = Field(default=None, description="Invitees on soft clients (PC, mobile app).")
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


class ParticipantPage(OutputModel):
    """A page of the invited participants, and how to get the next one."""

    participantType: ParticipantType = Field(description="Which participants were asked for.")
    searchKey: str | None = Field(default=None, description="The filter that was applied, if any.")
    total: int = Field(description="Participants matching the request in all pages.")
    offset: int = Field(description="Offset of the first participant in this page.")
    returned: int = Field(description="Participants in this page.")
    nextOffset: int | None = Field(
        default=None, description="Pass as offset to get the next page; null when this is the last page."
    )
    trimmedToFit: bool = Field(
        default=False, description="The page was cut short to keep the answer under the size budget."
    )
    items: list[Participant] = Field(description="The participants of this page.")


class MeetingDetail(OutputModel):
    """A trimmed, privacy-safe summary of one ended meeting and a page of its invitees."""

    confUUID: str = Field(description="UUID of this occurrence of the meeting.")
    conferenceID: str | None = Field(default=None, description="The 9-digit meeting ID people type to join.")
    subject: str | None = Field(default=None, description="Topic.")
    scheduserName: str | None = Field(default=None, description="Organizer (who scheduled it).")
    deptName: str | None = Field(default=None, description="The organizer's enterprise.")
    conferenceState: str | None = Field(default=None, description="State in words, e.g. 'ended'.")
    kind: str = Field(description="instant, scheduled, recurring, webinar, or unknown.")
    mediaTypes: list[str] = Field(description="Media in words: audio, video, HD video, data sharing.")
    timeZone: TimeZoneInfo = Field(description="The meeting's time zone.")
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
    participants: ParticipantPage = Field(description="A page of invited participants (not who joined).")
    notes: list[str] = Field(default_factory=list, description="Caveats about this answer.")
