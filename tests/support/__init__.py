"""What the tests share: launchers for the installed server, the in-process server, the leak scan, fakes, data.

- `launch`: `run_server` (stdio, with an MCP client) and `http_server` (HTTP on a free port), both
  recording what the server said for the leak scan; `console_script`.
- `inprocess`: `in_process`, `create_server(...)` with an in-memory MCP client.
- `leaks`: `SCAN`, `LeakScan`, `leaked`.
- `sandbox`: `LiveSandbox`, what the `live_sandbox` fixture yields.
- `tokens`: `FakeTokens`, for a MeetingClient built by hand.
- `data`: recorded API answers (`fixture_json`, `docs_body`) and `view_options`.
- `results`: `text_of`, and `ProgressLog`, a `progress_callback` that keeps what it is told.
- `redis_server`: `RedisServer`, a real redis-server on a loopback port, and `redis_binary` (imported by name).
"""

from tests.support.data import FIXTURES, docs_body, fixture_json, view_options
from tests.support.inprocess import SwitchableUpstream, SyncClient, in_process, in_process_sync
from tests.support.launch import HttpRun, ServerRun, base_env, console_script, http_server, run_server
from tests.support.leaks import SCAN, LeakScan, leaked
from tests.support.results import ProgressLog, text_of
from tests.support.sandbox import LiveSandbox
from tests.support.tokens import FakeTokens

__all__ = [
    "FIXTURES",
    "SCAN",
    "FakeTokens",
    "HttpRun",
    "LeakScan",
    "LiveSandbox",
    "ProgressLog",
    "ServerRun",
    "SwitchableUpstream",
    "SyncClient",
    "base_env",
    "console_script",
    "docs_body",
    "fixture_json",
    "http_server",
    "in_process",
    "in_process_sync",
    "leaked",
    "run_server",
    "text_of",
    "view_options",
]
