"""The MCP app: builds the server, owns the shared HTTP client, and registers the tools.

Tools stay thin: the schema validates the input, the client fetches, the view trims, and the
tool returns structured content plus a compact text rendering of the same facts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from . import __version__
from .auth import TokenProvider, token_provider
from .client import (
    ATTENDANCE_PAGE_SIZE,
    MAX_ATTENDANCE_PAGES,
    MeetingClient,
    RetryPolicy,
    SignInClient,
    create_http_client,
)
from .dates import resolve_range
from .errors import MeetingError, UpstreamError
from .output import MeetingAttendance, MeetingDetail, MeetingList, ParticipantType
from .protocol import offer_tools_only
from .settings import Settings
from .view import ViewOptions, build_detail, render_detail
from .view.attendance import AttendanceRequest, build_attendance, render_attendance
from .view.history import build_history, render_history
from .wire import ConfDetailResponse, DetailQuery, HistoryQuery, SortType

logger = logging.getLogger(__name__)

INSTRUCTIONS = """\
Read-only access to ended Huawei Cloud Meeting conferences. Which tool answers which question:
- list_historical_meetings(startDate, endDate, searchKey): "which meetings did we have", "find last Tuesday's
  supply-chain review". Searches by topic, organizer or 9-digit meeting ID in a window on start times
  (default: the last 30 days; dates without an offset are UTC). Gives each occurrence's confUUID.
- get_historical_meeting_detail(confUUID): what one meeting was (subject, organizer, times in UTC and the
  meeting's own zone, duration, recording, settings) and who was invited.
- get_historical_meeting_attendance(confUUID): who actually joined, when, from which devices and for how
  many minutes, one entry per person.
A confUUID is the 32-character ID of one occurrence, not the 9-digit meeting ID: a meeting ID held several
times has several confUUIDs, so list first, then ask for detail or attendance.
Answers never contain passwords, join links or stream URLs.
"""

INTERNAL_ERROR = (
    "huawei-meeting-mcp hit an internal error (it keeps running). "
    "Try again; if it repeats, report it with the server's stderr log."
)


def _read_only(title: str) -> ToolAnnotations:
    return ToolAnnotations(
        title=title,
        read_only_hint=True,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=True,
    )


DETAIL_ANNOTATIONS = _read_only("Get historical meeting detail")
LIST_ANNOTATIONS = _read_only("List historical meetings")
ATTENDANCE_ANNOTATIONS = _read_only("Get historical meeting attendance")

DETAIL_DESCRIPTION = """\
Details of one ended Huawei Cloud Meeting conference, by confUUID: subject, meeting ID, organizer and
enterprise, kind (instant, scheduled, recurring, webinar), media, start and end in UTC and in the meeting's
own time zone, duration, recording, key settings, invitation counts, recurrence, and one page of the
people invited when it was scheduled (name, role, device kind, department, account). It does not say who
actually joined: use get_historical_meeting_attendance for that. Page with offset and limit (1-500); when
more remain the answer gives the exact next call. searchKey filters participants by name or account;
participantType selects people or rooms only. No confUUID yet? Find the meeting with
list_historical_meetings (by date, topic, organizer or meeting ID).
Passwords, join links and stream URLs are never returned; phone numbers and e-mails only when the operator
enabled them."""

LIST_DESCRIPTION = """\
Find ended Huawei Cloud Meeting conferences: one row per occurrence that started in a window, with its
confUUID (needed by get_historical_meeting_detail and get_historical_meeting_attendance), meeting ID,
subject, organizer, start in UTC and in the meeting's own zone, duration, invited count and whether a
recording exists. startDate and endDate each take an ISO 8601 date (2026-11-24, covering the whole day),
a date-time with or without an offset (2026-11-24T09:30+08:00; without an offset it is UTC) or epoch
milliseconds; the default is the last 30 days up to now. searchKey matches topic, organizer or the
9-digit meeting ID. A meeting ID held several times appears once per occurrence. sortType orders by start
time (DSC_StartTIME newest first, the default, or ASC_StartTIME) or puts recorded meetings first
(DSC_RecordTYPE / ASC_RecordTYPE). Page with offset and limit (1-500); the answer gives the exact next call.
History is kept 6 months by default (12 at most); ordinary users see only meetings they created or were
invited to; administrators set queryAll=true to search the whole enterprise. Answers never contain
passwords or join links."""

ATTENDANCE_DESCRIPTION = f"""\
Who actually joined one ended Huawei Cloud Meeting conference (by confUUID from list_historical_meetings),
one entry per person: name, department, device types, first join and last leave (ISO 8601 UTC, and in the
meeting's own zone when it can be read), number of sessions (each rejoin is one) and minutes attended, with
overlapping sessions (two devices at once) counted once. A summary gives unique attendees and who stayed
longest and shortest. One person is one display name with one number. The tool reads every attendance
record ({ATTENDANCE_PAGE_SIZE} per request, at most {MAX_ATTENDANCE_PAGES} requests =
{ATTENDANCE_PAGE_SIZE * MAX_ATTENDANCE_PAGES:,} records; it says when it stopped there), reporting progress
as it goes, then pages over people with offset and limit (1-500). searchKey narrows the records by name.
Phone numbers (callNumber) only when the operator enabled contacts."""


@dataclass(frozen=True)
class AppState:
    """What every tool call shares: the API client and the view options."""

    client: MeetingClient
    options: ViewOptions


def _state(ctx: Context[AppState, Any]) -> AppState:
    return ctx.request_context.lifespan_context


async def get_historical_meeting_detail(
    confUUID: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="UUID of one occurrence of the meeting (32 hex characters), not the 9-digit meeting ID.",
        ),
    ],
    ctx: Context[AppState, Any],
    offset: Annotated[int, Field(ge=0, description="Index of the first participant to return.")] = 0,
    limit: Annotated[int, Field(ge=1, le=500, description="Participants per page.")] = 20,
    searchKey: Annotated[
        str | None,
        Field(min_length=1, max_length=128, description="Only participants whose name or account contains this."),
    ] = None,
    participantType: Annotated[
        ParticipantType,
        Field(description="all (default), people (no room devices), or rooms (room terminals only)."),
    ] = "all",
) -> Annotated[CallToolResult, MeetingDetail]:
    """Details and invited participants of one ended meeting."""
    state = _state(ctx)
    query = DetailQuery(
        conf_uuid=confUUID.strip(),
        offset=offset,
        limit=limit,
        search_key=searchKey,
        participant_type=participantType,
    )
    with tool_errors("get_historical_meeting_detail"):
        response = await state.client.conf_detail(query)
    detail, text = render_detail(build_detail(response, query, state.options), limit)
    return _result(text, detail)


async def list_historical_meetings(
    ctx: Context[AppState, Any],
    startDate: Annotated[
        str | int | None,
        Field(
            description="Earliest meeting start: ISO 8601 date or date-time (no offset = UTC) or epoch ms. "
            "Default: 30 days before endDate."
        ),
    ] = None,
    endDate: Annotated[
        str | int | None,
        Field(
            description="Latest meeting start: ISO 8601 date (the whole day) or date-time (no offset = UTC) "
            "or epoch ms. Default: now."
        ),
    ] = None,
    searchKey: Annotated[
        str | None,
        Field(min_length=1, max_length=128, description="Topic, organizer or 9-digit meeting ID to look for."),
    ] = None,
    offset: Annotated[int, Field(ge=0, description="Index of the first meeting to return.")] = 0,
    limit: Annotated[int, Field(ge=1, le=500, description="Meetings per page.")] = 20,
    sortType: Annotated[
        SortType,
        Field(
            description="DSC_StartTIME (newest first), ASC_StartTIME, or recorded meetings first: DSC_/ASC_RecordTYPE."
        ),
    ] = "DSC_StartTIME",
    queryAll: Annotated[
        bool, Field(description="Administrators: search every user's meetings, not only your own.")
    ] = False,
) -> Annotated[CallToolResult, MeetingList]:
    """Ended meetings that started in a window, one row per occurrence."""
    state = _state(ctx)
    with tool_errors("list_historical_meetings"):
        window = resolve_range(startDate, endDate, now=datetime.now(timezone.utc))
        query = HistoryQuery(
            start_ms=window.start.epoch_ms,
            end_ms=window.end.epoch_ms,
            offset=offset,
            limit=limit,
            search_key=searchKey,
            sort_type=sortType,
            query_all=queryAll,
        )
        response = await state.client.history(query)
    listing, text = render_history(build_history(response, query, window, state.options), limit)
    return _result(text, listing)


async def get_historical_meeting_attendance(
    confUUID: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="UUID of one occurrence of the meeting (from list_historical_meetings), not the meeting ID.",
        ),
    ],
    ctx: Context[AppState, Any],
    searchKey: Annotated[
        str | None,
        Field(min_length=1, max_length=128, description="Only attendance records whose name contains this."),
    ] = None,
    offset: Annotated[int, Field(ge=0, description="Index of the first attendee (person) to return.")] = 0,
    limit: Annotated[int, Field(ge=1, le=500, description="Attendees (people, not records) per page.")] = 50,
) -> Annotated[CallToolResult, MeetingAttendance]:
    """Who joined one ended meeting, when and for how long, one entry per person."""
    state = _state(ctx)
    request = AttendanceRequest(conf_uuid=confUUID.strip(), offset=offset, limit=limit, search_key=searchKey)

    async def on_page(read: int, total: int | None) -> None:
        of = f" of {total}" if total is not None else ""
        await ctx.report_progress(read, total, f"Read {read}{of} attendance records")

    with tool_errors("get_historical_meeting_attendance"):
        await ctx.report_progress(0, None, "Reading attendance records")
        fetched = await state.client.all_attendance(request.conf_uuid, searchKey, on_page=on_page)
        meeting, problem = await _meeting_for_zone(state.client, request.conf_uuid)
    result, text = render_attendance(build_attendance(fetched, request, meeting, problem, state.options), limit)
    return _result(text, result)


async def _meeting_for_zone(client: MeetingClient, conf_uuid: str) -> tuple[ConfDetailResponse | None, str | None]:
    """One cheap confDetail call (one participant) for the meeting's subject and zone; a failure is not fatal."""
    try:
        return await client.conf_detail(DetailQuery(conf_uuid=conf_uuid, limit=1)), None
    except UpstreamError as exc:
        logger.info("Meeting detail for the attendance answer failed: %s", type(exc).__name__)
        return None, f"{exc.summary} [X-Request-ID: {exc.request_id}]"


def _result(text: str, model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


@contextmanager
def tool_errors(tool: str) -> Iterator[None]:
    """Turn our errors into tool errors with their actionable message; hide anything unexpected."""
    try:
        yield
    except MeetingError as exc:
        raise ToolError(str(exc)) from None
    except Exception:
        logger.exception("Unexpected error in %s", tool)
        raise ToolError(INTERNAL_ERROR) from None


def describe_invalid_arguments(tool: str, error: ValidationError) -> str:
    """A short message naming each bad argument and its rule, without echoing the values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{where}: {item['msg']}")
    shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
    return f"Invalid arguments for {tool}: {shown}. Fix them (see the tool's input schema) and call again."


class MeetingServer(MCPServer[AppState]):
    """MCPServer whose argument errors name the bad argument and the fix, not pydantic internals."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[AppState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Call a tool; rewrite argument-validation failures into one actionable sentence."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(describe_invalid_arguments(name, exc.__cause__)) from exc.__cause__
            raise


@asynccontextmanager
async def open_state(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    tokens: TokenProvider | None = None,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[AppState]:
    """Open the shared HTTP client and yield what tool calls share; closes the client on exit."""
    async with create_http_client(settings.base_url, timeout=settings.timeout, transport=transport) as http:
        client = MeetingClient(
            http,
            tokens or token_provider(settings, SignInClient(http, timeout=settings.timeout)),
            timeout=settings.timeout,
            retry=retry or RetryPolicy(max_retries=settings.max_retries),
        )
        yield AppState(
            client=client,
            options=ViewOptions(include_contacts=settings.include_contacts, api_times=settings.api_times),
        )


CLI_COMMANDS: dict[str, str] = {
    "list_historical_meetings": "list",
    "get_historical_meeting_detail": "detail",
    "get_historical_meeting_attendance": "attendance",
}
"""Short command-line names of the tools (`huawei-meeting-mcp detail ...`); others keep their tool name."""


def add_tools(server: MCPServer[AppState]) -> None:
    """Register every tool on `server`; the MCP server and the command line both list them from here."""
    tools = (
        (list_historical_meetings, "list_historical_meetings", LIST_DESCRIPTION, LIST_ANNOTATIONS),
        (get_historical_meeting_detail, "get_historical_meeting_detail", DETAIL_DESCRIPTION, DETAIL_ANNOTATIONS),
        (
            get_historical_meeting_attendance,
            "get_historical_meeting_attendance",
            ATTENDANCE_DESCRIPTION,
            ATTENDANCE_ANNOTATIONS,
        ),
    )
    for function, name, description, hints in tools:
        server.add_tool(function, name=name, title=hints.title, description=description, annotations=hints)


def create_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    tokens: TokenProvider | None = None,
    retry: RetryPolicy | None = None,
) -> MeetingServer:
    """Build the MCP server; `transport` and `tokens` let the demo and tests wire in the sandbox."""

    def lifespan(_server: MCPServer[AppState]) -> AbstractAsyncContextManager[AppState]:
        return open_state(settings, transport=transport, tokens=tokens, retry=retry)

    server = MeetingServer(
        name="huawei-meeting-mcp",
        title="Huawei Cloud Meeting history",
        version=__version__,
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        log_level=settings.log_level,
    )
    add_tools(server)
    offer_tools_only(server)
    return server


async def tool_definitions() -> list[Tool]:
    """The tools exactly as `tools/list` shows them; needs no settings and opens no connection."""
    server = MeetingServer(name="huawei-meeting-mcp")
    add_tools(server)
    return await server.list_tools()
