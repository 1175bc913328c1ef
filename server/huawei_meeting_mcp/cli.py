"""The `huawei-meeting-mcp` command: with no arguments, an MCP server on stdio.

    huawei-meeting-mcp [--demo]                          MCP over stdio (what MCP clients launch)
    huawei-meeting-mcp serve --transport http [--host --port]   MCP over streamable HTTP
    huawei-meeting-mcp check                             settings, sign-in and one API call, diagnosed
    huawei-meeting-mcp detail CONF_UUID [...] [--json]   a tool, run for a person (one per tool)
    huawei-meeting-mcp sandbox [--port N]                the fake Huawei API, for trying things

`--demo` (or HUAWEI_MEETING_DEMO=true) works everywhere: the server then answers from the in-process sandbox.

Exit codes, the same for every command: 0 done; 1 the settings are valid but the work failed (sign-in
refused, API unreachable, a tool error); 2 nothing was tried because the command line or a
HUAWEI_MEETING_* setting is invalid (the message names the variable and what it accepts); 130 Ctrl-C,
after one line on stderr and no traceback.

Started by the MCP Bundle's launcher (`main(settings_form=...)`), the stdio server never exits over a
setting: it serves, and every tool answers what to fix, naming the field of the host's settings form.
"""

from __future__ import annotations

# Installed before the heavy imports below (the SDK, pydantic: most of a second), so that a Ctrl-C while they
# load also ends with one line and no traceback; put back once this module is loaded (see the module's end).
import os
import signal
import threading

INTERRUPTED = "huawei-meeting-mcp: interrupted (Ctrl-C)\n"
EXIT_INTERRUPTED = 130
"""Ctrl-C, as shells report a SIGINT."""


def _leave(signum: int, frame: object) -> None:
    # os.write, not sys.stderr: the signal may have arrived inside a write to the same buffered stream.
    os.write(2, INTERRUPTED.encode())
    os._exit(EXIT_INTERRUPTED)


_IN_MAIN_THREAD = threading.current_thread() is threading.main_thread()
_BEFORE_IMPORT = signal.signal(signal.SIGINT, _leave) if _IN_MAIN_THREAD else None

import argparse  # noqa: E402
import difflib  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, NoReturn  # noqa: E402

import anyio  # noqa: E402
from mcp.types import Tool  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from . import __version__, tracing  # noqa: E402
from .app import CLI_COMMANDS, TOOL_NAMES, create_server, tool_definitions  # noqa: E402
from .auth import StaticToken, TokenProvider  # noqa: E402
from .errors import MeetingError  # noqa: E402
from .redaction import REDACTOR, configure_logging  # noqa: E402
from .settings import (  # noqa: E402
    ENVIRONMENT,
    ConfigError,
    Naming,
    Settings,
    form_naming,
    ignored_settings,
    load_settings,
    unknown_variables,
)
from .tool_commands import PeopleOutput, ToolCommand, add_tool_commands, call_tool, json_error  # noqa: E402
from .tool_server import MeetingServer, open_state  # noqa: E402

if TYPE_CHECKING:  # the sandbox and httpx are imported only by the commands that use them
    import httpx

    from .sandbox import Sandbox

logger = logging.getLogger(__name__)

PROG = "huawei-meeting-mcp"
DEMO_BASE_URL = "http://127.0.0.1"
"""Base URL shown for the in-process sandbox; no socket is opened for it."""
EXIT_FAILED = 1
"""The settings are valid, but the work failed: sign-in refused, API unreachable, a tool error."""
EXIT_INVALID = 2
"""Nothing was tried: the command line or a setting is invalid (argparse uses 2 for usage errors too)."""
TERMINAL_HINT = (
    f"{PROG}: serving MCP on stdio, for an MCP client to talk to; there is nothing to type here. "
    f"Try `{PROG} --help`, `{PROG} --demo check` or `make demo`; Ctrl-C or Ctrl-D quits.\n"
)
DEMO_HELP = "answer from the built-in sandbox (sample meetings), no credentials needed"
PEOPLE_LOG_LEVEL = "WARNING"
"""Log level of the commands for people, unless HUAWEI_MEETING_LOG_LEVEL says otherwise."""
OTHER_COMMANDS = ("serve", "check", "sandbox")
"""The commands that are not tools: they need no tool definitions, so these start without building them."""


@dataclass(frozen=True)
class Upstream:
    """Where API calls go: Huawei as the settings say, or the in-process sandbox (`--demo`)."""

    settings: Settings
    transport: httpx.AsyncBaseTransport | None = None
    tokens: TokenProvider | None = None

    def server(self) -> MeetingServer:
        """The MCP server wired to this upstream."""
        return create_server(self.settings, transport=self.transport, tokens=self.tokens)


class RefusingTokens:
    """A token provider that refuses with one message: every tool call then answers it (what to fix)."""

    def __init__(self, message: str) -> None:
        self.message = message

    async def get_token(self) -> str:
        """Refuse: the settings stop any API call."""
        raise MeetingError(self.message)

    async def token_rejected(self, token: str) -> bool:
        """Never called (no token is ever handed out)."""
        return False


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


class UsageError(Exception):
    """The command line is invalid: raised by the parsers instead of printing, so that `--json` can say it as JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised (`UsageError`) and a misspelt command answered with the closest one."""

    def error(self, message: str) -> NoReturn:
        """Raise the usage error, with a suggestion for a misspelt command."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and "invalid choice" in message:
                typed = message.split("invalid choice: ", 1)[1].split("'")[1] if "'" in message else ""
                close = difflib.get_close_matches(typed, list(action.choices), n=1, cutoff=0.5)
                if close:
                    message += f"; did you mean {close[0]!r}?"
        raise UsageError(self, message)


def build_parser(tools: list[Tool]) -> tuple[argparse.ArgumentParser, dict[str, ToolCommand]]:
    """The argument parser, with one subcommand per tool; also returns those subcommands by name."""
    demo = Parser(add_help=False)
    demo.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=DEMO_HELP)
    parser = Parser(
        prog=PROG,
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
    sys.stderr.write(f"{PROG}: {message}\n")
    raise SystemExit(code)


def _load_settings(as_json: bool = False) -> Settings:
    """The settings, or exit 2 (EXIT_INVALID) with the one-line message that names the bad variable."""
    try:
        return load_settings()
    except ConfigError as exc:
        _warn_people(unknown_variables())  # a misspelt variable often explains the error
        if as_json:
            sys.stdout.write(json_error("settings", str(exc), EXIT_INVALID))
            raise SystemExit(EXIT_INVALID) from None
        _exit(str(exc), EXIT_INVALID)


def _start_logging(settings: Settings, *, for_people: bool) -> None:
    """Log to stderr through the redactor, which learns every configured secret first."""
    REDACTOR.add(*(value.get_secret_value() for value in settings.secrets()))
    quiet = for_people and "log_level" not in settings.model_fields_set
    configure_logging(PEOPLE_LOG_LEVEL if quiet else settings.log_level, settings.log_format)


def setting_warnings(settings: Settings, *, http: bool, demo: bool, naming: Naming = ENVIRONMENT) -> list[str]:
    """What goes unused: HUAWEI_MEETING_* variables that are no setting, and settings this mode ignores."""
    return unknown_variables() + ignored_settings(settings, http=http, demo=demo, naming=naming)


def _warn_people(warnings: list[str]) -> None:
    for warning in warnings:
        sys.stderr.write(f"{PROG}: warning: {warning}\n")


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


@dataclass(frozen=True)
class SettingsForm:
    """The MCP Bundle's settings form, read from its manifest: how messages name the fields, and where they are."""

    naming: Naming
    where: str
    """Where the person opens the form, e.g. `Settings → Extensions → Huawei Cloud Meeting history`."""

    @classmethod
    def read(cls, manifest_path: Path) -> SettingsForm | None:
        """The form of the manifest at `manifest_path`, or None when there is no readable manifest."""
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        name = manifest.get("display_name") or manifest.get("name") or PROG
        return cls(
            form_naming(manifest), f"the host's extension settings (Claude Desktop: Settings → Extensions → {name})"
        )

    def no_credentials(self) -> str:
        """What every tool answers when the form holds no credentials."""
        label = self.naming.label
        return (
            f"No Huawei Cloud Meeting credentials are filled in. In {self.where}, enter {label('app_id')} and "
            f"{label('app_key')} (recommended), or {label('account')} and {label('password')}, or an "
            f"{label('access_token')}; or switch on {label('demo')} to try it with sample meetings. "
            "Then restart the extension."
        )

    def invalid(self, problem: ConfigError) -> str:
        """What every tool answers when a field of the form holds a value the server cannot use."""
        return (
            f"The extension's settings need fixing before any meeting can be read. {problem} "
            f"Correct it in {self.where}, then restart the extension."
        )


def run_serve(args: argparse.Namespace, form: SettingsForm | None = None) -> None:
    """Serve MCP over stdio or streamable HTTP; from a settings form, a setting's problem is every tool's answer."""
    stdio = getattr(args, "transport", "stdio") == "stdio"
    form = form if stdio else None
    try:
        settings = load_settings(form.naming if form else ENVIRONMENT)
    except ConfigError as exc:
        if form is None:
            _warn_people(unknown_variables())
            _exit(str(exc), EXIT_INVALID)
        configure_logging("INFO")
        message = form.invalid(exc)
        logger.error("%s", message)
        serve_stdio(create_server(Settings.model_construct(), tokens=RefusingTokens(message)))
        return
    _start_logging(settings, for_people=False)
    _serve_metrics(settings)
    tracing.start()
    if getattr(args, "transport", "stdio") == "stdio" and settings.http_auth == "oauth":
        settings = settings.model_copy(update={"http_auth": "token"})  # stdio: one person, the operator
    demo = args.demo or settings.demo
    for warning in setting_warnings(settings, http=not stdio, demo=demo, naming=form.naming if form else ENVIRONMENT):
        logger.warning("%s", warning)
    wired = upstream(settings, demo)
    if form is not None and not demo and settings.credentials is None:
        wired = Upstream(settings, tokens=RefusingTokens(form.no_credentials()))
    server = wired.server()
    keep_start_up_objects()
    if stdio:
        serve_stdio(server)
        return
    try:
        from .http_server import serve_http

        serve_http(server, wired.settings, args.host, args.port)
    except ConfigError as exc:
        _exit(str(exc), EXIT_INVALID)


def _serve_metrics(settings: Settings) -> None:
    """Serve Prometheus metrics when HUAWEI_MEETING_METRICS_PORT asks for them; exit 2 if the port cannot be bound."""
    if settings.metrics_port is None:
        return
    from . import metrics

    try:
        metrics.start(settings.metrics_host, settings.metrics_port)
    except ConfigError as exc:
        _exit(str(exc), EXIT_INVALID)


def keep_start_up_objects() -> None:
    """Exempt everything built at start-up (modules, the SDK, the tool table) from garbage collection.

    A server lives long and its start-up objects never become garbage, but every full collection walks
    them all, and one landed in the middle of reading a 10,000-record meeting, between one round of page
    reads and the next (docs/performance.md, row 7). Frozen, a full collection walks only what calls created since.
    """
    gc.freeze()


@contextmanager
def interrupts_end_the_command(as_json: bool = False) -> Iterator[None]:
    """While the command runs, Ctrl-C ends it at once: one line on stderr (and with `--json`, the JSON error), 130.

    Leaving at once suits every command: the stdio transport reads stdin in a worker thread that no exception
    can stop (a KeyboardInterrupt would wait for the next line, and print a traceback then), and the one-shot
    commands hold nothing to save. The HTTP server and the sandbox shut down gracefully first: uvicorn takes
    the signal while it serves, then hands it on to this handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    message = json_error("interrupted", "interrupted (Ctrl-C)", EXIT_INTERRUPTED).encode() if as_json else b""

    def leave(signum: int, frame: object) -> None:
        if message:
            os.write(1, message)
        _leave(signum, frame)

    previous = signal.signal(signal.SIGINT, leave)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def serve_stdio(server: MeetingServer) -> None:
    """Serve MCP on stdin/stdout until stdin ends (Ctrl-D) or Ctrl-C; hint on stderr when stdin is a terminal.

    A client that closes our stdout has left: the server ends quietly (no traceback), as it does when stdin ends.
    """
    if sys.stdin.isatty():
        sys.stderr.write(TERMINAL_HINT)
        sys.stderr.flush()
    try:
        anyio.run(server.run_stdio)
    except Exception as exc:
        if not _only_broken_pipes(exc):
            raise
        logger.info("The MCP client closed the server's stdout; stopping")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit


def _only_broken_pipes(exc: BaseException) -> bool:
    """Whether `exc` is a BrokenPipeError, or a group (from the task groups) of nothing else."""
    inner = getattr(exc, "exceptions", None)
    if inner is None:
        return isinstance(exc, BrokenPipeError)
    return bool(inner) and all(_only_broken_pipes(each) for each in inner)


def run_check_command(args: argparse.Namespace) -> None:
    """Print the check report; exit 0 when everything works, 1 with a diagnosis, 2 for an invalid setting."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        sys.stdout.write("".join(f"Warning: {warning}.\n" for warning in unknown_variables()))
        sys.stdout.write(f"FAILED: {exc}\n")
        raise SystemExit(EXIT_INVALID) from None
    _start_logging(settings, for_people=True)
    demo = args.demo or settings.demo
    wired = upstream(settings, demo)
    from .check import SANDBOX_NAME, run_check
    from .client import RetryPolicy
    from .oauth import IssuerKeys, oauth_config

    probing, issuer = wired.settings, None
    if settings.http_auth == "oauth" and not demo:
        try:
            issuer = IssuerKeys(oauth_config(settings).issuer)
        except ConfigError as exc:
            sys.stdout.write(f"FAILED: {exc}\n")
            raise SystemExit(EXIT_INVALID) from None
        probing = settings.model_copy(update={"http_auth": "token"})  # one App ID sign-in, as the enterprise
    state = open_state(probing, TOOL_NAMES, transport=wired.transport, tokens=wired.tokens, retry=RetryPolicy(0))
    where = SANDBOX_NAME if demo else None
    warnings = setting_warnings(settings, http=False, demo=demo)
    report = anyio.run(run_check, wired.settings, state, where, warnings, issuer)
    sys.stdout.write(report.text())
    raise SystemExit(0 if report.ok else EXIT_FAILED)


def run_tool_command(
    command: ToolCommand, commands: dict[str, ToolCommand], args: argparse.Namespace, typed: Sequence[str]
) -> None:
    """Run one tool as a person's command and print its answer in command-line terms."""
    settings = _load_settings(args.json)
    _start_logging(settings, for_people=True)
    demo = args.demo or settings.demo
    _warn_people(setting_warnings(settings, http=False, demo=demo))
    result = anyio.run(call_tool, upstream(settings, demo).server(), command.tool, command.tool_arguments(args))
    raise SystemExit(PeopleOutput(command, commands, typed).print(result, args.json))


def _command_of(given: Sequence[str]) -> str | None:
    """The first word that is not an option: the command (None for the stdio server)."""
    return next((word for word in given if not word.startswith("-")), None)


def main(argv: list[str] | None = None, *, settings_form: Path | None = None) -> None:
    """Entry point of the console script (and, with `settings_form`, of the MCP Bundle's launcher)."""
    given = sys.argv[1:] if argv is None else argv
    as_json = "--json" in given
    with interrupts_end_the_command(as_json):
        try:
            _main(given, as_json, settings_form)
        except KeyboardInterrupt:  # a signal handler of a library's that raised it after all
            if as_json:
                sys.stdout.write(json_error("interrupted", "interrupted (Ctrl-C)", EXIT_INTERRUPTED))
            sys.stderr.write(INTERRUPTED)
            raise SystemExit(EXIT_INTERRUPTED) from None


def _main(given: Sequence[str], as_json: bool, settings_form: Path | None) -> None:
    command = _command_of(given)
    # Building the tool subcommands registers every tool once more: the stdio server (what MCP clients start)
    # and the other commands skip it and start that much sooner; a tool, help or a misspelt command needs it.
    wants_tools = (command is not None and command not in OTHER_COMMANDS) or any(
        arg in {"-h", "--help"} for arg in given
    )
    parser, tool_commands = build_parser(anyio.run(tool_definitions) if wants_tools else [])
    try:
        args = parser.parse_args(given)
    except UsageError as exc:
        if as_json:
            sys.stdout.write(json_error("usage", exc.message, EXIT_INVALID))
        else:
            exc.parser.print_usage(sys.stderr)
            sys.stderr.write(f"{exc.parser.prog}: error: {exc.message}\n")
        raise SystemExit(EXIT_INVALID) from None
    if args.command == "sandbox":
        run_sandbox(args)
    elif args.command == "check":
        run_check_command(args)
    elif args.command in tool_commands:
        run_tool_command(tool_commands[args.command], tool_commands, args, given)
    else:
        form = SettingsForm.read(settings_form) if settings_form is not None else None
        run_serve(args, form)


if _IN_MAIN_THREAD and _BEFORE_IMPORT is not None:
    signal.signal(signal.SIGINT, _BEFORE_IMPORT)
