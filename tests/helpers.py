"""Shared test helpers: run the installed server over stdio, and look for leaked secrets."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DEFAULT_TOKEN, Sandbox
from huawei_meeting_mcp.sandbox.app import RecordedRequest
from huawei_meeting_mcp.view import ViewOptions


def console_script() -> str:
    """Path of the installed `huawei-meeting-mcp` console script (next to this Python)."""
    beside = Path(sys.executable).parent / "huawei-meeting-mcp"
    found = str(beside) if beside.exists() else shutil.which("huawei-meeting-mcp")
    assert found, "the package is not installed: run the README's test command"
    return found


SECRET_SETTINGS = (
    "HUAWEI_MEETING_ACCESS_TOKEN",
    "HUAWEI_MEETING_APP_KEY",
    "HUAWEI_MEETING_PASSWORD",
    "HUAWEI_MEETING_HTTP_TOKEN",
)


@dataclass
class LeakScan:
    """Everything the servers said during the whole test session, and every secret they knew of.

    The session-wide check in conftest.py fails the run if any secret appears anywhere, and if
    any contact datum appears in the output of a server that was not told to include contacts.
    """

    outputs: list[tuple[str, bool]] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)

    def record(self, output: str, contacts_allowed: bool) -> None:
        self.outputs.append((output, contacts_allowed))

    def findings(self) -> list[str]:
        """A line per leak found (secret shown masked), empty when nothing leaked."""
        found = []
        for index, (output, contacts_allowed) in enumerate(self.outputs):
            for secret in leaked(output, self.secrets):
                found.append(f"server run {index}: secret {secret[:4]}... appeared")
            if not contacts_allowed:
                for contact in leaked(output, self.contacts):
                    found.append(f"server run {index}: contact {contact[:4]}... appeared with contacts off")
        return found


SCAN = LeakScan()


@dataclass
class LiveSandbox:
    """A sandbox served on loopback: the object (to inspect or change) and its base URL."""

    sandbox: Sandbox
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a server that talks to this sandbox with its token."""
        return {"HUAWEI_MEETING_BASE_URL": self.url, "HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN, **extra}

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests the sandbox saw on `path`, in order (other reads of an answer run alongside)."""
        return [r for r in self.sandbox.requests if r.path == path]

    def app_id_env(self, key: str = DEFAULT_APP_KEY, **extra: str) -> dict[str, str]:
        """Environment for a server that signs in to this sandbox with its App ID (and `key`)."""
        return {
            "HUAWEI_MEETING_BASE_URL": self.url,
            "HUAWEI_MEETING_APP_ID": DEFAULT_APP_ID,
            "HUAWEI_MEETING_APP_KEY": key,
            **extra,
        }


@dataclass
class ServerRun:
    """A running server: the MCP client, and everything the server wrote to stderr so far."""

    client: Client
    stderr_path: Path
    results: list[CallToolResult] = field(default_factory=list)

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def call(self, tool: str, arguments: dict[str, Any], **kwargs: Any) -> CallToolResult:
        result = await self.client.call_tool(tool, arguments, **kwargs)
        self.results.append(result)
        return result

    def everything_said(self) -> str:
        """All tool output (text and structured) and stderr, as one string to search."""
        parts = [self.stderr()]
        for result in self.results:
            parts.extend(getattr(block, "text", "") for block in result.content)
            if result.structured_content is not None:
                parts.append(json.dumps(result.structured_content, ensure_ascii=False))
        return "\n".join(parts)


@asynccontextmanager
async def run_server(env: dict[str, str], args: Iterable[str] = ()) -> AsyncIterator[ServerRun]:
    """Start the installed console script over stdio with exactly `env` (plus PATH/HOME)."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    # Debug logging by default, so that the leak scan covers the most talkative stderr.
    env = {"HUAWEI_MEETING_LOG_LEVEL": "DEBUG", **env}
    SCAN.secrets.update(env[name] for name in SECRET_SETTINGS if env.get(name))
    params = StdioServerParameters(command=console_script(), args=list(args), env={**base, **env})
    with tempfile.TemporaryDirectory() as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("w", encoding="utf-8") as errlog:
            run: ServerRun | None = None
            try:
                async with Client(stdio_client(params, errlog=errlog)) as client:
                    run = ServerRun(client=client, stderr_path=stderr_path)
                    yield run
            finally:
                if run is not None:
                    SCAN.record(run.everything_said(), env.get("HUAWEI_MEETING_INCLUDE_CONTACTS") == "true")


def text_of(result: CallToolResult) -> str:
    """The text block of a tool result."""
    return "\n".join(getattr(block, "text", "") for block in result.content)


SHORT_SECRET = 12
"""Secrets shorter than this (6-digit meeting passwords) count only as whole words: inside a random
request ID or an epoch-milliseconds number they turn up by chance, and that is no leak."""


def _occurs(secret: str, haystack: str) -> bool:
    if len(secret) >= SHORT_SECRET:
        return secret in haystack
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", haystack) is not None


def leaked(haystack: str, secrets: Iterable[str]) -> list[str]:
    """The secrets that occur in `haystack` (empty when nothing leaked)."""
    return sorted(s for s in secrets if s and _occurs(s, haystack))


@dataclass
class HttpRun:
    """A running HTTP server: its /mcp URL, its base URL, and what it wrote to stderr."""

    url: str
    lines: list[str]

    @property
    def base(self) -> str:
        return self.url.removesuffix("/mcp")

    def stderr(self) -> str:
        return "".join(self.lines)


@contextmanager
def http_server(env: dict[str, str], *args: str, port: int = 0) -> Iterator[HttpRun]:
    """Run `huawei-meeting-mcp serve --transport http --port PORT` (0: any); yield once it announces its URL."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [console_script(), *args, "serve", "--transport", "http", "--port", str(port)],
        env={**base, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    urls: list[str] = []
    announced = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if found := re.search(r"Serving MCP at (\S+)", line):
                urls.append(found[1])
                announced.set()
        announced.set()  # the process ended without announcing

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    SCAN.secrets.update(env[name] for name in SECRET_SETTINGS if env.get(name))
    try:
        assert announced.wait(60), "the server did not start within a minute"
        assert urls, "".join(lines)
        yield HttpRun(url=urls[0], lines=lines)
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=10)
        SCAN.record("".join(lines), env.get("HUAWEI_MEETING_INCLUDE_CONTACTS") == "true")


FIXTURES = Path(__file__).parent / "fixtures"
"""Recorded-shape API answers, for the view tests."""


def fixture_json(name: str) -> Any:
    """One fixture file, parsed."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def docs_body() -> dict[str, Any]:
    """The confDetail answer from Huawei's reference page (the docs example)."""
    body: dict[str, Any] = fixture_json("confdetail-docs-example.json")["response"]["body"]
    return body


def view_options(**options: Any) -> ViewOptions:
    """View options with the tool table's names, as the server builds them."""
    return ViewOptions(tools=TOOL_NAMES, **options)
