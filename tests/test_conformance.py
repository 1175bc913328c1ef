"""Third-party clients: the official MCP conformance suite and the TypeScript SDK client, against the real server.

Both need Node.js. They run whenever `npx` (and so npm) is on PATH, installing pinned versions once
per machine into pytest's cache (`.pytest_cache/d/node-clients`); without npx they are skipped with a
message saying so. Under `CI=true` they are required: a missing npx or a failed install fails the run.
The suite (0.1.16) has no stdio mode (`server --url` only), so it runs over HTTP; the TypeScript
client runs over both HTTP and stdio.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from huawei_meeting_mcp.app import TOOLS
from huawei_meeting_mcp.attendance_fold import aggregate
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID, Sandbox
from huawei_meeting_mcp.wire import AttendanceRecord
from tests.support import LiveSandbox, base_env, console_script, http_server
from tests.support.node import installed

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NODE_PACKAGES = ("node@22.23.3", "@modelcontextprotocol/conformance@0.1.16", "@modelcontextprotocol/sdk@1.32.2")
"""Pinned: Node 22 (the suite needs >= 22; this needs no system change), the suite, and the TypeScript SDK."""
TS_CLIENT = Path(__file__).parent / "js" / "ts_client.mjs"
RUN_TIMEOUT = 300

PASSING = frozenset(
    {"server-initialize", "ping", "tools-list", "prompts-list", "completion-complete", "dns-rebinding-protection"}
)
"""Scenarios for what the server offers (the handshake, ping, tools/list, prompts/list, completions, Host checks):
every one must pass. The completion scenario asks about the suite's own prompt: the answer is no suggestions."""

NOT_APPLICABLE: dict[str, str] = {
    # The suite calls its own fixture tools by fixed names; this server has only its three meeting tools.
    # It answers each with the spec's -32602 "Unknown tool" (asserted below, and in test_http_protocol.py).
    "tools-call-simple-text": "calls the suite's fixture tool test_simple_text",
    "tools-call-image": "calls test_image_content; the server returns no images",
    "tools-call-audio": "calls test_audio_content; the server returns no audio",
    "tools-call-embedded-resource": "calls test_embedded_resource; the server offers no resources",
    "tools-call-mixed-content": "calls test_multiple_content_types",
    "tools-call-with-logging": "calls test_tool_with_logging; the server declares no logging capability",
    "tools-call-error": "calls test_error_handling (the server's own tool errors are tested in test_e2e_*)",
    "tools-call-with-progress": "calls test_tool_with_progress (progress from the attendance tool is tested here)",
    "tools-call-sampling": "calls test_sampling; the server never asks the client to sample",
    "tools-call-elicitation": "calls test_elicitation; the server never elicits",
    "elicitation-sep1034-defaults": "elicitation: not used by this server",
    "elicitation-sep1330-enums": "elicitation: not used by this server",
    "json-schema-2020-12": "looks for the suite's fixture tool json_schema_2020_12_tool (pending scenario)",
    "logging-set-level": "no logging capability declared (logs go to stderr; the 2026 spec deprecates it)",
    "resources-list": "no resources capability declared",
    "resources-read-text": "no resources capability declared",
    "resources-read-binary": "no resources capability declared",
    "resources-templates-read": "no resources capability declared",
    "resources-subscribe": "no resources capability declared",
    "resources-unsubscribe": "no resources capability declared",
    # The suite gets its own fixture prompts by fixed names; this server has weekly_digest and meeting_report.
    # It answers each with -32602 "Unknown prompt" (tests/test_prompts.py).
    "prompts-get-simple": "gets the suite's fixture prompt test_simple_prompt",
    "prompts-get-with-args": "gets test_prompt_with_arguments (this server's prompts are tested in test_prompts.py)",
    "prompts-get-embedded-resource": "gets test_prompt_with_embedded_resource; the server offers no resources",
    "prompts-get-with-image": "gets test_prompt_with_image; the server's prompts are text",
    "server-sse-polling": "needs sessions and a GET event stream; the server is stateless (GET answers 405)",
    "server-sse-multiple-streams": "needs sessions and a GET event stream; the server is stateless",
}
"""Scenarios for features the server does not offer, by name, with the reason."""


@dataclass(frozen=True)
class NodeClients:
    """Where the pinned Node 22 and its packages are installed."""

    prefix: Path

    @property
    def node(self) -> str:
        """The Node 22 executable."""
        return str(self.prefix / "node_modules" / ".bin" / "node")

    @property
    def node_path(self) -> str:
        """The node_modules folder that holds the TypeScript SDK."""
        return str(self.prefix / "node_modules")

    @property
    def conformance(self) -> str:
        """The conformance suite's command-line entry point."""
        return str(self.prefix / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js")


NODE_CHECKS = "the Node-based checks (conformance suite, TypeScript SDK client)"


@pytest.fixture(scope="session")
def node_clients(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NodeClients:
    """Install the pinned Node 22, conformance suite and TypeScript SDK once, into pytest's cache."""
    prefix = installed(request, tmp_path_factory, "node-clients", NODE_PACKAGES, NODE_CHECKS, needs_npx=True)
    clients = NodeClients(prefix)
    version = subprocess.run([clients.node, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    assert version.stdout.startswith("v22."), version.stdout
    return clients


def _scenario_outcomes(results: Path) -> dict[str, str]:
    """Each scenario's outcome from the suite's result folders: passed, failed, or empty (no checks counted)."""
    outcomes: dict[str, str] = {}
    for folder in results.iterdir():
        found = re.fullmatch(r"server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z", folder.name)
        assert found, folder.name
        statuses = {check["status"] for check in json.loads((folder / "checks.json").read_text())}
        outcomes[found[1]] = "failed" if "FAILURE" in statuses else "passed" if "SUCCESS" in statuses else "empty"
    return outcomes


def test_the_conformance_suite_passes_every_scenario_for_what_the_server_offers(
    node_clients: NodeClients, live_sandbox: LiveSandbox, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    with http_server(live_sandbox.env()) as run:
        done = subprocess.run(  # noqa: S603 - the pinned suite
            [node_clients.node, node_clients.conformance, "server", "--url", run.url, "--suite", "all", "-o", results],
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    log = run.stderr()  # after the server stopped, so every line is in
    outcomes = _scenario_outcomes(results)
    summary = done.stdout[done.stdout.find("=== SUMMARY") :]
    assert set(outcomes) == PASSING | set(NOT_APPLICABLE), f"the suite's scenarios changed:\n{summary}"
    assert {name: outcomes[name] for name in PASSING} == dict.fromkeys(PASSING, "passed"), summary
    now_passing = sorted(name for name in NOT_APPLICABLE if outcomes[name] == "passed")
    assert now_passing == [], f"these pass now: move them from NOT_APPLICABLE to PASSING\n{summary}"
    fixture_tool = json.loads(next(results.glob("server-tools-call-error-*/checks.json")).read_text())
    assert "-32602" in fixture_tool[0]["errorMessage"], "an unknown tool gets the spec's JSON-RPC error"
    assert "Traceback" not in log


def _ts_client(clients: NodeClients, *args: str, env: dict[str, str]) -> dict[str, object]:
    base = base_env()
    done = subprocess.run(  # noqa: S603 - pinned node running our own script
        [clients.node, str(TS_CLIENT), *args],
        env={
            **base,
            **env,
            "NODE_PATH": clients.node_path,
            "LARGE_UUID": LARGE_UUID,
            "DOCS_EXAMPLE_UUID": DOCS_EXAMPLE_UUID,
        },
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary: dict[str, object] = json.loads(done.stdout)
    return summary


def _assert_ts_summary(summary: dict[str, object]) -> None:
    records = Sandbox().meetings[LARGE_UUID].attendance
    people = aggregate([AttendanceRecord.model_validate(record) for record in records])
    total = len(records)
    assert summary["serverName"] == "huawei-meeting-mcp"
    assert summary["capabilities"] == ["completions", "prompts", "tools"]
    assert summary["tools"] == sorted(spec.name for spec in TOOLS)
    assert summary["attendance"] == {"isError": False, "uniqueAttendees": len(people)}
    sent = [
        [0, None, "Reading attendance records"],
        [500, total, f"Read 500 of {total} attendance records"],
        [total, total, f"Read {total} of {total} attendance records"],
    ]
    assert summary["wire"] == {"progress": sent, "progressBeforeResponse": len(sent)}, "all of it, before the result"
    # The SDK drops a notification it reads together with the response (typescript-sdk #2580), and
    # reports each through onerror; what reached onprogress is the start of what was sent, in order.
    delivered = summary["progress"]
    assert isinstance(delivered, list)
    assert delivered == sent[: len(delivered)], delivered
    errors = summary["errors"]
    assert isinstance(errors, list)
    assert len(errors) == len(sent) - len(delivered), errors
    assert all(str(error).startswith("Received a progress notification for an unknown token") for error in errors)
    detail = summary["detail"]
    assert isinstance(detail, dict)
    assert detail["isError"] is False
    assert 'Meeting "user8001\'s test meeting"' in detail["text"]
    assert (summary["unknownPrompt"], summary["unknownTool"]) == (-32602, -32602)


def test_the_typescript_sdk_client_over_http_with_a_token(node_clients: NodeClients, live_sandbox: LiveSandbox) -> None:
    token = "ts-client-bearer-Vb7nQ2xZ"
    with http_server(live_sandbox.env(HUAWEI_MEETING_HTTP_TOKEN=token)) as run:
        summary = _ts_client(node_clients, "http", run.url, token, env={})
    log = run.stderr()
    _assert_ts_summary(summary)
    assert "Traceback" not in log
    lines = log.splitlines()
    started = next(i for i, line in enumerate(lines) if "Application startup complete." in line)
    stopping = next(i for i, line in enumerate(lines) if "Shutting down" in line)
    assert [line for line in lines[started + 1 : stopping] if " INFO " in line] == [], "no INFO line for traffic"


def test_the_typescript_sdk_client_over_stdio(node_clients: NodeClients, live_sandbox: LiveSandbox) -> None:
    summary = _ts_client(node_clients, "stdio", console_script(), "serve", env=live_sandbox.env())
    _assert_ts_summary(summary)
