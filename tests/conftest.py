from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from huawei_meeting_mcp.sandbox import Sandbox, serving
from huawei_meeting_mcp.settings import ENV_PREFIX
from tests.helpers import SCAN, LiveSandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without any HUAWEI_MEETING_* variable from the outside; set more on what it returns."""
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture
def live_sandbox() -> Iterator[LiveSandbox]:
    """A fresh sandbox API on a loopback port, for one test."""
    sandbox = Sandbox()
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)
    # After the test, so that tokens the sandbox issued during it are included.
    SCAN.secrets.update(sandbox.secret_strings())
    SCAN.contacts.update(sandbox.contact_strings())


LEAK_SCAN_TEST = "test_nothing_any_server_said_leaked"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the leak scan last, so that it reads what every other test's servers said."""
    items.sort(key=lambda item: item.name == LEAK_SCAN_TEST)
