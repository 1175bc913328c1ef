"""The command line as a person uses it: what the commands print (run in this process, the `cli` fixture), and the
installed command in a terminal where Ctrl-C is typed."""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import anyio
import pytest

from huawei_meeting_mcp.app import CLI_COMMANDS, TOOL_NAMES, tool_definitions
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID
from tests.support import base_env, console_script
from tests.support.commands import InProcessCommand

INTERRUPTED = "huawei-meeting-mcp: interrupted (Ctrl-C)"
TOOL_NAMES_SEEN = tuple(CLI_COMMANDS)
ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


def test_paging_hints_are_the_persons_own_command_with_an_offset(cli: InProcessCommand) -> None:
    first = cli("--demo", "list", "--limit", "2")
    assert first.code == 0, first.err
    hint = next(line for line in first.out.splitlines() if line.startswith("More meetings remain: "))
    assert hint == "More meetings remain: huawei-meeting-mcp --demo list --limit 2 --offset 2"
    second = cli(*shlex.split(hint.split(": ", 1)[1])[1:])
    assert second.code == 0, second.err
    assert "Meetings 3-4 of " in second.out
    for said in (first.out, second.out):
        assert not any(name in said for name in TOOL_NAMES_SEEN), "commands, not tool calls"
        assert "startDate" not in said
    assert f"`huawei-meeting-mcp detail {first.out.split('confUUID ')[1][:32]} --demo`" in first.out


def test_names_print_as_written_and_json_keeps_them_too(cli: InProcessCommand) -> None:
    text = cli("--demo", "attendance", LARGE_UUID, "--limit", "5")
    as_json = cli("--demo", "attendance", LARGE_UUID, "--limit", "5", "--json")
    assert text.code == as_json.code == 0, text.err + as_json.err
    assert '"R&D"' in text.out
    assert ESCAPE.search(text.out) is None
    departments = {person.get("deptName") for person in json.loads(as_json.out)["attendees"]}
    assert "R&D" in departments


def test_help_speaks_in_options(cli: InProcessCommand) -> None:
    tools = anyio.run(tool_definitions)
    helps = [cli(CLI_COMMANDS[tool.name], "--help") for tool in tools]
    for done, tool in zip(helps, tools, strict=True):
        assert done.code == 0
        camel = [name for name in tool.input_schema["properties"] if name != name.lower() and name != "confUUID"]
        for name in camel:
            assert re.search(rf"(?<![\w-]){name}\b", done.out) is None, (tool.name, name)
        assert "never follow" not in done.out
        assert not any(name in done.out for name in TOOL_NAMES_SEEN if name != tool.name), tool.name
        assert "examples:" in done.out or "example:" in done.out
    listing = next(done for done, tool in zip(helps, tools, strict=True) if tool.name == TOOL_NAMES.list)
    assert "--start-date START_DATE" in listing.out
    assert "Default: 30 days before --end-date." in " ".join(listing.out.split())


def test_invalid_arguments_exit_2_in_command_line_terms(cli: InProcessCommand) -> None:
    limit = cli("--demo", "list", "--limit", "0")
    date = cli("--demo", "list", "--start-date", "yesterday")
    inverted = cli("--demo", "list", "--start-date", "2026-12-02", "--end-date", "2026-12-01")
    assert limit.code == date.code == inverted.code == 2
    assert "huawei-meeting-mcp list: error: argument --limit: must be a whole number from 1 to 500 (got 0)" in (
        limit.err
    )
    assert date.err.startswith('huawei-meeting-mcp list: error: --start-date "yesterday" is not a date.')
    assert "--start-date 2026-12-02T00:00:00.000Z is after --end-date" in inverted.err
    for done in (limit, date, inverted):
        assert done.out == ""
        assert "input schema" not in done.err
        assert "call again" not in done.err


def test_json_errors_are_one_json_object(cli: InProcessCommand) -> None:
    usage = cli("--demo", "list", "--limit", "many", "--json")
    arguments = cli("--demo", "list", "--start-date", "yesterday", "--json")
    setting = cli("list", "--json", HUAWEI_MEETING_TIMEOUT="abc")
    failed = cli("--demo", "detail", "sandbox-error-forbidden", "--json")
    said = {
        kind: json.loads(done.out)
        for kind, done in zip(("usage", "a", "s", "f"), (usage, arguments, setting, failed), strict=True)
    }
    assert said["usage"]["error"]["kind"] == "usage"
    assert "argument --limit: 'many' is not a whole number" in said["usage"]["error"]["message"]
    assert said["a"]["error"] == {
        "kind": "invalid-arguments",
        "message": said["a"]["error"]["message"],
    }
    assert said["a"]["error"]["message"].startswith('--start-date "yesterday" is not a date')
    assert said["s"]["error"]["kind"] == "settings"
    assert "HUAWEI_MEETING_TIMEOUT" in said["s"]["error"]["message"]
    assert said["f"]["error"]["kind"] == "failed"
    assert "may not view this meeting" in said["f"]["error"]["message"]
    codes = [usage.code, arguments.code, setting.code, failed.code]
    assert codes == [2, 2, 2, 1]
    assert [said[kind]["exitCode"] for kind in ("usage", "a", "s", "f")] == codes


def test_a_misspelt_command_lists_every_command(cli: InProcessCommand) -> None:
    bogus, typo = cli("--demo", "bogus"), cli("lst")
    assert bogus.code == typo.code == 2
    for command in ("serve", "check", "sandbox", *CLI_COMMANDS.values()):
        assert f"'{command}'" in bogus.err, command
    assert "did you mean 'list'?" in typo.err
    assert "Traceback" not in bogus.err + typo.err


def test_the_demo_setting_works_like_the_option(cli: InProcessCommand) -> None:
    done = cli("list", "--limit", "1", HUAWEI_MEETING_DEMO="true")
    assert done.code == 0, done.err
    assert "Meetings 1-1 of " in done.out


@dataclass
class Terminal:
    """A command running in a pseudo-terminal, as when a person types it: output read as it comes."""

    process: subprocess.Popen[bytes]
    fd: int
    output: bytearray = field(default_factory=bytearray)

    def read_until(self, marker: bytes) -> None:
        """Read the terminal until `marker` has been printed (or the command ended)."""
        while marker not in self.output and self._read():
            pass

    def press_ctrl_c(self) -> None:
        """Type Ctrl-C: the terminal sends SIGINT to the command."""
        os.write(self.fd, b"\x03")

    def finish(self) -> tuple[int, str]:
        """Read to the end; the exit code and everything printed."""
        while self._read():
            pass
        code = self.process.wait()
        os.close(self.fd)
        return code, self.output.decode(errors="replace")

    def _read(self) -> bool:
        ready, _, _ = select.select([self.fd], [], [], 120)
        assert ready, "the command printed nothing for two minutes"
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # the command ended: the terminal is gone
            return False
        self.output += chunk
        return bool(chunk)


BECOME_THE_COMMAND = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); os.execv(sys.argv[1], sys.argv[1:])"
)
"""Run in the new session: take stdin's terminal as the controlling terminal, then exec the command."""


@contextmanager
def in_a_terminal(*args: str, env: dict[str, str]) -> Iterator[Terminal]:
    """Start the installed command in a new pseudo-terminal (its controlling terminal, like a shell's)."""
    pty = pytest.importorskip("pty")
    fd, terminal_side = pty.openpty()
    # Not pty.fork(): forking this multi-threaded process is unsafe. A small Python starts a session, takes the
    # terminal as its controlling one (so that Ctrl-C reaches the command as SIGINT) and becomes the command.
    process = subprocess.Popen(  # noqa: S603 - our own interpreter, exec'ing the command a person would type
        [sys.executable, "-c", BECOME_THE_COMMAND, console_script(), *args],
        stdin=terminal_side,
        stdout=terminal_side,
        stderr=terminal_side,
        env={**base_env(), **env},
        start_new_session=True,
    )
    os.close(terminal_side)
    terminal = Terminal(process, fd)
    try:
        yield terminal
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@contextmanager
def unanswering_upstream() -> Iterator[tuple[str, socket.socket]]:
    """A loopback "API" that accepts connections and never answers: a command talking to it is mid-work."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(120)
        yield f"http://127.0.0.1:{server.getsockname()[1]}", server


def _one_line_after_ctrl_c(output: str) -> list[str]:
    return [line for line in output.replace("^C", "").splitlines() if line.strip()]


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["detail", LARGE_UUID], ["check"]])
def test_ctrl_c_while_waiting_for_the_api_prints_one_line_and_exits_130(command: list[str]) -> None:
    with unanswering_upstream() as (url, server):
        env = {"HUAWEI_MEETING_BASE_URL": url, "HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN}
        with in_a_terminal(*command, env=env) as terminal:
            connection, _ = server.accept()  # the command is past start-up, waiting for an answer
            with connection:
                terminal.press_ctrl_c()
                code, output = terminal.finish()
    assert code == 130
    assert "Traceback" not in output
    lines = _one_line_after_ctrl_c(output)
    if "--json" in command:
        assert json.loads(lines[0]) == {
            "error": {"kind": "interrupted", "message": "interrupted (Ctrl-C)"},
            "exitCode": 130,
        }
        lines = lines[1:]
    assert lines == [INTERRUPTED]


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
@pytest.mark.parametrize(
    ("command", "ready"),
    [
        (["serve", "--transport", "http", "--port", "0"], b"Serving MCP at"),
        (["sandbox", "--port", "0"], b"Uvicorn running on"),
    ],
)
def test_ctrl_c_stops_a_server_gracefully_with_one_line_and_130(command: list[str], ready: bytes) -> None:
    env = {"HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN, "HUAWEI_MEETING_HTTP_TOKEN": "t" * 32}
    with in_a_terminal(*command, env=env) as terminal:
        terminal.read_until(ready)
        started = len(terminal.output)
        terminal.press_ctrl_c()
        code, output = terminal.finish()
    assert code == 130
    assert "Traceback" not in output
    after = output[started:]
    assert after.rstrip().endswith(INTERRUPTED)
    assert after.count(INTERRUPTED) == 1


def test_the_installed_command_and_python_m_agree() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "huawei_meeting_mcp", "--demo", "lst"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "did you mean 'list'?" in done.stderr
