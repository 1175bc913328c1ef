"""The `huawei-meeting-mcp` command: with no arguments, an MCP server on stdio.

    huawei-meeting-mcp [--demo]                          MCP over stdio (what MCP clients launch)
    huawei-meeting-mcp serve --transport http [--host --port]   MCP over streamable HTTP
    huawei-meeting-mcp check                             settings, sign-in and one API call, diagnosed
    huawei-meeting-mcp detail CONF_UUID [...] [--json]   a tool, run for a person (one per tool)
    huawei-meeting-mcp sandbox [--port N]                the fake Huawei API, for trying things

`--demo` works everywhere: the server then answers from the in-process sandbox.

Exit codes, the same for every command: 0 done; 1 the settings are valid but the work failed (sign-in
refused, API unreachable, a tool error); 2 nothing was tried because the command line or a
HUAWEI_MEETING_* setting is invalid (the message names the variable and what it accepts); 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import anyio
from mcp.types import Tool
from pydantic import SecretStr

from . import __version__
from .app import CLI_COMMANDS, TOOL_NAMES, create_server, tool_definitions
from .auth import StaticToken, TokenProvider
from .redaction import REDACTOR, configure_logging
from .settings import ConfigError, Settings, load_settings
from .tool_commands import ToolCommand, add_tool_commands, call_tool, print_result
from .tooling import MeetingServer, open_state

if TYPE_CHECKING:  # the sandbox and httpx are imported only by the commands that use them
    import httpx

    from .sandbox import Sandbox

DEMO_BASE_URL = "http://127.0.0.1"
"""Base URL shown for the in-process sandbox; no socket is opened for it."""
EXIT_FAILED = 1
"""The settings are valid, but the work failed: sign-in refused, API unreachable, a tool error."""
EXIT_INVALID = 2
"""Nothing was tried: the command line or a setting is invalid (argparse uses 2 for usage errors too)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C, as shells report a SIGINT."""
TERMINAL_HINT = (
    "huawei-meeting-mcp: serving MCP on stdio, for an MCP client to talk to; there is nothing to type here. "
    "Try `huawei-meeting-mcp --help`, `huawei-meeting-mcp --demo check` or `make demo`; Ctrl-C or Ctrl-D quits.\n"
)
DEMO_HELP = "answer from the built-in sandbox (sample meetings), no credentials needed"
PEOPLE_LOG_LEVEL = "WARNING"
"""Log level of the commands for people, unless HUAWEI_MEETING_LOG_LEVEL says otherwise."""


@dataclass(frozen=True)
class Upstream:
    """Where API calls go: Huawei as the settings say, or the in-process sandbox (`--demo`)."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    tokens: TokenProvider | None = None

    def server(self) -> MeetingServer:
        """The MCP server wired to this upstream."""
        return create_server(self.settings, transport=self.transport, tokens=self.tokens)


def demo_settings(settings: Settings) -> Settings:
    """The given settings, pointed at the in-process sandbox."""
    from .sandbox import DEFAULT_TOKEN

    return settings.model_copy(update={"base_url": DEMO_BASE_URL, "access_token": SecretStr(DEFAULT_TOKEN)})


def _in_process(sandbox: Sandbox) -> httpx.AsyncBaseTransport:
    """A transport that answers from `sandbox` in this process (httpx is imported only for `--demo`)."""
    import httpx

    return httpx.ASGITransport(app=sandbox.app)


def upstream(settings: Settings, demo: bool) -> Upstream:
    """Huawei as configured, or (with `demo`) a fresh in-process sandbox."""
    if not demo:
        return Upstream(settings)
    from .sandbox import DEFAULT_TOKEN, Sandbox

    return Upstream(
        demo_settings(settings),
        transport=_in_process(Sandbox()),
        tokens=StaticToken(DEFAULT_TOKEN),
    )


def build_parser(tools: list[Tool]) -> tuple[argparse.ArgumentParser, dict[str, ToolCommand]]:
    """The argument parser, with one subcommand per tool; also returns those subcommands by name."""
    demo = argparse.ArgumentParser(add_help=False)
    demo.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=DEMO_HELP)
    parser = argparse.ArgumentParser(
        prog="huawei-meeting-mcp",
        description="MCP server for past Huawei Cloud Meeting conferences. "
        "With no command it serves MCP over stdio, as MCP clients expect. "
        "Settings come from HUAWEI_MEETING_* environment variables (see `check`).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help=DEMO_HELP)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[demo], help="serve MCP over stdio (the default) or HTTP")
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio", help="default: stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP: address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP: port to bind, 0 for any free one (default 8000)")

    commands.add_parser(
        "check",
        parents=[demo],
        help="show the effective settings, sign in, make one cheap API call, and say what to fix",
    )
    tool_commands = add_tool_commands(commands, tools, CLI_COMMANDS, [demo])

    sandbox = commands.add_parser("sandbox", help="run the sandbox API over HTTP for trying and testing")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8780, help="port to bind (default 8780)")
    # Defaults left empty are the sandbox's own (its demo credentials, a day): importing the sandbox to show
    # them here would slow down the start of every command, the stdio server first.
    sandbox.add_argument("--token", help="static access token the sandbox accepts (default: its demo token)")
    sandbox.add_argument("--app-id", help="App ID the sandbox's App ID sign-in accepts (default: its demo App ID)")
    sandbox.add_argument("--app-key", help="App Key of that App ID (default: the demo App ID's)")
    sandbox.add_argument(
        "--token-lifetime", type=int, help="seconds a signed-in token stays valid (default: the sandbox's, a day)"
    )
    sandbox.add_argument("--latency-ms", type=float, default=0, help="add this many ms to every answer")
    sandbox.add_argument("--hostile", action="store_true", help="add the hostile meetings (untrusted-text attacks)")
    return parser, tool_commands


def _exit(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"huawei-meeting-mcp: {message}\n")
    raise SystemExit(code)


def _load_settings() -> Settings:
    """The settings, or exit 2 (EXIT_INVALID) with the one-line message that names the bad variable."""
    try:
        return load_settings()
    except ConfigError as exc:
        _exit(str(exc), EXIT_INVALID)


def _start_logging(settings: Settings, *, for_people: bool) -> None:
    """Log to stderr through the redactor, which learns every configured secret first."""
    REDACTOR.add(*(value.get_secret_value() for value in settings.secrets()))
    quiet = for_people and "log_level" not in settings.model_fields_set
    configure_logging(PEOPLE_LOG_LEVEL if quiet else settings.log_level)


def run_sandbox(args: argparse.Namespace) -> None:
    """Serve the sandbox API over HTTP and print the settings that point a server at it."""
    from .sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DEFAULT_TOKEN, AuthApi, Sandbox, serve_forever
    from .sandbox.auth_api import DEFAULT_TOKEN_LIFETIME

    if args.token_lifetime is not None and args.token_lifetime < 1:
        _exit("--token-lifetime must be at least 1 second", EXIT_INVALID)
    args.token = args.token or DEFAULT_TOKEN
    args.app_id = args.app_id or DEFAULT_APP_ID
    args.app_key = args.app_key or DEFAULT_APP_KEY
    args.token_lifetime = args.token_lifetime or DEFAULT_TOKEN_LIFETIME
    configure_logging("INFO")
    url = f"http://{args.host}:{args.port}"
    sys.stderr.write(
        f"Sandbox API on {url}. Point the server at it with App ID sign-in (tokens last {args.token_lifetime} s):\n"
        f"  HUAWEI_MEETING_BASE_URL={url} HUAWEI_MEETING_APP_ID={args.app_id} HUAWEI_MEETING_APP_KEY={args.app_key}\n"
        f"or with a static token:\n"
        f"  HUAWEI_MEETING_BASE_URL={url} HUAWEI_MEETING_ACCESS_TOKEN={args.token}\n"
    )
    auth = AuthApi(app_id=args.app_id, app_key=args.app_key, token_lifetime=args.token_lifetime)
    sandbox = Sandbox(tokens=[args.token], auth=auth, latency_ms=args.latency_ms, hostile=args.hostile)
    serve_forever(sandbox, args.host, args.port)


def run_serve(args: argparse.Namespace) -> None:
    """Serve MCP over stdio or streamable HTTP."""
    settings = _load_settings()
    _start_logging(settings, for_people=False)
    if getattr(args, "transport", "stdio") == "stdio" and settings.http_auth == "oauth":
        settings = settings.model_copy(update={"http_auth": "token"})  # stdio: one person, the operator
    wired = upstream(settings, args.demo)
    server = wired.server()
    keep_start_up_objects()
    if getattr(args, "transport", "stdio") == "stdio":
        serve_stdio(server)
        return
    try:
        from .http_server import serve_http

        serve_http(server, wired.settings, args.host, args.port)
    except ConfigError as exc:
        _exit(str(exc), EXIT_INVALID)


def keep_start_up_objects() -> None:
    """Exempt everything built at start-up (modules, the SDK, the tool table) from garbage collection.

    A server lives long and its start-up objects never become garbage, but every full collection walks
    them all: about 40 ms, which landed in the middle of reading a 10,000-record meeting, between one
    round of page reads and the next. Frozen, a full collection walks only what calls created since.
    """
    gc.freeze()


def _interrupted(signum: int, frame: object) -> None:
    # The stdio transport reads stdin in a worker thread that no exception can stop, so a
    # KeyboardInterrupt would wait for the next line (and print a traceback then): leave at once instead.
    # No flushing here: the signal may have arrived inside a write to the same stream.
    os._exit(EXIT_INTERRUPTED)


def serve_stdio(server: MeetingServer) -> None:
    """Serve MCP on stdin/stdout until stdin ends (Ctrl-D) or Ctrl-C; hint on stderr when stdin is a terminal."""
    signal.signal(signal.SIGINT, _interrupted)
    if sys.stdin.isatty():
        sys.stderr.write(TERMINAL_HINT)
        sys.stderr.flush()
    anyio.run(server.run_stdio)


def run_check_command(args: argparse.Namespace) -> None:
    """Print the check report; exit 0 when everything works, 1 with a diagnosis, 2 for an invalid setting."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        sys.stdout.write(f"FAILED: {exc}\n")
        raise SystemExit(EXIT_INVALID) from None
    _start_logging(settings, for_people=True)
    wired = upstream(settings, args.demo)
    from .check import SANDBOX_NAME, run_check
    from .client import RetryPolicy

    state = open_state(wired.settings, TOOL_NAMES, transport=wired.transport, tokens=wired.tokens, retry=RetryPolicy(0))
    where = SANDBOX_NAME if args.demo else None
    report = anyio.run(run_check, wired.settings, state, where)
    sys.stdout.write(report.text())
    raise SystemExit(0 if report.ok else EXIT_FAILED)


def run_tool_command(command: ToolCommand, args: argparse.Namespace) -> None:
    """Run one tool as a person's command and print what the assistant would get."""
    settings = _load_settings()
    _start_logging(settings, for_people=True)
    result = anyio.run(call_tool, upstream(settings, args.demo).server(), command.tool, command.tool_arguments(args))
    raise SystemExit(print_result(result, args.json))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    given = sys.argv[1:] if argv is None else argv
    # Building the tool subcommands registers every tool once more: only when a tool command or help is asked
    # for, so that the stdio server (what MCP clients start) starts that much sooner.
    wants_tools = any(arg in CLI_COMMANDS.values() or arg in {"-h", "--help"} for arg in given)
    parser, tool_commands = build_parser(anyio.run(tool_definitions) if wants_tools else [])
    args = parser.parse_args(given)
    if args.command == "sandbox":
        run_sandbox(args)
    elif args.command == "check":
        run_check_command(args)
    elif args.command in tool_commands:
        run_tool_command(tool_commands[args.command], args)
    else:
        run_serve(args)
