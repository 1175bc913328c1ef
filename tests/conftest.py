from __future__ import annotations

from collections.abc import Iterator

import pytest

from huawei_meeting_mcp.sandbox import Sandbox, serving
from tests.helpers import LiveSandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def live_sandbox() -> Iterator[LiveSandbox]:
    """A fresh sandbox API on a loopback port, for one test."""
    sandbox = Sandbox()
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)
