"""The MCP app: builds the server, owns the shared HTTP client, and registers the tools.

Tools stay thin: the schema validates the input, the client fetches, the view trims, and the
tool returns structured content plus a compact text rendering of the same facts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool, ToolAnnotations
from pydantic import Field, ValidationError

from . import __version__
from .auth import TokenProvider, token_provider
from .client import MeetingClient, RetryPolicy, SignInClient, create_http_client
from .errors import MeetingError
from .output import MeetingDetail, ParticipantType
from .settings import Settings
from .view import ViewOptions, build_detail, render_detail
from .wire import DetailQuery

logger = logging.getLogger(__name__)

INSTRUCTIONS = """\
Read-only access to ended Huawei Cloud Meeting conferences.
- get_historical_meeting_detail(confUUID): what a meeting was (subject, organizer, times in UTC and
  the meeting's own zone, duration, recording, settings) and who was invited, a page at a time.
  confUUID is the 32-character ID of one occurrence, not the 9-digit meeting ID.
Answers never contain passwords, join links or stream URLs.
"""

INTERNAL_ERROR = (
    "huawei-meeting-mcp hit an internal error (it keeps running). "
    "Try again; if it repeats, report it with the server's stderr log."
)

READ_ONLY = ToolAnnotations(
    title="Get historical meeting detail",
    read_only_hint=True,
    destructive_hint=False,
    idempotent_hint=True,
    open_world_hint=True,
)

DETAIL_DESCRIPTION = """\
Details of one ended Huawei Cloud Meeting conference, by confUUID: subject, meeting ID, organizer and
enterprise, kind (instant, scheduled, recurring, webinar), media, start and end in UTC and in the meeting's
own time zone, duration, recording, key settings, invitation counts, recurrence, and one page of the
people invited when it was scheduled (name, role, device kind, department, account). It does not say who
actually joined. Page with offset and limit (1-500); when more remain the answer gives the exact next call.
searchKey filters participants by name or account; participantType selects people or rooms only.
Passwords, join links and stream URLs are never returned; phone numbers and e-mails only when the operator
enabled them."""


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
    try:
        response = await state.client.conf_detail(query)
    except MeetingError as exc:
        raise ToolError(str(exc)) from None
    except Exception:
        logger.exception("Unexpected error in get_historical_meeting_detail")
        raise ToolError(INTERNAL_ERROR) from None
    detail, text = render_detail(build_detail(response, query, state.options), limit)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=detail.model_dump(mode="json", exclude_none=True),
    )


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
    "get_historical_meeting_detail": "detail",
}
"""Short command-line names of the tools (`huawei-meeting-mcp detail ...`); others keep their tool name."""


def add_tools(server: MCPServer[AppState]) -> None:
    """Register every tool on `server`; the MCP server and the command line both list them from here."""
    server.add_tool(
        get_historical_meeting_detail,
        name="get_historical_meeting_detail",
        title=READ_ONLY.title,
        description=DETAIL_DESCRIPTION,
        annotations=READ_ONLY,
    )


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
    return server


async def tool_definitions() -> list[Tool]:
    """The tools exactly as `tools/list` shows them; needs no settings and opens no connection."""
    server = MeetingServer(name="huawei-meeting-mcp")
    add_tools(server)
    return await server.list_tools()
