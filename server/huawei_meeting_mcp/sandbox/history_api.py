"""The sandbox's history endpoints (API doc §1-§3.3, §3.6): list, detail, attendance, control records.

Same parameters and rules as the service: the list's `startDate`/`endDate` are required epoch
milliseconds and bound the meetings' *start* times (both ends included); `searchKey` matches
subject, organizer or meeting ID; `limit` is 1-500; `queryAll=true` widens the list from the
signed-in user's meetings to the whole enterprise. Start times in the sample data are UTC.
Attendance and control records answer in the `Accept-Language` asked for (§3.7).

Each function answers one request's body from the meetings, or raises `params.ApiError`; the
sandbox app does the token check, the request log and the HTTP around them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..wire import SORT_TYPES
from .data import ROOM_TYPES, SandboxMeeting, from_api_time
from .params import ApiError, bad_request, int_param, page, paged, search_key
from .records import Language, localized_attendance

HISTORY_PATH = "/v1/mmc/management/conferences/history"
CONF_DETAIL_PATH = "/v1/mmc/management/conferences/history/confDetail"
ATTENDANCE_PATH = "/v1/mmc/management/conferences/history/confAttendeeRecord"
CONTROL_PATH = "/v1/mmc/management/conferences/history/confCtlRecord"


def start_ms(meeting: SandboxMeeting) -> int:
    """A sample meeting's start time (`YYYY-MM-DD HH:MM`, UTC) in epoch milliseconds."""
    return int(from_api_time(meeting.conference["startTime"]).timestamp()) * 1000


def _matches(meeting: SandboxMeeting, needle: str | None) -> bool:
    if needle is None:
        return True
    conf = meeting.conference
    fields = (conf.get("subject", ""), conf.get("scheduserName", ""), conf.get("conferenceID", ""))
    return any(needle in str(value).casefold() for value in fields)


def select(
    meetings: Iterable[SandboxMeeting],
    query: Mapping[str, str],
    *,
    dates_required: bool = True,
    viewer: str | None = None,
) -> list[SandboxMeeting]:
    """The meetings a list query selects (window, scope, search key), sorted as `sortType` asks.

    `viewer` is the signed-in user ID (None: the enterprise administrator): a user's own meetings are the
    ones they organized or were on the participant list of, and only the administrator may use `queryAll`.
    """
    if dates_required or "startDate" in query or "endDate" in query:
        start, end = int_param(query, "startDate"), int_param(query, "endDate")
    else:
        start, end = 0, 2**63
    needle = search_key(query)
    sort_type = query.get("sortType", "DSC_StartTIME")
    query_all = query.get("queryAll", "false").lower()
    if start > end or sort_type not in SORT_TYPES or query_all not in {"true", "false"}:
        raise bad_request()
    if viewer is not None and query_all == "true":
        raise ApiError(403, "MMC.111070002", "Insufficient permissions.")
    found = [
        m
        for m in meetings
        if start <= start_ms(m) <= end
        and ((m.mine if viewer is None else viewer in m.people) or query_all == "true")
        and _matches(m, needle)
    ]
    found.sort(key=start_ms, reverse=sort_type.startswith("DSC"))
    if sort_type.endswith("RecordTYPE"):
        found.sort(key=lambda m: not m.conference.get("isHasRecordFile", False))
    return found


def list_history(
    meetings: Iterable[SandboxMeeting], query: Mapping[str, str], viewer: str | None = None
) -> dict[str, object]:
    """The body of a history-list answer (§3.1), as `viewer` (None: the administrator) sees it."""
    offset, limit = page(query)
    found = select(meetings, query, viewer=viewer)
    return paged([m.conference for m in found], offset, limit)


def detail(meeting: SandboxMeeting, query: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, object]:
    """The body of a confDetail answer (§1-§2): the meeting and one page of its participants."""
    offset, limit = page(query)
    people = meeting.participants
    if headers.get("x-type") == "2":
        rooms = headers.get("x-query-type") == "1"
        people = [p for p in people if (p.get("attendeeType") in ROOM_TYPES) == rooms]
    needle = search_key(query)
    if needle:
        people = [
            p
            for p in people
            if needle in str(p.get("name", "")).casefold() or needle in str(p.get("accountId", "")).casefold()
        ]
    return {"conferenceData": meeting.conference, "data": paged(people, offset, limit)}


def attendance(meeting: SandboxMeeting, query: Mapping[str, str], lang: Language | None) -> dict[str, object]:
    """The body of one attendance page (§3.3); `deviceType`/`mediaType` in `lang` when one was asked for."""
    offset, limit = page(query)
    needle = search_key(query)
    records = [r for r in meeting.attendance if needle is None or needle in str(r.get("displayName", "")).casefold()]
    body = paged(records, offset, limit)
    if lang is not None:
        body["data"] = [localized_attendance(r, lang) for r in records[offset : offset + limit]]
    return body


def control_records(meeting: SandboxMeeting, query: Mapping[str, str], lang: Language) -> dict[str, object]:
    """The body of one control-record page (§3.6), localized to `lang`."""
    offset, limit = page(query)
    records = meeting.control_records
    body = paged(records, offset, limit)
    body["data"] = [r.localized(lang) for r in records[offset : offset + limit]]
    return body
