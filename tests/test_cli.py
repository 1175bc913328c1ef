"""The command line for people: `check`, the tool subcommands, `--help`, `--version`, `--demo`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from typing import Any

import anyio
import pytest
from mcp.types import CallToolResult, Tool

from huawei_meeting_mcp import __version__
from huawei_meeting_mcp.app import tool_definitions
from huawei_meeting_mcp.check import PROBE_CONF_UUID
from huawei_meeting_mcp.cli import build_parser
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from tests.support import LiveSandbox, base_env, console_script, leaked, run_server, text_of
from tests.support.commands import InProcessCommand, run_commands

pytestmark = pytest.mark.anyio

TOOL = "get_historical_meeting_detail"
WRONG_TOKEN = "stbWRONG-token-for-check-000000000"


def closed_loopback_port() -> int:
    """A loopback port nothing listens on (bound once to learn a free number, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_check_diagnoses_each_way_it_can_go(live_sandbox: LiveSandbox, cli: InProcessCommand) -> None:
    url = live_sandbox.url
    working = cli("check", **live_sandbox.env())
    no_credentials = cli("check", HUAWEI_MEETING_BASE_URL=url)
    wrong_token = cli("check", **live_sandbox.env(HUAWEI_MEETING_ACCESS_TOKEN=WRONG_TOKEN))
    unreachable = cli("check", **live_sandbox.env(HUAWEI_MEETING_BASE_URL=f"http://127.0.0.1:{closed_loopback_port()}"))

    assert working.code == 0, working.out + working.err
    assert re.search(rf"^  HUAWEI_MEETING_BASE_URL +{re.escape(url)}  \[set\]$", working.out, re.MULTILINE)
    assert re.search(r"^  HUAWEI_MEETING_ACCESS_TOKEN +\*+ \(secret, set\)  \[set\]$", working.out, re.MULTILINE)
    assert re.search(r"^  HUAWEI_MEETING_TIMEOUT +10\.0  \[default\]$", working.out, re.MULTILINE)
    assert "not found" in working.out
    assert working.out.rstrip().endswith("with these settings.")
    assert working.out.rstrip().splitlines()[-1].startswith("OK:")

    assert no_credentials.code == 1
    assert "FAILED: No Huawei Cloud Meeting credentials are configured" in no_credentials.out
    assert "set HUAWEI_MEETING_APP_ID and HUAWEI_MEETING_APP_KEY (recommended)" in no_credentials.out

    assert wrong_token.code == 1
    assert "FAILED: Huawei rejected the access token. (HTTP 401, USG.000000004" in wrong_token.out
    assert "set a fresh one, or better switch to App ID sign-in" in wrong_token.out

    assert unreachable.code == 1
    assert "could not be reached. Could not connect to the Huawei Cloud Meeting API" in unreachable.out
    assert "the connection was refused" in unreachable.out
    assert "The request did not reach Huawei" in unreachable.out
    assert "X-Request-ID" not in unreachable.out
    assert "check the host and port in HUAWEI_MEETING_BASE_URL" in unreachable.out

    probes = live_sandbox.requests_to(CONF_DETAIL_PATH)
    assert [(r.path, r.query) for r in probes] == [
        (CONF_DETAIL_PATH, {"confUUID": PROBE_CONF_UUID, "offset": "0", "limit": "1"})
    ] * 2, "one probe each from the working and the wrong-token check, nothing retried"
    everything = "".join(r.out + r.err for r in (working, no_credentials, wrong_token, unreachable))
    assert leaked(everything, [DEFAULT_TOKEN, WRONG_TOKEN]) == []


TOOL_RUNS: list[tuple[list[str], dict[str, Any]]] = [
    ([DOCS_EXAMPLE_UUID], {"confUUID": DOCS_EXAMPLE_UUID}),
    (
        [LARGE_UUID, "--offset", "3", "--limit", "4", "--search-key", "Munich", "--participant-type", "people"],
        {"confUUID": LARGE_UUID, "offset": 3, "limit": 4, "searchKey": "Munich", "participantType": "people"},
    ),
]


def test_tool_commands_print_what_the_assistant_gets(live_sandbox: LiveSandbox, cli: InProcessCommand) -> None:
    env = live_sandbox.env()
    plain, filtered = (cli("detail", *args, **env) for args, _ in TOOL_RUNS)
    as_json = cli("detail", DOCS_EXAMPLE_UUID, "--json", **env)
    failed = cli("detail", "sandbox-error-forbidden", **env)

    async def over_stdio() -> tuple[list[CallToolResult], CallToolResult]:
        async with run_server(env) as run:
            return [await run.call(TOOL, arguments) for _, arguments in TOOL_RUNS], await run.call(
                TOOL, {"confUUID": "sandbox-error-forbidden"}
            )

    expected, forbidden = anyio.run(over_stdio)

    for command, result in zip((plain, filtered), expected, strict=True):
        assert command.code == 0, command.err
        said, meant = command.out.splitlines(), text_of(result).splitlines()
        assert len(said) == len(meant)
        for person, model in zip(said, meant, strict=True):
            if "remain:" in model or "\\u" in model or "_historical_meeting" in model:
                continue
            assert person == model, "only next calls and escaped values differ"
        assert "get_historical_meeting" not in command.out
        assert "\\u00" not in command.out
    assert json.loads(as_json.out) == expected[0].structured_content

    assert failed.code == 1
    assert failed.out == ""
    without_id = "[X-Request-ID:"
    assert failed.err.split(without_id)[0] == text_of(forbidden).split(without_id)[0]
    assert "may not view this meeting" in failed.err


def test_help_and_version(cli: InProcessCommand) -> None:
    top, detail, check, version = cli("--help"), cli("detail", "--help"), cli("check", "--help"), cli("--version")
    assert top.code == detail.code == check.code == version.code == 0
    for command in ("serve", "check", "detail", "sandbox"):
        assert f"    {command} " in top.out
    assert "--demo" in top.out
    assert "CONF_UUID" in detail.out
    assert "--participant-type {all,people,rooms}" in detail.out
    assert "--search-key SEARCH_KEY" in detail.out
    assert "--json" in detail.out
    assert "--demo" in check.out
    assert version.out.strip() == f"huawei-meeting-mcp {__version__}"


def test_demo_is_accepted_everywhere(cli: InProcessCommand) -> None:
    before = cli("--demo", "detail", LARGE_UUID, "--search-key", "王", "--json")
    after = cli("detail", DOCS_EXAMPLE_UUID, "--demo")
    check = cli("check", "--demo")
    assert before.code == after.code == check.code == 0
    names = [p["name"] for p in json.loads(before.out)["participants"]]
    assert names
    assert all("王" in name for name in names)
    assert 'Meeting "user8001\'s test meeting"' in after.out
    assert "OK: huawei-meeting-mcp can answer from the built-in sandbox (--demo) with these settings." in check.out
    assert "http://127.0.0.1" not in check.out, "the in-process sandbox has no address to show"
    assert re.search(r"^  HUAWEI_MEETING_BASE_URL +\(not used\)  \[demo\]$", check.out, re.MULTILINE)
    assert leaked(before.out + after.out + check.out + check.err, [DEFAULT_TOKEN]) == []


def test_argument_errors(cli: InProcessCommand) -> None:
    invalid = cli("--demo", "detail", DOCS_EXAMPLE_UUID, "--limit", "0")
    unparsable = cli("--demo", "detail", DOCS_EXAMPLE_UUID, "--limit", "many")
    missing = cli("--demo", "detail")
    assert invalid.code == unparsable.code == missing.code == 2
    assert invalid.out == ""
    assert "argument --limit: must be a whole number from 1 to 500 (got 0)" in invalid.err
    assert "argument --limit: 'many' is not a whole number" in unparsable.err
    assert "the following arguments are required: CONF_UUID" in missing.err


def test_check_reports_a_bad_setting_as_a_diagnosis(cli: InProcessCommand) -> None:
    bad = cli("check", HUAWEI_MEETING_TIMEOUT="-1")
    assert bad.code == 2
    assert bad.out.startswith("FAILED: Invalid configuration: HUAWEI_MEETING_TIMEOUT")
    assert "default 10; for example HUAWEI_MEETING_TIMEOUT=30" in bad.out


def test_an_invalid_setting_exits_2_from_every_command(cli: InProcessCommand) -> None:
    for argv in (["check"], ["serve"], [], ["detail", "x"], ["--demo"]):
        done = cli(*argv, HUAWEI_MEETING_TIMEOUT="abc")
        assert done.code == 2, argv
        said = done.out + done.err
        assert "HUAWEI_MEETING_TIMEOUT" in said
        assert "Traceback" not in said


def _parse(tools: list[Tool], *argv: str) -> tuple[str, dict[str, Any]]:
    parser, commands = build_parser(tools)
    args = parser.parse_args(argv)
    command = commands[args.command]
    return command.tool, command.tool_arguments(args)


def test_every_tool_gets_a_command_that_maps_options_to_its_arguments() -> None:
    tools = anyio.run(tool_definitions)
    assert _parse(tools, "detail", "abc") == (TOOL, {"confUUID": "abc"})
    assert _parse(tools, "detail", "abc", "--limit", "5", "--participant-type", "rooms") == (
        TOOL,
        {"confUUID": "abc", "limit": 5, "participantType": "rooms"},
    )


def test_commands_follow_any_input_schema() -> None:
    listing = Tool(
        name="list_things",
        description="List things.",
        input_schema={
            "type": "object",
            "properties": {
                "startDate": {"type": "string", "description": "From."},
                "pageSize": {"type": "integer", "default": 20},
                "score": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None},
                "queryAll": {"type": "boolean", "default": False},
                "kinds": {"type": "array", "items": {"type": "string"}},
                "sortType": {"type": "string", "enum": ["ASC", "DSC"]},
            },
            "required": ["startDate"],
        },
    )
    name, arguments = _parse(
        [listing], "list_things", "2025-01-01", "--page-size", "5", "--score", "0.5", "--query-all", "--kinds", "a", "b"
    )
    assert name == "list_things"
    assert arguments == {"startDate": "2025-01-01", "pageSize": 5, "score": 0.5, "queryAll": True, "kinds": ["a", "b"]}
    assert _parse([listing], "list_things", "2025-01-01", "--no-query-all", "--sort-type", "DSC")[1] == {
        "startDate": "2025-01-01",
        "queryAll": False,
        "sortType": "DSC",
    }


def _in_a_terminal(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start `huawei-meeting-mcp ARGS` with a pseudo-terminal as stdin, as when a person types the command."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    base = base_env()
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [console_script(), *args], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base
    )
    os.close(slave)
    return process, master


def _first_line(stream: Any) -> bytes:
    line: bytes = stream.readline()
    return line


@pytest.mark.parametrize(("key", "code"), [("ctrl-d", 0), ("ctrl-c", 130)])
def test_stdio_server_in_a_terminal_hints_and_quits_cleanly(key: str, code: int) -> None:
    import signal

    process, master = _in_a_terminal("--demo")
    try:
        hint = _first_line(process.stderr)  # written before serving starts, so the keys below reach a server
        assert hint.decode() == "huawei-meeting-mcp: serving MCP on stdio" + hint.decode().split("stdio", 1)[1]
        assert "--help" in hint.decode()
        assert "Ctrl-C or Ctrl-D quits" in hint.decode()
        if key == "ctrl-d":
            os.write(master, b"\x04")
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, err.decode()
    assert out == b""
    assert b"Traceback" not in err


def test_stdio_server_without_a_terminal_prints_no_hint() -> None:
    done = run_commands((["--demo"], {}))[0]
    assert done.returncode == 0
    assert done.stdout == ""
    assert "serving MCP on stdio" not in done.stderr


def test_check_in_oauth_mode_reads_the_issuer_and_signs_in_with_the_app_id_as_the_enterprise(
    live_sandbox: LiveSandbox, cli: InProcessCommand
) -> None:
    from tests.test_e2e_oauth import local_issuer

    oauth = {"HUAWEI_MEETING_HTTP_AUTH": "oauth", "HUAWEI_MEETING_HTTP_PUBLIC_URL": "https://mcp.example.com/mcp"}
    with local_issuer() as issuer:
        working = cli("check", **live_sandbox.app_id_env(**oauth, HUAWEI_MEETING_OAUTH_ISSUER=issuer))
    nowhere = f"http://127.0.0.1:{closed_loopback_port()}"
    unreachable = cli("check", **live_sandbox.app_id_env(**oauth, HUAWEI_MEETING_OAUTH_ISSUER=nowhere))
    incomplete = cli(
        "check", **live_sandbox.app_id_env(HUAWEI_MEETING_HTTP_AUTH="oauth", HUAWEI_MEETING_OAUTH_ISSUER=issuer)
    )

    assert working.code == 0, working.out + working.err
    assert f"Issuer: ok ({issuer} publishes 1 usable signing keys)" in working.out
    assert "Access token: ok (signed in with the App ID as the enterprise; each person signs in as themselves)" in (
        working.out
    )
    assert working.out.rstrip().splitlines()[-1].startswith("OK:")
    assert live_sandbox.sandbox.auth.app_sign_ins == {"": 1}, "one sign-in, as no person"

    assert unreachable.code == 1
    assert "Issuer: FAILED" in unreachable.out
    assert f"could not be read (ConnectError from {nowhere}). Check HUAWEI_MEETING_OAUTH_ISSUER." in unreachable.out

    assert incomplete.code == 2
    assert incomplete.out.startswith("FAILED: HUAWEI_MEETING_HTTP_AUTH=oauth needs HUAWEI_MEETING_HTTP_PUBLIC_URL")
    for done in (working, unreachable, incomplete):
        assert "Traceback" not in done.out + done.err
