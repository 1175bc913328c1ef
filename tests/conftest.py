from __future__ import annotations

from collections.abc import Iterator

import pytest

from huawei_meeting_mcp.sandbox import Sandbox, serving
from tests.helpers import SCAN, LiveSandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_sandbox() -> Iterator[LiveSandbox]:
    """A fresh sandbox API on a loopback port, for one test."""
    sandbox = Sandbox()
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)
    # After the test, so that tokens the sandbox issued during it are included.
    SCAN.secrets.update(sandbox.secret_strings())
    SCAN.contacts.update(sandbox.contact_strings())


@pytest.fixture(scope="session", autouse=True)
def leak_scan() -> Iterator[None]:
    """After the whole session: no secret in anything any server said (see helpers.LeakScan)."""
    yield
    findings = SCAN.findings()
    assert not findings, "Secrets leaked:\n" + "\n".join(findings)
