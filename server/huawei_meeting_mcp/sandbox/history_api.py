"""The sandbox's history list and attendance endpoints (API doc §3.1, §3.3).

Same parameters and rules as the service: `startDate`/`endDate` are required epoch milliseconds
and bound the meetings' *start* times (both ends included); `searchKey` matches subject,
organizer or meeting ID; `limit` is 1-500; `queryAll=true` widens the list from the signed-in
user's meetings to the whole enterprise. Start times in the sample data are UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..wire import SORT_TYPES
from .data import SandboxMeeting

if TYPE_CHECKING:
    from .app import Sandbox

HISTORY_PATH = "/v1/mmc/management/conferences/history"
ATTENDANCE_PATH = "/v1/mmc/management/conferences/history/confAttendeeRecord"
MAX_LIMIT = 500
BAD_REQUEST = (400, "MMC.111070001", "Request parameter error.")


class ParameterError(Exception):
    """A query parameter the service would refuse."""


def _int(query: dict[str, str], name: str, default: int | None = None) -> int:
    raw = query.get(name)
    if raw is None:
        if default is None:
            raise ParameterError(name)
        return default
    try:
        return int(raw)
    except ValueError:
        raise ParameterError(name) from None


def _page(query: dict[str, str]) -> tuple[int, int]:
    offset, limit = _int(query, "offset", 0), _int(query, "limit", 20)
    if offset < 0 or not 0 < limit <= MAX_LIMIT:
        raise ParameterError("offset/limit")
    return offset, limit


def _search_key(query: dict[str, str]) -> str | None:
    key = query.get("searchKey")
    if key is not None and len(key) > 128:
        raise ParameterError("searchKey")
    return key.casefold() if key else None


def start_ms(meeting: SandboxMeeting) -> int:
    """A sample meeting's start time (`YYYY-MM-DD HH:MM`, UTC) in epoch milliseconds."""
    start = datetime.strptime(meeting.conference["startTime"], "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    return int(start.timestamp()) * 1000


def _matches(meeting: SandboxMeeting, needle: str | None) -> bool:
    if needle is None:
        return True
    conf = meeting.conference
    fields = (conf.get("subject", ""), conf.get("scheduserName", ""), conf.get("conferenceID", ""))
    return any(needle in str(value).casefold() for value in fields)


def _sort_key(sort_type: str) -> tuple[bool, bool]:
    """(newest first?, recorded first?) for a sortType."""
    return sort_type.startswith("DSC"), sort_type.endswith("RecordTYPE")


def list_history(sandbox: Sandbox, query: dict[str, str]) -> dict[str, object]:
    """The body of a history-list answer; raises ParameterError for what the service refuses."""
    start, end = _int(query, "startDate"), _int(query, "endDate")
    offset, limit = _page(query)
    needle = _search_key(query)
    sort_type = query.get("sortType", "DSC_StartTIME")
    query_all = query.get("queryAll", "false").lower()
    if start > end or sort_type not in SORT_TYPES or query_all not in {"true", "false"}:
        raise ParameterError("startDate/endDate/sortType/queryAll")
    found = [
        m
        for m in sandbox.meetings.values()
        if start <= start_ms(m) <= end and (m.mine or query_all == "true") and _matches(m, needle)
    ]
    newest_first, recorded_first = _sort_key(sort_type)
    found.sort(key=start_ms, reverse=newest_first)
    if recorded_first:
        found.sort(key=lambda m: not m.conference.get("isHasRecordFile", False))
    return {
        "offset": offset,
        "limit": limit,
        "count": len(found),
        "data": [m.conference for m in found[offset : offset + limit]],
    }


def attendance(meeting: SandboxMeeting, query: dict[str, str]) -> dict[str, object]:
    """The body of one attendance page of `meeting`; raises ParameterError for what the service refuses."""
    offset, limit = _page(query)
    needle = _search_key(query)
    records = [r for r in meeting.attendance if needle is None or needle in str(r.get("displayName", "")).casefold()]
    return {"offset": offset, "limit": limit, "count": len(records), "data": records[offset : offset + limit]}


def routes(sandbox: Sandbox, error_cases: Mapping[str, tuple[int, str, str]]) -> list[Route]:
    """The two endpoints, bound to `sandbox` (meetings, tokens, request log, error bodies) and its error cases."""

    async def history_endpoint(request: Request) -> Response:
        request_id = sandbox.record(request)
        if not sandbox.authenticated(request):
            return sandbox.error_response(401, "USG.000000004", "Authentication failed.", request_id)
        try:
            return sandbox.json_response(list_history(sandbox, dict(request.query_params)), request_id)
        except ParameterError:
            return sandbox.error_response(*BAD_REQUEST, request_id)

    async def attendance_endpoint(request: Request) -> Response:
        request_id = sandbox.record(request)
        if not sandbox.authenticated(request):
            return sandbox.error_response(401, "USG.000000004", "Authentication failed.", request_id)
        conf_uuid = request.query_params.get("confUUID", "")
        if not conf_uuid:
            return sandbox.error_response(*BAD_REQUEST, request_id)
        if conf_uuid in error_cases:
            return sandbox.error_response(*error_cases[conf_uuid], request_id)
        meeting = sandbox.meetings.get(conf_uuid)
        if meeting is None:
            return sandbox.error_response(400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED", request_id)
        try:
            return sandbox.json_response(attendance(meeting, dict(request.query_params)), request_id)
        except ParameterError:
            return sandbox.error_response(*BAD_REQUEST, request_id)

    return [
        Route(HISTORY_PATH, history_endpoint, methods=["GET"]),
        Route(ATTENDANCE_PATH, attendance_endpoint, methods=["GET"]),
    ]
