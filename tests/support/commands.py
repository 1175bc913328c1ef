"""The command line for people, run two ways: the installed command in its own process, or `main(argv)` here.

Most command tests run `main` in this process (the `cli` fixture in conftest.py): the same parser, settings,
server and printing, without a second of start-up per command. The installed command is kept for what only a
process shows: the console script itself, a terminal, signals, stdin and exit codes as a shell sees them. Both
record what they printed in the leak scan.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from huawei_meeting_mcp.cli import main
from huawei_meeting_mcp.settings import ENV_PREFIX
from tests.support.launch import base_env, console_script
from tests.support.leaks import SCAN

CONTACTS_SETTING = f"{ENV_PREFIX}INCLUDE_CONTACTS"


def _contacts_allowed(env: dict[str, str]) -> bool:
    return env.get(CONTACTS_SETTING, "").strip().lower() == "true"


def run_commands(*runs: tuple[list[str], dict[str, str]]) -> list[subprocess.CompletedProcess[str]]:
    """Run several installed `huawei-meeting-mcp ARGS` side by side (each with exactly its env); wait for all."""
    processes = [
        subprocess.Popen(  # noqa: S603 - our own console script
            [console_script(), *args],
            env={**base_env(), **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for args, env in runs
    ]
    done = []
    for process, (_, env) in zip(processes, runs, strict=True):
        out, err = process.communicate(timeout=120)
        SCAN.record(out + err, _contacts_allowed(env))
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


@dataclass
class Outcome:
    """What one in-process run of the command printed, and its exit code."""

    code: int
    out: str
    err: str


class InProcessCommand:
    """`huawei-meeting-mcp ARGS` as `main(ARGS)` in this process, with only the given HUAWEI_MEETING_* variables."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, **env: str) -> Outcome:
        """Run the command once; what it printed and its exit code (the SystemExit every command ends with)."""
        for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
            self.monkeypatch.delenv(name)
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.capsys.readouterr()
        with pytest.raises(SystemExit) as exited:
            main(list(argv))
        out, err = self.capsys.readouterr()
        SCAN.record(out + err, _contacts_allowed(env))
        code = exited.value.code
        return Outcome(code=code if isinstance(code, int) else 0 if code is None else 1, out=out, err=err)


@contextmanager
def in_process_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[InProcessCommand]:
    """The runner, putting the root logger's handlers and level back afterwards (the commands configure logging)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield InProcessCommand(capsys, monkeypatch)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
