from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from huawei_meeting_mcp.sandbox import Sandbox, serving
from huawei_meeting_mcp.settings import ENV_PREFIX
from tests.support import SCAN, LiveSandbox
from tests.support.commands import InProcessCommand, in_process_command
from tests.support.launch import compile_package


def pytest_configure(config: pytest.Config) -> None:
    """Before any test: the package's bytecode, as an installed package has it (see `compile_package`)."""
    compile_package()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without any HUAWEI_MEETING_* variable from the outside; set more on what it returns."""
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(autouse=True)
def leak_check() -> Iterator[None]:
    """After each test, nothing its servers said holds a secret (nor a contact, with contacts off).

    Autouse, so set up before and torn down after the test's other fixtures: a sandbox's issued
    tokens are known by the time the check runs.
    """
    start = len(SCAN.outputs)
    yield
    findings = SCAN.findings(start)
    if findings:
        pytest.fail("Secrets leaked:\n" + "\n".join(findings), pytrace=False)


@pytest.fixture
def live_sandbox() -> Iterator[LiveSandbox]:
    """A fresh sandbox API on a loopback port, for one test."""
    sandbox = Sandbox()
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)
    # After the test, so that tokens the sandbox issued during it are included.
    SCAN.secrets.update(sandbox.secret_strings())
    SCAN.contacts.update(sandbox.contact_strings())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessCommand]:
    """`cli("list", "--demo", HUAWEI_MEETING_X="...")`: the command run as `main(argv)` in this process."""
    with in_process_command(capsys, monkeypatch) as run:
        yield run
