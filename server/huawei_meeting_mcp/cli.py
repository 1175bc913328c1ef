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
from .sandbox import DEFAULT_TOKEN, Sandbox, serve_forever
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
    sandbox.add_argument("--token", default=DEFAULT_TOKEN, help="access token the sandbox accepts")
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
    if settings.access_token:
        REDACTOR.add(settings.access_token.get_secret_value())
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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        configure_logging("INFO")
        sys.stderr.write(
            f"Sandbox API on http://{args.host}:{args.port} (token {args.token}). Point the server at it with\n"
            f"  HUAWEI_MEETING_BASE_URL=http://{args.host}:{args.port} HUAWEI_MEETING_ACCESS_TOKEN={args.token}\n"
        )
        serve_forever(Sandbox(tokens=[args.token]), args.host, args.port)
        return
    serve_stdio(demo=args.demo)
