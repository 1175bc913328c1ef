"""End to end: the installed console script over stdio, talking over loopback TCP to the sandbox."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from huawei_meeting_mcp.app import TOOLS
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, ERROR_CASES, LARGE_UUID, RECURRING_UUID
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from huawei_meeting_mcp.view import TEXT_BUDGET
from tests.support import LiveSandbox, base_env, console_script, leaked, run_server, text_of
from tests.support.commands import InProcessCommand
from tests.support.raw import INITIALIZE, INITIALIZED

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOOL = "get_historical_meeting_detail"


async def test_tool_schema_and_annotations(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        tools = {t.name: t for t in (await run.client.list_tools()).tools}
    tool = tools[TOOL]
    assert tool.title == "Get historical meeting detail"
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert tool.annotations.idempotent_hint is True
    assert tool.annotations.open_world_hint is True
    assert tool.annotations.destructive_hint is False
    props = tool.input_schema["properties"]
    assert set(props) == {"confUUID", "offset", "limit", "searchKey", "participantType"}
    assert tool.input_schema["required"] == ["confUUID"]
    assert props["limit"]["maximum"] == 500
    assert props["limit"]["minimum"] == 1
    assert props["participantType"]["enum"] == ["all", "people", "rooms"]
    assert tool.output_schema is not None
    assert "participants" in tool.output_schema["properties"]
    assert tool.description
    assert "offset" in tool.description
    assert "list_historical_meetings" in tool.description


async def test_docs_example_happy_path(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        result = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
    assert result.is_error is False
    data = result.structured_content
    assert data is not None
    assert data["conferenceID"] == "914083388"
    assert data["subject"] == "user8001's test meeting"
    assert data["scheduserName"] == "test008"
    assert data["kind"] == "instant"
    assert data["start"] == {"utc": "2019-11-18T23:31Z", "local": "2019-11-19T07:31+08:00"}
    assert data["timeZone"]["label"].startswith("(GMT+08:00) Beijing")
    assert data["participants"] == [
        {
            "name": "user8002",
            "role": "chair",
            "kind": "soft client",
            "deptName": "wangyue",
            "accountId": "user8002@corpnew",
        }
    ]
    text = text_of(result)
    assert 'Meeting "user8001\'s test meeting" · ID 914083388' in text
    assert "Duration: 1 min" in text
    assert not text.lstrip().startswith("{"), "the text block is a rendering, not JSON"
    seen = live_sandbox.requests_to(CONF_DETAIL_PATH)[-1]
    assert seen.path == CONF_DETAIL_PATH
    assert seen.query == {"confUUID": DOCS_EXAMPLE_UUID, "offset": "0", "limit": "20"}
    assert seen.headers["x-type"] == "0"
    assert re.fullmatch(r"[0-9a-f]{32}", seen.headers["x-request-id"])
    assert seen.headers["user-agent"].startswith("huawei-meeting-mcp/")


async def test_paging_follows_the_next_call(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        first = await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 50})
        assert first.structured_content is not None
        page = first.structured_content["page"]
        assert (page["total"], page["offset"], page["returned"], page["nextOffset"]) == (620, 0, 50, 50)
        assert f'get_historical_meeting_detail(confUUID="{LARGE_UUID}", offset=50, limit=50)' in text_of(first)
        second = await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 50, "offset": 50})
        last = await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 50, "offset": 600})
    assert second.structured_content is not None
    assert second.structured_content["participants"][0]["accountId"] == "user050@examplecorp"
    assert last.structured_content is not None
    tail = last.structured_content["page"]
    assert tail["returned"] == 20
    assert "nextOffset" not in tail
    assert "More participants remain" not in text_of(last)


async def test_search_key_and_participant_type(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        rooms = await run.call(TOOL, {"confUUID": LARGE_UUID, "participantType": "rooms", "limit": 500})
        people = await run.call(TOOL, {"confUUID": RECURRING_UUID, "participantType": "people"})
        search = await run.call(TOOL, {"confUUID": LARGE_UUID, "searchKey": "Munich", "limit": 100})
    assert rooms.structured_content is not None
    room_items = rooms.structured_content["participants"]
    assert len(room_items) == 41
    assert {p["kind"] for p in room_items} == {"room terminal", "IdeaHub"}
    assert people.structured_content is not None
    assert all(p["kind"] != "room terminal" for p in people.structured_content["participants"])
    assert search.structured_content is not None
    found = search.structured_content["participants"]
    assert found
    assert all("Munich" in p["name"] for p in found)
    detail_requests = live_sandbox.requests_to(CONF_DETAIL_PATH)
    headers = [r.headers for r in detail_requests]
    assert (headers[0]["x-type"], headers[0]["x-query-type"]) == ("2", "1")
    assert (headers[1]["x-type"], headers[1]["x-query-type"]) == ("2", "0")
    assert detail_requests[2].query["searchKey"] == "Munich"


async def test_large_page_stays_in_budget_and_says_where_to_continue(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        result = await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 500})
        assert result.structured_content is not None
        page = result.structured_content["page"]
        following = await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 500, "offset": page["nextOffset"]})
    text = text_of(result)
    assert len(text) < TEXT_BUDGET
    assert page["trimmedToFit"] is True
    assert 0 < page["returned"] < 500
    assert page["nextOffset"] == page["returned"]
    assert len(re.findall(r"^- ", text, flags=re.MULTILINE)) == page["returned"]
    assert following.structured_content is not None
    assert following.structured_content["page"]["offset"] == page["returned"]


ERRORS = [
    ("sandbox-error-not-found", "not the 9-digit meeting ID"),
    ("sandbox-error-auth-failed", "No ended meeting with that confUUID"),
    ("sandbox-error-forbidden", "may not view this meeting"),
    ("sandbox-error-permission", "administrator"),
    ("sandbox-error-bad-request", "Request parameter error"),
    ("sandbox-error-unauthorized", "HUAWEI_MEETING_ACCESS_TOKEN"),
    ("sandbox-error-rate-limited", "rate-limiting"),
    ("sandbox-error-server", "internal error"),
    ("00000000000000000000000000000000", "not the 9-digit meeting ID"),
]


async def test_each_error_is_clear_and_the_server_keeps_serving(live_sandbox: LiveSandbox) -> None:
    # One server for all cases: it must keep serving after each fault.
    async with run_server(live_sandbox.env(HUAWEI_MEETING_MAX_RETRIES="0")) as run:
        for conf_uuid, phrase in ERRORS:
            failed = await run.call(TOOL, {"confUUID": conf_uuid})
            after = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
            message = text_of(failed)
            assert failed.is_error is True, conf_uuid
            assert phrase in message, (conf_uuid, message)
            assert re.search(r"\[X-Request-ID: [0-9a-f]{32}\]", message), message
            if conf_uuid in ERROR_CASES:
                assert ERROR_CASES[conf_uuid][1] in message
            assert after.is_error is False, conf_uuid


async def test_retries_are_bounded(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env(HUAWEI_MEETING_MAX_RETRIES="2")) as run:
        result = await run.call(TOOL, {"confUUID": "sandbox-error-server"})
    assert result.is_error is True
    attempts = live_sandbox.requests_to(CONF_DETAIL_PATH)
    assert [r.query["confUUID"] for r in attempts] == ["sandbox-error-server"] * 3
    ids = {r.headers["x-request-id"] for r in attempts}
    assert len(ids) == 3, "each attempt carries its own request ID"
    assert attempts[-1].headers["x-request-id"] in text_of(result)


BAD_ARGUMENTS: list[dict[str, object]] = [
    {},
    {"confUUID": ""},
    {"confUUID": "x" * 65},
    {"confUUID": DOCS_EXAMPLE_UUID, "limit": 0},
    {"confUUID": DOCS_EXAMPLE_UUID, "limit": 501},
    {"confUUID": DOCS_EXAMPLE_UUID, "offset": -1},
    {"confUUID": DOCS_EXAMPLE_UUID, "searchKey": ""},
    {"confUUID": DOCS_EXAMPLE_UUID, "searchKey": "k" * 129},
    {"confUUID": DOCS_EXAMPLE_UUID, "participantType": "robots"},
    {"confUUID": DOCS_EXAMPLE_UUID, "limit": "many"},
]


async def test_bad_input_is_refused_before_any_upstream_call(live_sandbox: LiveSandbox) -> None:
    async with run_server(live_sandbox.env()) as run:
        for arguments in BAD_ARGUMENTS:
            refused = await run.call(TOOL, arguments)
            assert refused.is_error is True, arguments
            assert "Invalid arguments" in text_of(refused), arguments
            assert "call again" in text_of(refused)
        assert live_sandbox.sandbox.requests == [], "no invalid request reached the API"
        after = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
    assert after.is_error is False


async def test_no_secret_or_contact_leaves_the_server(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    async with run_server(live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="DEBUG")) as run:
        for conf_uuid, meeting in sandbox.meetings.items():
            for offset in range(0, len(meeting.participants), 300):
                await run.call(TOOL, {"confUUID": conf_uuid, "limit": 500, "offset": offset})
        await run.call(TOOL, {"confUUID": "sandbox-error-unauthorized"})
        said = run.everything_said()
    assert "GET /v1/mmc" in said, "debug logging was on, so the request log is part of what is scanned"
    assert leaked(said, sandbox.secret_strings()) == []
    assert leaked(said, sandbox.contact_strings()) == []


async def test_contacts_appear_only_when_the_operator_opts_in(live_sandbox: LiveSandbox) -> None:
    sandbox = live_sandbox.sandbox
    async with run_server(live_sandbox.env(HUAWEI_MEETING_INCLUDE_CONTACTS="true")) as run:
        await run.call(TOOL, {"confUUID": RECURRING_UUID})
        said = run.everything_said()
    recurring_contacts = {p["email"] for p in sandbox.meetings[RECURRING_UUID].participants if "email" in p}
    assert recurring_contacts <= set(leaked(said, recurring_contacts))
    assert leaked(said, sandbox.secret_strings()) == []


async def test_wrong_token_says_how_to_fix_it(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_ACCESS_TOKEN="stbWRONG-token-value-0000000000")
    async with run_server(env) as run:
        result = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
        said = run.everything_said()
    assert result.is_error is True
    assert "rejected the access token" in text_of(result)
    assert "App ID" in text_of(result)
    assert "stbWRONG-token-value-0000000000" not in said


async def test_without_credentials_tools_list_and_calls_explain() -> None:
    async with run_server({}) as run:
        tools = (await run.client.list_tools()).tools
        results = [
            await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID}),
            await run.call("list_historical_meetings", {}),
            await run.call("get_historical_meeting_attendance", {"confUUID": DOCS_EXAMPLE_UUID}),
        ]
    assert [t.name for t in tools] == [spec.name for spec in TOOLS]
    for result in results:
        assert result.is_error is True
        assert "HUAWEI_MEETING_ACCESS_TOKEN" in text_of(result)


INVALID_SETTINGS = [
    ("HUAWEI_MEETING_BASE_URL", "http://api.meeting.huaweicloud.com"),
    ("HUAWEI_MEETING_TIMEOUT", "-1"),
    ("HUAWEI_MEETING_API_TIMES", "sometimes"),
]


@pytest.mark.parametrize(("variable", "value"), INVALID_SETTINGS)
def test_invalid_setting_stops_start_up_naming_the_variable(variable: str, value: str, cli: InProcessCommand) -> None:
    done = cli(**{variable: value})
    assert done.code == 2
    assert variable in done.err
    assert done.out == ""
    assert len(done.err.strip().splitlines()) == 1


def test_the_installed_server_stops_on_an_invalid_setting_with_one_line_and_exit_2() -> None:
    variable, value = INVALID_SETTINGS[0]
    done = subprocess.run(  # noqa: S603 - our own console script
        [console_script()],
        env={**base_env(), variable: value, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert variable in done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


async def test_demo_mode_answers_without_network() -> None:
    async with run_server({}, args=["--demo"]) as run:
        result = await run.call(TOOL, {"confUUID": LARGE_UUID, "searchKey": "王"})
    assert result.is_error is False
    assert result.structured_content is not None
    assert all("王" in p["name"] for p in result.structured_content["participants"])


def test_a_client_that_closes_the_servers_stdout_ends_it_quietly() -> None:
    messages = [
        INITIALIZE,
        INITIALIZED,
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [console_script(), "--demo"],
        env=base_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdin.write((json.dumps(messages[0]) + "\n").encode())
    process.stdin.flush()
    assert b'"id":1' in process.stdout.readline(), "the server answered initialize"
    process.stdout.close()  # the client stops reading, and the server's next answer has nowhere to go
    process.stdin.write("".join(json.dumps(message) + "\n" for message in messages[1:]).encode())
    process.stdin.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
