"""The `huawei-meeting-mcp` command: with no arguments, an MCP server on stdio."""

from __future__ import annotations

import argparse
import sys

import httpx
from pydantic import SecretStr

from . import __version__
from .app import create_server
from .auth import StaticToken
from .redaction import REDACTOR, configure_logging
from .sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DEFAULT_TOKEN, AuthApi, Sandbox, serve_forever
from .sandbox.auth_api import DEFAULT_TOKEN_LIFETIME
from .settings import ConfigError, Settings, load_settings

DEMO_BASE_URL = "http://127.0.0.1"
"""Base URL shown for the in-process sandbox; no socket is opened for it."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="huawei-meeting-mcp",
        description="MCP server for past Huawei Cloud Meeting conferences. "
        "With no command it serves MCP over stdio, as MCP clients expect.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="answer from the built-in sandbox (sample meetings), no credentials",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve MCP over stdio (the default)")
    serve.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="use the built-in sandbox")
    sandbox = commands.add_parser("sandbox", help="run the sandbox API over HTTP for trying and testing")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8780, help="port to bind (default 8780)")
    sandbox.add_argument("--token", default=DEFAULT_TOKEN, help="static access token the sandbox accepts")
    sandbox.add_argument("--app-id", default=DEFAULT_APP_ID, help="App ID the sandbox's App ID sign-in accepts")
    sandbox.add_argument("--app-key", default=DEFAULT_APP_KEY, help="App Key of that App ID")
    sandbox.add_argument(
        "--token-lifetime",
        type=int,
        default=DEFAULT_TOKEN_LIFETIME,
        help=f"seconds a signed-in token stays valid (default {DEFAULT_TOKEN_LIFETIME})",
    )
    return parser


def _fail(message: str) -> None:
    sys.stderr.write(f"huawei-meeting-mcp: {message}\n")
    raise SystemExit(2)


def demo_settings(settings: Settings) -> Settings:
    """The given settings, pointed at the in-process sandbox."""
    return settings.model_copy(update={"base_url": DEMO_BASE_URL, "access_token": SecretStr(DEFAULT_TOKEN)})


def serve_stdio(demo: bool) -> None:
    """Serve MCP over stdio, against Huawei or (with `demo`) the in-process sandbox."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        _fail(str(exc))
        return
    configure_logging(settings.log_level)
    REDACTOR.add(
        *(
            secret.get_secret_value()
            for secret in (settings.access_token, settings.app_key, settings.password)
            if secret
        )
    )
    if demo:
        sandbox = Sandbox()
        server = create_server(
            demo_settings(settings),
            transport=httpx.ASGITransport(app=sandbox.app),
            tokens=StaticToken(DEFAULT_TOKEN),
        )
    else:
        server = create_server(settings)
    server.run("stdio")


def run_sandbox(args: argparse.Namespace) -> None:
    """Serve the sandbox API over HTTP and print the settings that point a server at it."""
    if args.token_lifetime < 1:
        _fail("--token-lifetime must be at least 1 second")
    configure_logging("INFO")
    url = f"http://{args.host}:{args.port}"
    sys.stderr.write(
        f"Sandbox API on {url}. Point the server at it with App ID sign-in (tokens last {args.token_lifetime} s):\n"
        f"  HUAWEI_MEETING_BASE_URL={url} HUAWEI_MEETING_APP_ID={args.app_id} HUAWEI_MEETING_APP_KEY={args.app_key}\n"
        f"or with a static token:\n"
        f"  HUAWEI_MEETING_BASE_URL={url} HUAWEI_MEETING_ACCESS_TOKEN={args.token}\n"
    )
    auth = AuthApi(app_id=args.app_id, app_key=args.app_key, token_lifetime=args.token_lifetime)
    serve_forever(Sandbox(tokens=[args.token], auth=auth), args.host, args.port)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        run_sandbox(args)
        return
    serve_stdio(demo=args.demo)
