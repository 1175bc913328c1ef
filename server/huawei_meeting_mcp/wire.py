"""Models of what the Huawei Cloud Meeting API sends (API doc §2-§3), read tolerantly, and what we ask it.

Only fields the server reads are modelled: secrets the API returns (meeting passwords, join links,
stream push URLs) and contact fields no answer shows (`phone2`, `phone3`, the scheduling-time
`partAttendeeInfo` list with its phones) are never parsed, so they cannot reach a view by accident.
A field whose value has the wrong type becomes None instead of failing the whole answer;
only the parts the tools cannot do without (`conferenceData`) are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
)
from pydantic.alias_generators import to_camel
from pydantic_core import core_schema

T = TypeVar("T")

ATTENDANCE_PAGE_SIZE = 500
"""The API's largest attendance page."""
MAX_ATTENDANCE_PAGES = 20
"""Attendance reading stops after this many pages and says so."""
MAX_ATTENDANCE_RECORDS = ATTENDANCE_PAGE_SIZE * MAX_ATTENDANCE_PAGES
"""Attendance reading stops at this many records (10,000), however the API pages them."""
MAX_SERIES_OCCURRENCES = 60
"""A series answer reads the attendance of at most this many occurrences (the newest in the window)."""

SortType = Literal["DSC_StartTIME", "ASC_StartTIME", "DSC_RecordTYPE", "ASC_RecordTYPE"]
"""The history list's orders: start time newest/oldest first, or meetings with a recording first (§3.1)."""
SORT_TYPES: tuple[str, ...] = get_args(SortType)


class _NoneOnError:
    """Validation that gives None instead of failing, done inside pydantic-core (no Python call per field)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_default_schema(handler(source), default=None, on_error="default")


def _objects_only(value: Any) -> Any:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else None


Lenient = Annotated[T | None, _NoneOnError()]
"""A value that becomes None when the API sends something of the wrong type."""

ObjectList = Annotated[list[T] | None, BeforeValidator(_objects_only), _NoneOnError()]
"""A list whose non-object items are dropped; anything but a list becomes None."""


class WireModel(BaseModel):
    """Base for API models: camelCase on the wire, unknown fields ignored, numbers accepted as text."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="ignore",
        coerce_numbers_to_str=True,
        frozen=True,
        defer_build=True,  # built on the first answer, not at start-up (docs/performance.md, row 1)
    )


class CycleParams(WireModel):
    """Recurrence of a recurring meeting (§2.4); dates are in the meeting's zone."""

    start_date: Lenient[str] = None
    end_date: Lenient[str] = None
    cycle: Lenient[str] = None
    interval: Lenient[int] = None
    point: Lenient[list[int]] = None


class ConfConfigInfo(WireModel):
    """Meeting settings (`confConfigInfo`, §2.3), without the guest password."""

    is_auto_mute: Lenient[bool] = None
    is_hard_terminal_auto_mute: Lenient[bool] = None
    is_guest_free_pwd: Lenient[bool] = None
    call_in_restriction: Lenient[int] = None
    allow_guest_start_conf: Lenient[bool] = None
    enable_waiting_room: Lenient[bool] = None
    prolong_length: Lenient[int] = None


class CycleSubConf(WireModel):
    """One occurrence of a recurring meeting (`subConfs[]`, §2.5); times are `YYYY-MM-DD HH:MM`."""

    cycle_sub_conf_id: Lenient[str] = Field(default=None, alias="cycleSubConfID")
    start_time: Lenient[str] = None
    end_time: Lenient[str] = None


class ConferenceInfo(WireModel):
    """The meeting itself (`conferenceData`, §2.1)."""

    conference_id: Lenient[str] = Field(default=None, alias="conferenceID")
    conf_uuid: Lenient[str] = Field(default=None, alias="confUUID")
    subject: Lenient[str] = None
    size: Lenient[int] = None
    time_zone_id: Lenient[str] = Field(default=None, alias="timeZoneID")
    start_time: Lenient[str] = None
    end_time: Lenient[str] = None
    media_types: Lenient[str] = None
    conference_state: Lenient[str] = None
    scheduser_name: Lenient[str] = None
    conference_type: Lenient[int] = None
    conf_type: Lenient[str] = None
    cycle_params: Lenient[CycleParams] = None
    is_auto_mute: Lenient[int] = None
    is_auto_record: Lenient[int] = None
    record_type: Lenient[int] = None
    conf_config_info: Lenient[ConfConfigInfo] = None
    is_has_record_file: Lenient[bool] = None
    terminl_count: Lenient[int] = None
    normal_count: Lenient[int] = None
    dept_name: Lenient[str] = None
    webinar: Lenient[bool] = None
    sub_confs: ObjectList[CycleSubConf] = None


class ParticipantInfo(WireModel):
    """One invited participant (`data.data[]`, §2.9)."""

    participant_id: Lenient[str] = Field(default=None, alias="participantID")
    subscriber_id: Lenient[str] = Field(default=None, alias="subscriberID")
    name: Lenient[str] = None
    role: Lenient[int] = None
    attendee_type: Lenient[str] = None
    account_id: Lenient[str] = None
    email: Lenient[str] = None
    sms: Lenient[str] = None
    dept_name: Lenient[str] = None


class PageParticipant(WireModel):
    """A page of participants (`data`, §2.8)."""

    offset: Lenient[int] = None
    count: Lenient[int] = None
    data: ObjectList[ParticipantInfo] = None


class HistoryListResponse(WireModel):
    """The body of `GET /v1/mmc/management/conferences/history` (§3.1): a page of ended meetings."""

    offset: Lenient[int] = None
    count: Lenient[int] = None
    data: ObjectList[ConferenceInfo] = None


class AttendanceRecord(WireModel):
    """One join-to-leave session of one attendee (`confAttendeeRecord` `data[]`, §3.3)."""

    display_name: Lenient[str] = None
    call_number: Lenient[str] = None
    device_type: Lenient[str] = None
    join_time: Lenient[int] = None
    left_time: Lenient[int] = None
    media_type: Lenient[str] = None
    dept_name: Lenient[str] = None


class AttendancePage(WireModel):
    """The body of `GET /v1/mmc/management/conferences/history/confAttendeeRecord` (§3.3)."""

    offset: Lenient[int] = None
    count: Lenient[int] = None
    data: ObjectList[AttendanceRecord] = None


class RecordingInfo(WireModel):
    """The recording of one meeting (`record/files?confUUID=`, §3.4), without its viewing links.

    `url` (the links, which may work for anyone holding them) is deliberately not modelled.
    """

    rcd_time: Lenient[int] = None
    """Length in seconds."""
    rcd_size: Lenient[int] = None
    """Size in MB."""
    is_decode_finish: Lenient[bool] = None
    decode_end_time: Lenient[int] = None
    """Expected end of transcoding; read as epoch milliseconds (UNVERIFIED unit, §3.4)."""
    available: Lenient[bool] = None
    record_auth_type: Lenient[int] = None


class ControlRecord(WireModel):
    """One in-meeting control operation (`confCtlRecord` `data[]`, §3.6)."""

    operate_time: Lenient[int] = None
    """UTC epoch milliseconds."""
    operate_source: Lenient[str] = None
    operator: Lenient[str] = None
    operate_code: Lenient[str] = None
    operation_object: Lenient[str] = None
    operate_result: Lenient[str] = None
    detail: Lenient[str] = None


class ControlRecordPage(WireModel):
    """The body of `GET /v1/mmc/management/conferences/history/confCtlRecord` (§3.6)."""

    offset: Lenient[int] = None
    count: Lenient[int] = None
    data: ObjectList[ControlRecord] = None


class ConfDetailResponse(WireModel):
    """The body of `GET /v1/mmc/management/conferences/history/confDetail`."""

    conference_data: ConferenceInfo
    data: Lenient[PageParticipant] = None


class TokenResponse(WireModel):
    """A TokenDTO (§4.4), the answer of both sign-in APIs: the token and its lifetime.

    The `user` block (which carries device passwords) is deliberately not modelled.
    """

    access_token: str = Field(min_length=1)
    valid_period: Lenient[int] = None
    """Lifetime in seconds."""
    expire_time: Lenient[int] = None
    """Expiry as Unix seconds."""
    refresh_token: Lenient[str] = None


# --- What the server asks for -----------------------------------------------------------------


@dataclass(frozen=True)
class DetailQuery:
    """What to ask confDetail for: one occurrence, a page of its participants, and a filter."""

    conf_uuid: str
    offset: int = 0
    limit: int = 20
    search_key: str | None = None
    participant_type: Literal["all", "people", "rooms"] = "all"

    def headers(self) -> dict[str, str]:
        """The X-Type / X-Query-Type headers that select people, rooms or both (§1)."""
        if self.participant_type == "people":
            return {"X-Type": "2", "X-Query-Type": "0"}
        if self.participant_type == "rooms":
            return {"X-Type": "2", "X-Query-Type": "1"}
        return {"X-Type": "0"}

    def params(self) -> dict[str, str | int]:
        """The query string."""
        params: dict[str, str | int] = {
            "confUUID": self.conf_uuid,
            "offset": self.offset,
            "limit": self.limit,
        }
        if self.search_key:
            params["searchKey"] = self.search_key
        return params


@dataclass(frozen=True)
class HistoryQuery:
    """What to ask the history list for: a window on start times (epoch ms), a filter, a page and an order."""

    start_ms: int
    end_ms: int
    offset: int = 0
    limit: int = 20
    search_key: str | None = None
    sort_type: SortType = "DSC_StartTIME"
    query_all: bool = False

    def params(self) -> dict[str, str | int]:
        """The query string."""
        params: dict[str, str | int] = {
            "startDate": self.start_ms,
            "endDate": self.end_ms,
            "offset": self.offset,
            "limit": self.limit,
            "sortType": self.sort_type,
            "queryAll": "true" if self.query_all else "false",
        }
        if self.search_key:
            params["searchKey"] = self.search_key
        return params


@dataclass(frozen=True)
class AttendanceQuery:
    """One page of a meeting's attendance records."""

    conf_uuid: str
    offset: int = 0
    limit: int = 500
    search_key: str | None = None

    def params(self) -> dict[str, str | int]:
        """The query string."""
        params: dict[str, str | int] = {"confUUID": self.conf_uuid, "offset": self.offset, "limit": self.limit}
        if self.search_key:
            params["searchKey"] = self.search_key
        return params


@dataclass(frozen=True)
class ControlQuery:
    """One page of a meeting's control records."""

    conf_uuid: str
    offset: int = 0
    limit: int = 50

    def params(self) -> dict[str, str | int]:
        """The query string."""
        return {"confUUID": self.conf_uuid, "offset": self.offset, "limit": self.limit}
