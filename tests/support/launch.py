"""Start the installed server as a host does: over stdio with an MCP client, or over HTTP on a free port.

Both launchers record everything the server said (tool results, errors, stderr) in the leak scan,
together with the secrets their environment gave it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from tests.support.leaks import SCAN, SECRET_SETTINGS
from tests.support.results import everything_in

PASSED_THROUGH = {"PATH", "HOME", "LANG", "SYSTEMROOT", "COVERAGE_PROCESS_CONFIG"}
"""The only variables of ours a launched server sees, besides the ones a test gives it (coverage's, under `--cov`,
measures the launched command too)."""


def compile_package() -> None:
    """Write the package's bytecode where it is missing or stale, as an installed package has it.

    Where PYTHONDONTWRITEBYTECODE is set (as on some CI machines), each server a test starts would otherwise
    compile every module of ours from source again: about 0.1 s of CPU per start. Safe from parallel workers
    (each file is written to a temporary name, then renamed).
    """
    import compileall

    import huawei_meeting_mcp

    compileall.compile_dir(Path(huawei_meeting_mcp.__file__).parent, quiet=2)


def console_script() -> str:
    """Path of the installed `huawei-meeting-mcp` console script (next to this Python)."""
    beside = Path(sys.executable).parent / "huawei-meeting-mcp"
    found = str(beside) if beside.exists() else shutil.which("huawei-meeting-mcp")
    assert found, "the package is not installed: run the README's test command"
    return found


def base_env() -> dict[str, str]:
    """PATH, HOME, LANG (SYSTEMROOT, coverage's) from this process: the rest of a server's environment is explicit."""
    return {k: v for k, v in os.environ.items() if k in PASSED_THROUGH}


def _learn_secrets(env: dict[str, str]) -> None:
    SCAN.secrets.update(env[name] for name in SECRET_SETTINGS if env.get(name))


@dataclass
class ServerRun:
    """A running server: the MCP client, and everything the server wrote to stderr so far."""

    client: Client
    stderr_path: Path
    results: list[CallToolResult] = field(default_factory=list)

    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    async def call(self, tool: str, arguments: dict[str, Any], **kwargs: Any) -> CallToolResult:
        """Call a tool, keeping the result for `everything_said`."""
        result = await self.client.call_tool(tool, arguments, **kwargs)
        self.results.append(result)
        return result

    def everything_said(self) -> str:
        """All tool output (text and structured) and stderr, as one string to search."""
        return "\n".join([self.stderr(), *everything_in(self.results)])


@asynccontextmanager
async def run_server(env: dict[str, str], args: Iterable[str] = ()) -> AsyncIterator[ServerRun]:
    """Start the installed console script over stdio with exactly `env` (plus PATH/HOME)."""
    # Debug logging by default, so that the leak scan covers the most talkative stderr.
    env = {"HUAWEI_MEETING_LOG_LEVEL": "DEBUG", **env}
    _learn_secrets(env)
    params = StdioServerParameters(command=console_script(), args=list(args), env={**base_env(), **env})
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


ANNOUNCED = r"Serving MCP at (\S+)"
"""How `huawei-meeting-mcp serve --transport http` says it is ready, and where (on stderr)."""


@dataclass
class HttpRun:
    """A running HTTP server: its /mcp URL, its base URL, its process ID, and what it wrote to stderr."""

    url: str
    lines: list[str]
    pid: int = 0

    @property
    def base(self) -> str:
        """The URL without /mcp."""
        return self.url.removesuffix("/mcp")

    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        return "".join(self.lines)


@contextmanager
def http_server(
    env: dict[str, str],
    *args: str,
    command: Sequence[str] | None = None,
    announced: str = ANNOUNCED,
    record: bool = True,
    port: int = 0,
) -> Iterator[HttpRun]:
    """Run `huawei-meeting-mcp ARGS serve --transport http --port PORT` (0: any); yield once it announces its URL.

    `command` runs another server instead (a whole argv), ready once a stderr line matches `announced`,
    whose first group is the URL. With `record`, what the server said goes to the leak scan.
    """
    argv = list(command) if command is not None else [console_script(), *args, "serve", "--transport", "http"]
    if command is None:
        argv += ["--port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - our own console script, or the caller's command
        argv,
        env={**base_env(), **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    urls: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if not urls and (found := re.search(announced, line)):
                urls.append(found[1])
                ready.set()
        ready.set()  # the process ended without announcing

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if record:
        _learn_secrets(env)
    try:
        assert ready.wait(60), "the server did not start within a minute"
        assert urls, "".join(lines)
        yield HttpRun(url=urls[0], lines=lines, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=10)
        if record:
            SCAN.record("".join(lines), env.get("HUAWEI_MEETING_INCLUDE_CONTACTS") == "true")
