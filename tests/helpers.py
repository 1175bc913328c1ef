"""Moved to tests/support/: this module re-exports it for scripts/bench.py and branches written before the move."""

from tests.support import (
    FIXTURES,
    SCAN,
    HttpRun,
    LeakScan,
    LiveSandbox,
    ServerRun,
    console_script,
    docs_body,
    fixture_json,
    http_server,
    leaked,
    run_server,
    text_of,
    view_options,
)

__all__ = [
    "FIXTURES",
    "SCAN",
    "HttpRun",
    "LeakScan",
    "LiveSandbox",
    "ServerRun",
    "console_script",
    "docs_body",
    "fixture_json",
    "http_server",
    "leaked",
    "run_server",
    "text_of",
    "view_options",
]
