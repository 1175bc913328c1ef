"""How a tool runs: the row type of the tool table, the state every call shares, and one error mapping.

A tool's handler (in app.py) builds its request and calls `respond` with what the answer takes:
the service read, the view and the rendering. `respond` turns the result into structured content
plus text, and every failure along the way, from the first request to the last line of text, into
one error format: the message alone, with no tool name or SDK prefix. Argument errors, which the SDK
finds before the handler runs, get the same format from `MeetingServer.call_tool`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_type_hints

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError

from .auth import TokenProvider, token_provider
from .cache import ReadCache, credential_identity
from .errors import MeetingError, NotFoundError
from .schemas import flat_schema, precomputed
from .settings import Settings
from .view import ToolNames, ViewOptions

if TYPE_CHECKING:  # imported when the state opens, on the first tool call (see LazyState)
    import httpx

    from .client import RetryPolicy
    from .service import MeetingService

logger = logging.getLogger(__name__)

INTERNAL_ERROR = (
    "huawei-meeting-mcp hit an internal error (it keeps running). "
    "Try again; if it repeats, report it with the server's stderr log."
)


@dataclass(frozen=True)
class ToolSpec:
    """One row of the tool table: everything that registers, describes and runs one tool."""

    name: str
    """The MCP tool name."""
    command: str
    """The command-line subcommand (`huawei-meeting-mcp detail ...`), also the tool's role in hints."""
    title: str
    description: str
    """May name other tools as {list}, {detail}, {attendance}: filled in from the table."""
    handler: Callable[..., Awaitable[CallToolResult]]
    """Its parameters are the tool's input schema; its return annotation names the output model."""

    def annotations(self) -> ToolAnnotations:
        """Every tool here only reads ended meetings from an outside service."""
        return ToolAnnotations(
            title=self.title,
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        )


@dataclass(frozen=True)
class AppState:
    """What every tool call shares: the service (and its API client) and the view options."""

    service: MeetingService
    options: ViewOptions


class LazyState:
    """What tool calls share, opened by the first call that needs it and closed with the server.

    Opening it builds the HTTP client, which imports httpx and loads the TLS setup: deferred to the
    first call, the server answers the handshake and tools/list that much sooner (a host starts its
    servers at launch, long before the first question).
    """

    def __init__(self, opener: Callable[[], AbstractAsyncContextManager[AppState]]) -> None:
        self._opener = opener
        self._stack = AsyncExitStack()
        self._state: AppState | None = None
        self._lock = anyio.Lock()

    async def get(self) -> AppState:
        """The shared state, opened on the first call (concurrent first calls open it once)."""
        if self._state is None:
            async with self._lock:
                if self._state is None:
                    self._state = await self._stack.enter_async_context(self._opener())
        return self._state

    async def aclose(self) -> None:
        """Close the state, if it was opened."""
        await self._stack.aclose()


Answer = Callable[[AppState], Awaitable[tuple[BaseModel, str]]]
"""Reads, builds and renders one answer: the structured model and its text."""


async def respond(ctx: Context[LazyState, Any], answer: Answer) -> CallToolResult:
    """Run `answer`; any failure, in reading, building or rendering, becomes one actionable error result."""
    try:
        state = await ctx.request_context.lifespan_context.get()
        model, text = await answer(state)
    except NotFoundError as exc:
        return failed(f"{exc} To find the confUUID, call {state.options.tools.list}.")
    except MeetingError as exc:
        return failed(str(exc))
    except Exception:
        logger.exception("Unexpected error while answering a tool call")
        return error_result(INTERNAL_ERROR)
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


def failed(message: str) -> CallToolResult:
    """A tool error the model can act on, also logged (once, at INFO: its text is already masked)."""
    logger.info("Tool call failed: %s", message)
    return error_result(message)


def error_result(message: str) -> CallToolResult:
    """A tool error the model reads: the message alone."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def describe_invalid_arguments(error: ValidationError) -> str:
    """A short message naming each bad argument and its rule, without echoing the values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{where}: {item['msg']}")
    shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
    return f"Invalid arguments: {shown}. Fix them (see the tool's input schema) and call again."


class MeetingServer(MCPServer[LazyState]):
    """MCPServer whose tool errors all read alike, and whose output schemas are cheap to check and to publish.

    Argument errors name the argument and the fix. Each tool's output schema is published in an
    equivalent flat form (`flat_schema`): the client's check of every result against it (jsonschema,
    pure Python) costs about 40% less than against the SDK's `$ref`/`anyOf` form. The schemas come
    precomputed (`schemas.py`) while they are current, which saves generating them at start-up. The SDK's
    second validation of our structured content on the way out is skipped: `respond` builds it by dumping
    the very output model the schema was generated from (tests/test_output_schema.py holds both to that).
    """

    precomputed_schemas = True
    """Publish the precomputed output schemas when they are current (`schemas.py`); False generates them."""

    def add_tool(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Register a tool as the SDK does, then publish its output schema flat and drop the re-validation."""
        model = output_model(fn)
        stored = precomputed().get(model.__name__) if model is not None and self.precomputed_schemas else None
        if stored is not None:
            kwargs["structured_output"] = False  # the SDK then generates no output schema: ours is stored
        super().add_tool(fn, *args, **kwargs)
        name = kwargs.get("name") or (args[0] if args else None) or fn.__name__
        tool = self._tool_manager.get_tool(name)
        metadata = tool.fn_metadata if tool is not None else None
        if metadata is None:
            return
        if stored is not None:
            metadata.output_schema = stored
        elif metadata.output_schema is not None:
            metadata.output_schema = flat_schema(metadata.output_schema)
        metadata.output_model = None  # the SDK's convert_result then passes our CallToolResult through

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[LazyState, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        """Call a tool; argument and unexpected failures become error results in the server's one format."""
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            logger.exception("Unexpected error in tool %r", name)
            return error_result(INTERNAL_ERROR)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return error_result(describe_invalid_arguments(exc.__cause__))
            raise


def output_model(fn: Callable[..., Any]) -> type[BaseModel] | None:
    """The output model a handler's return annotation names (`Annotated[CallToolResult, Model]`), if any."""
    returned = get_type_hints(fn, include_extras=True).get("return")
    for candidate in getattr(returned, "__metadata__", ()):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def reader_identity(settings: Settings) -> str:
    """Whose view of the API the cache holds: the base URL and sign-in identity, digested (no secret in clear)."""
    token = settings.access_token
    token_digest = hashlib.sha256(token.get_secret_value().encode()).hexdigest() if token is not None else None
    return credential_identity(
        settings.base_url,
        settings.credentials,
        settings.app_id,
        settings.user_id,
        settings.corp_id,
        settings.account,
        token_digest,
    )


@asynccontextmanager
async def lazy_state(opener: Callable[[], AbstractAsyncContextManager[AppState]]) -> AsyncIterator[LazyState]:
    """The server's lifespan: a `LazyState` that `opener` fills on the first tool call, closed at the end."""
    state = LazyState(opener)
    try:
        yield state
    finally:
        await state.aclose()


@asynccontextmanager
async def open_state(
    settings: Settings,
    tools: ToolNames,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    tokens: TokenProvider | None = None,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[AppState]:
    """Open the shared HTTP client and yield what tool calls share; closes the client on exit."""
    from .client import MeetingClient, RetryPolicy, SignInClient
    from .service import MeetingService
    from .transport import create_http_client

    async with create_http_client(settings.base_url, timeout=settings.timeout, transport=transport) as http:
        client = MeetingClient(
            http,
            tokens or token_provider(settings, SignInClient(http, timeout=settings.timeout)),
            timeout=settings.timeout,
            retry=retry or RetryPolicy(max_retries=settings.max_retries),
            language=settings.language,
            concurrency=settings.concurrency,
        )
        yield AppState(
            service=MeetingService(client, ReadCache(reader_identity(settings), ttl=settings.cache_ttl)),
            options=ViewOptions(tools=tools, include_contacts=settings.include_contacts, api_times=settings.api_times),
        )
