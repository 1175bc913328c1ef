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


LEAK_SCAN_TEST = "test_nothing_any_server_said_leaked"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the leak scan last, so that it reads what every other test's servers said."""
    items.sort(key=lambda item: item.name == LEAK_SCAN_TEST)
