"""How a tool runs: the tool and prompt tables' row types, the state every call shares, one error format, the server.

`MeetingServer` is the SDK's low-level `Server`, driven by the tool table: `tools/list` shows each
row with the schemas `schemas.py` builds from its handler, and `tools/call` validates the arguments
with the handler's own model, then calls the handler with them and the request context. Given a
prompt table, it also serves `prompts/list`, `prompts/get` (the prompt's one user message) and
`completion/complete` (an argument's suggestions, read where needed through the shared state); only
then are the `prompts` and `completions` capabilities declared. Its capabilities are otherwise `tools`
(the list never changes); a resource method gets -32601; a tool or prompt name it does not have, or a
prompt's missing or invalid argument, is a protocol error (-32602).

A handler (in app.py) builds its request and calls `respond` with what the answer takes: the
service read, the view and the rendering. `respond` turns the result into structured content plus
text, and every failure along the way, from the first request to the last line of text, into one
error format: the message alone, with no tool name or SDK prefix. Invalid arguments get the same
format ("Invalid arguments: ..."), and anything unexpected the internal-error text, its cause logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, get_type_hints

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_PARAMS,
    CallToolRequestParams,
    CallToolResult,
    CompleteRequestParams,
    CompleteResult,
    Completion,
    GetPromptRequestParams,
    GetPromptResult,
    ListPromptsResult,
    ListToolsResult,
    PaginatedRequestParams,
    Prompt,
    PromptArgument,
    PromptMessage,
    PromptReference,
    TextContent,
    Tool,
    ToolAnnotations,
)
from pydantic import BaseModel, ValidationError

from .auth import NoCredentials, SignInPoster, TokenProvider, token_provider
from .cache import ReadCache, credential_identity
from .errors import ERROR_META, ErrorKind, InvalidArgumentError, MeetingError, NotFoundError, UpstreamError
from .observe import RequestObserver
from .schemas import arguments_model, input_schema, output_schema, stored_schemas
from .settings import Settings
from .view import ToolNames, ViewOptions

if TYPE_CHECKING:  # imported when the state opens, on the first tool call (see LazyState)
    import httpx

    from .callers import People
    from .client import MeetingClient, RetryPolicy
    from .fleet import Fleet
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
    """Its parameters, but for the `ToolContext` one, are the tool's arguments; its return annotation
    (`Annotated[CallToolResult, Model]`) names the output model."""

    def annotations(self) -> ToolAnnotations:
        """Every tool here only reads ended meetings from an outside service."""
        return ToolAnnotations(
            title=self.title,
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        )


Suggest = Callable[["ToolContext", str], Awaitable[list[str]]]
"""An argument's completions: given the request context and what was typed so far, the values to offer."""


@dataclass(frozen=True)
class PromptArgumentSpec:
    """One argument of a prompt: its name, what it is, whether it is required, and how it is completed."""

    name: str
    description: str
    required: bool = False
    suggest: Suggest | None = None
    """The values `completion/complete` offers for it, if any."""


@dataclass(frozen=True)
class PromptSpec:
    """One row of the prompt table: a prompt's name, title, description, arguments and message."""

    name: str
    title: str
    description: str
    arguments: tuple[PromptArgumentSpec, ...]
    message: Callable[[Mapping[str, str]], str]
    """The user message, from the arguments given (each a string, required ones present); an argument it
    cannot use raises `InvalidArgumentError`."""

    def definition(self) -> Prompt:
        """The prompt as `prompts/list` shows it."""
        return Prompt(
            name=self.name,
            title=self.title,
            description=self.description,
            arguments=[
                PromptArgument(name=arg.name, description=arg.description, required=arg.required)
                for arg in self.arguments
            ],
        )


MIN_CONNECTIONS = 10
"""The process's connections to the API at least; more when the concurrency setting needs them."""


def connection_bound(concurrency: int) -> int:
    """The process's pool of connections to the API: twice the concurrency setting, never fewer than 10.

    A list answer with attendance reads two things (records, participant list) of `concurrency` meetings at once.
    """
    return max(MIN_CONNECTIONS, 2 * concurrency)


MAX_COMPLETIONS = 100
"""The most values one completion answer may carry (the protocol's limit)."""


@dataclass(frozen=True)
class AppState:
    """What every tool call shares: the service (and its API client) and the view options."""

    service: MeetingService
    options: ViewOptions
    people: People | None = None
    """Oauth mode: a service per person; `service` then serves nobody (see `for_caller`)."""
    fleet: Fleet | None = None
    """The shared parts (Redis, when configured): readiness asks whether they are reachable."""

    def for_caller(self) -> AppState:
        """The state as the current request's caller sees it: in oauth mode, with their own service."""
        if self.people is None:
            return self
        from .oauth import current_person

        return replace(self, service=self.people.service(current_person(self.people.config)))


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


ToolContext = ServerRequestContext[LazyState, Any]
"""What a handler gets beside its arguments: the shared state (`lifespan_context`) and the request's
session, which reports progress (`session.report_progress`) when the caller asked for it."""

BuildAnswer = Callable[[AppState], Awaitable[tuple[BaseModel, str]]]
"""Reads, builds and renders one answer: the structured model and its text."""


async def respond(ctx: ToolContext, answer: BuildAnswer) -> CallToolResult:
    """Run `answer`; any failure, in reading, building or rendering, becomes one actionable error result."""
    try:
        state = (await ctx.lifespan_context.get()).for_caller()
        model, text = await answer(state)
    except NotFoundError as exc:
        return failed(f"{exc} To find the confUUID, call {state.options.tools.list}.")
    except InvalidArgumentError as exc:
        return failed(str(exc), "invalid-arguments")
    except MeetingError as exc:
        return failed(str(exc), retryable=isinstance(exc, UpstreamError) and exc.retryable)
    except Exception:
        logger.exception("Unexpected error while answering a tool call")
        return error_result(INTERNAL_ERROR, "internal")
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


def failed(message: str, kind: ErrorKind = "failed", *, retryable: bool = False) -> CallToolResult:
    """A tool error the model can act on, also logged (once, at INFO: its text is already masked)."""
    logger.info("Tool call failed: %s", message)
    return error_result(message, kind, retryable=retryable)


def error_result(message: str, kind: ErrorKind = "failed", *, retryable: bool = False) -> CallToolResult:
    """A tool error: the message alone for the model, its kind in `_meta` for programs (`errors.ERROR_META`)."""
    return CallToolResult(
        content=[TextContent(type="text", text=message)],
        is_error=True,
        meta={ERROR_META: {"kind": kind, "retryable": retryable}},
    )


def describe_invalid_arguments(error: ValidationError) -> str:
    """A short message naming each bad argument and its rule, without echoing the values."""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{where}: {item['msg']}")
    shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
    return f"Invalid arguments: {shown}. Fix them (see the tool's input schema) and call again."


MAX_NAME_SHOWN = 64
"""Characters of an unknown tool name echoed back: enough to spot a typo, not a place to smuggle text."""


def unknown_tool(name: str) -> MCPError:
    """The protocol error for a `tools/call` naming a tool this server does not have."""
    shown = name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "..."
    return MCPError(
        code=INVALID_PARAMS,
        message=f"Unknown tool: {shown!r}. Call tools/list for the tools this server has.",
    )


class RegisteredTool:
    """One row of the tool table made ready to serve: its definition, as `tools/list` shows it, and its arguments.

    The schemas come from `schemas.STORED` when it holds the tool (generating them takes most of a start-up's own
    CPU); the arguments model is built on the tool's first call. `generated` builds everything from the handler.
    """

    def __init__(self, spec: ToolSpec, definition: Tool) -> None:
        self.spec = spec
        self.definition = definition
        self._arguments: tuple[type[BaseModel], str | None] | None = None

    @classmethod
    def of(cls, spec: ToolSpec) -> RegisteredTool:
        """`spec` with its stored schemas, or with schemas generated from its handler when none are stored."""
        stored = stored_schemas().get(spec.name)
        if stored is None:
            return cls.generated(spec)
        return cls(spec, cls._definition(spec, stored["inputSchema"], stored.get("outputSchema")))

    @classmethod
    def generated(cls, spec: ToolSpec) -> RegisteredTool:
        """`spec` with its schemas generated from the handler's parameters and output model (what is stored)."""
        arguments = _arguments_of(spec)
        model = output_model(spec.handler)
        output = None if model is None else output_schema(model, f"{spec.title}: result")
        tool = cls(spec, cls._definition(spec, input_schema(arguments[0], _arguments_title(spec)), output))
        tool._arguments = arguments
        return tool

    @staticmethod
    def _definition(spec: ToolSpec, inputs: dict[str, Any], outputs: dict[str, Any] | None) -> Tool:
        return Tool(
            name=spec.name,
            title=spec.title,
            description=spec.description,
            input_schema=inputs,
            output_schema=outputs,
            annotations=spec.annotations(),
        )

    @property
    def arguments(self) -> type[BaseModel]:
        """Validates the call's arguments: built from the handler's parameters, so the input schema is its schema."""
        return self._built()[0]

    @property
    def context_parameter(self) -> str | None:
        """The handler's `ToolContext` parameter, if it has one."""
        return self._built()[1]

    def _built(self) -> tuple[type[BaseModel], str | None]:
        if self._arguments is None:
            self._arguments = _arguments_of(self.spec)
        return self._arguments

    async def call(self, ctx: ToolContext, given: dict[str, Any]) -> CallToolResult:
        """Validate `given`, then run the handler; invalid arguments and any unexpected failure become error results."""
        try:
            arguments = self.arguments.model_validate(given)
        except ValidationError as exc:
            logger.info("Tool %r rejected arguments: %s", self.spec.name, sorted(_fields(exc)))
            return error_result(describe_invalid_arguments(exc), "invalid-arguments")
        values = {name: getattr(arguments, name) for name in type(arguments).model_fields}
        if self.context_parameter is not None:
            values[self.context_parameter] = ctx
        try:
            return await self.spec.handler(**values)
        except MCPError:
            raise
        except Exception:
            logger.exception("Unexpected error in tool %r", self.spec.name)
            return error_result(INTERNAL_ERROR, "internal")


def _arguments_title(spec: ToolSpec) -> str:
    return f"{spec.title}: arguments"


def _arguments_of(spec: ToolSpec) -> tuple[type[BaseModel], str | None]:
    """The model of `spec`'s arguments, and the name of its handler's context parameter (if any)."""
    return arguments_model(spec.handler, _arguments_title(spec), context=ServerRequestContext)


def _fields(error: ValidationError) -> set[str]:
    """The names of the arguments an error is about (never their values, which are the caller's data)."""
    return {".".join(str(part) for part in item["loc"]) for item in error.errors(include_input=False)}


@cache
def registered(tools: tuple[ToolSpec, ...]) -> tuple[RegisteredTool, ...]:
    """The table's rows made ready to serve; built once per process (the schemas are the same for every server)."""
    return tuple(RegisteredTool.of(spec) for spec in tools)


class MeetingServer(Server[LazyState]):
    """The SDK's low-level MCP server, serving a tool table and a prompt table (see the module docstring)."""

    def __init__(
        self,
        tools: Iterable[ToolSpec],
        *,
        name: str,
        lifespan: Callable[[Server[LazyState]], AbstractAsyncContextManager[LazyState]],
        prompts: Iterable[PromptSpec] = (),
        title: str | None = None,
        version: str = "",
        instructions: str | None = None,
    ) -> None:
        self.tools = {tool.spec.name: tool for tool in registered(tuple(tools))}
        """The served tools by name."""
        self.prompts = {prompt.name: prompt for prompt in prompts}
        """The served prompts by name: with none, the prompt and completion methods are not served."""
        served = bool(self.prompts)
        super().__init__(
            name,
            version=version,
            title=title,
            instructions=instructions,
            lifespan=lifespan,
            get_tool_input_schema=self.input_schema,
            on_list_tools=self.list_tools,
            on_call_tool=self.call_tool,
            on_list_prompts=self.list_prompts if served else None,
            on_get_prompt=self.get_prompt if served else None,
            on_completion=self.complete if served else None,
        )
        self.middleware.append(RequestObserver(self.tools))

    def input_schema(self, name: str) -> dict[str, Any] | None:
        """The input schema of tool `name`, if it has one."""
        tool = self.tools.get(name)
        return None if tool is None else tool.definition.input_schema

    async def list_tools(self, ctx: ToolContext, params: PaginatedRequestParams | None) -> ListToolsResult:
        """Answer `tools/list`: every tool, in the table's order, on one page."""
        return ListToolsResult(tools=[tool.definition for tool in self.tools.values()])

    async def call_tool(self, ctx: ToolContext, params: CallToolRequestParams) -> CallToolResult:
        """Answer `tools/call`: run the named tool, or raise the -32602 "Unknown tool" protocol error."""
        tool = self.tools.get(params.name)
        if tool is None:
            raise unknown_tool(params.name)
        return await tool.call(ctx, params.arguments or {})

    async def list_prompts(self, ctx: ToolContext, params: PaginatedRequestParams | None) -> ListPromptsResult:
        """Answer `prompts/list`: every prompt, in the table's order, on one page."""
        return ListPromptsResult(prompts=[prompt.definition() for prompt in self.prompts.values()])

    async def get_prompt(self, ctx: ToolContext, params: GetPromptRequestParams) -> GetPromptResult:
        """Answer `prompts/get`: the prompt's user message, or -32602 for an unknown prompt or a bad argument."""
        prompt = self.prompts.get(params.name)
        if prompt is None:
            raise _invalid(f"Unknown prompt: {_shown_name(params.name)}. Call prompts/list for the prompts.")
        given = {key: value for key, value in (params.arguments or {}).items() if value.strip()}
        known = {arg.name for arg in prompt.arguments}
        missing = [arg.name for arg in prompt.arguments if arg.required and arg.name not in given]
        unknown = sorted(_shown_name(key) for key in given if key not in known)
        if missing or unknown:
            problems = [f"missing {', '.join(missing)}"] if missing else []
            problems += [f"no argument {', '.join(unknown)}"] if unknown else []
            raise _invalid(f"Invalid arguments for prompt {prompt.name}: {'; '.join(problems)}.")
        try:
            text = prompt.message(given)
        except InvalidArgumentError as exc:
            raise _invalid(str(exc)) from None
        return GetPromptResult(
            description=prompt.description,
            messages=[PromptMessage(role="user", content=TextContent(type="text", text=text))],
        )

    async def complete(self, ctx: ToolContext, params: CompleteRequestParams) -> CompleteResult:
        """Answer `completion/complete`: a prompt argument's suggestions; none otherwise, or when a read fails."""
        values: list[str] = []
        ref = params.ref
        prompt = self.prompts.get(ref.name) if isinstance(ref, PromptReference) else None
        argument = next((a for a in prompt.arguments if a.name == params.argument.name), None) if prompt else None
        if prompt is not None and argument is not None and argument.suggest is not None:
            try:
                values = await argument.suggest(ctx, params.argument.value)
            except MeetingError as exc:
                logger.info("No completions for %s.%s: %s", prompt.name, argument.name, exc)
        return CompleteResult(
            completion=Completion(
                values=values[:MAX_COMPLETIONS], total=len(values), has_more=len(values) > MAX_COMPLETIONS
            )
        )

    async def run_stdio(self) -> None:
        """Serve MCP on stdin and stdout until stdin ends."""
        async with stdio_server() as (read_stream, write_stream):
            await self.run(read_stream, write_stream, self.create_initialization_options())


def _invalid(message: str) -> MCPError:
    return MCPError(code=INVALID_PARAMS, message=message)


def _shown_name(name: str) -> str:
    """A name the caller gave, echoed in an error: repr'd and cut, so it cannot pass for a message."""
    return repr(name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "...")


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
    from .fleet import open_fleet
    from .service import MeetingService
    from .transport import create_http_client

    async with (
        create_http_client(
            settings.base_url,
            timeout=settings.timeout,
            transport=transport,
            max_connections=connection_bound(settings.concurrency),
        ) as http,
        open_fleet(settings) as fleet,
    ):

        def client(provider: TokenProvider) -> MeetingClient:
            return MeetingClient(
                http,
                provider,
                timeout=settings.timeout,
                retry=retry or RetryPolicy(max_retries=settings.max_retries),
                language=settings.language,
                concurrency=settings.concurrency,
                pacer=fleet.pacer(),
            )

        sign_ins = SignInClient(http, timeout=settings.timeout)
        cache = fleet.read_cache(reader_identity(settings))
        options = ViewOptions(tools=tools, include_contacts=settings.include_contacts, api_times=settings.api_times)
        if settings.http_auth == "oauth":
            yield AppState(
                MeetingService(client(NoCredentials()), cache),
                options,
                people_of(settings, sign_ins, client, cache, fleet),
                fleet,
            )
            return
        share = fleet.token_share(reader_identity(settings), settings.user_id or settings.account)
        yield AppState(
            MeetingService(client(tokens or token_provider(settings, sign_ins, share=share)), cache),
            options,
            fleet=fleet,
        )


def people_of(
    settings: Settings,
    sign_ins: SignInPoster,
    client: Callable[[TokenProvider], MeetingClient],
    cache: ReadCache,
    fleet: Fleet,
) -> People:
    """Oauth mode's seats: each person signs in with the App ID as their own user ID, and reads as themselves."""
    from .auth import AppIdSignIn, SigningIn
    from .callers import People
    from .oauth import oauth_config
    from .service import MeetingService

    config = oauth_config(settings)  # raises unless App ID credentials are set
    app_id, corp_id = settings.app_id or "", settings.corp_id
    app_key = settings.app_key.get_secret_value() if settings.app_key is not None else ""

    def identity(user_id: str) -> str:
        return credential_identity(settings.base_url, "app_id", app_id, user_id, corp_id, None, None)

    def sign_in(user_id: str) -> TokenProvider:
        share = fleet.token_share(identity(user_id), user_id)
        return SigningIn(AppIdSignIn(app_id, app_key, user_id, corp_id), sign_ins, share=share)

    def serve(user_id: str, tokens: TokenProvider, admin: bool) -> MeetingService:
        return MeetingService(client(tokens), cache.for_identity(identity(user_id)), query_all=admin)

    return People(config, sign_in, serve)
