"""HTTP mode against a hostile client: exact Host and Origin match, no redirect built from Host, no body logged."""

from __future__ import annotations

import httpx
import pytest
from mcp import Client
from starlette.types import Message, Receive, Scope, Send

from huawei_meeting_mcp.http_server import HostOriginGuard, SlashlessMcpPath, host_rules, parse_authority
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID
from huawei_meeting_mcp.settings import ConfigError, Settings
from tests.support import LiveSandbox, ProgressLog, http_server, leaked, text_of
from tests.support.raw import INITIALIZE, MCP_HEADERS
from tests.test_http_sockets import Gate

pytestmark = pytest.mark.anyio

RULES = host_rules(
    "127.0.0.1",
    Settings(
        http_allowed_hosts="mcp.example.com, api.example.com:8443, 2001:db8::1, internal_svc:*",
        http_allowed_origins="https://chat.example.com/, http://tools.example.com:*",
    ),
)
HOSTILE_HOSTS = [
    # userinfo: the reported bypass and its relatives
    "localhost:1@evil",
    "localhost:1@evil.example",
    "localhost@evil.example",
    "user@localhost",
    "user:pw@localhost:8000",
    "LOCALHOST:1@EVIL",
    "127.0.0.1:80@evil.example",
    "[::1]:80@evil.example",
    # trailing junk after a good prefix
    "localhost:8000/evil",
    "localhost:8000 evil",
    "localhost:8000?x",
    "localhost:8000#x",
    "localhost:8000:8000",
    "localhost.evil.example",
    "localhost:8000.evil.example",
    "127.0.0.1.nip.io",
    "mcp.example.com.evil.example",
    "xmcp.example.com",
    "mcp.example.com\\@evil",
    " localhost",
    "localhost ",
    # not a port
    "localhost:",
    "localhost:abc",
    "localhost:8000x",
    "localhost:+80",
    "localhost:-1",
    "localhost:0",
    "localhost:08000",
    "localhost:65536",
    "localhost:99999999999999999999",
    "localhost:\u0668\u0660\u0660\u0660",  # Arabic-Indic digits
    "localhost:\uff18\uff10\uff10\uff10",  # full-width digits
    # IPv6 forms
    "::1",
    "::1:8000",
    "[::1",
    "[::1]8000",
    "[::1]:",
    "[::2]:8000",
    "[fe80::1%25eth0]:8000",
    "[::ffff:127.0.0.1]:8000",
    "[2001:db8::1]x",
    # a named port where only another is allowed, or none
    "api.example.com",
    "api.example.com:443",
    # other spellings of loopback, and foreign names
    "127.1",
    "2130706433",
    "0x7f.0.0.1",
    "localhost.",
    "evil.example",
    "evil.example:8000",
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",  # full-width letters
    "localhost\u200b",
    "",
]
GOOD_HOSTS = [
    "localhost",
    "localhost:8000",
    "LOCALHOST:8000",
    "LocalHost",
    "127.0.0.1",
    "127.0.0.1:65535",
    "[::1]",
    "[::1]:8000",
    "[0:0:0:0:0:0:0:1]:8000",
    "mcp.example.com",
    "MCP.Example.COM:443",
    "api.example.com:8443",
    "[2001:db8::1]:8000",
    "[2001:DB8:0::1]",
    "internal_svc:8080",
]
HOSTILE_ORIGINS = [
    "http://localhost:80@evil.example",
    "http://localhost@evil.example",
    "http://user:pw@localhost:8000",
    "HTTP://LOCALHOST:80@EVIL.EXAMPLE",
    "http://localhost:8000/",
    "http://localhost:8000/path",
    "http://localhost:8000?x",
    "http://localhost:8000#x",
    "http://localhost.evil.example",
    "http://localhost:8000.evil.example",
    "https://localhost:8000",  # loopback origins are http only
    "http://localhost:",
    "http://localhost:abc",
    "http://localhost:65536",
    "http://[::1",
    "http://::1:8000",
    "http://[fe80::1%25eth0]:8000",
    "http//localhost",
    "http:/localhost",
    "ftp://localhost",
    "file://",
    "null",
    "",
    " http://localhost:8000",
    "https://chat.example.com:8443",
    "http://chat.example.com",
    "https://chat.example.com.evil.example",
    "https://chat.example.com@evil.example",
    "https://evil.example",
    "https://tools.example.com",
]
GOOD_ORIGINS = [
    "http://localhost:5173",
    "HTTP://LOCALHOST:5173",
    "http://localhost",
    "http://127.0.0.1:8000",
    "http://[::1]:3000",
    "http://[0::1]:3000",
    "https://chat.example.com",
    "HTTPS://Chat.Example.COM",
    "https://chat.example.com:443",
    "http://tools.example.com:9000",
]


@pytest.mark.parametrize("host", HOSTILE_HOSTS)
def test_hostile_host_values_are_refused(host: str) -> None:
    assert RULES.allows_host(host) is False


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_allowed_hosts_match_whatever_their_case(host: str) -> None:
    assert RULES.allows_host(host) is True


@pytest.mark.parametrize("origin", HOSTILE_ORIGINS)
def test_hostile_origins_are_refused(origin: str) -> None:
    assert RULES.allows_origin(origin) is False


@pytest.mark.parametrize("origin", GOOD_ORIGINS)
def test_allowed_origins_match_whatever_their_case(origin: str) -> None:
    assert RULES.allows_origin(origin) is True


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("LocalHost:8000", ("localhost", 8000)),
        ("[0:0:0:0:0:0:0:1]", ("[::1]", None)),
        ("mcp.example.com", ("mcp.example.com", None)),
        ("localhost:1@evil", None),
    ],
)
def test_an_authority_is_parsed_exactly(value: str, parsed: tuple[str, int | None] | None) -> None:
    assert parse_authority(value) == parsed


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("http_allowed_hosts", "https://mcp.example.com"),
        ("http_allowed_hosts", "mcp.example.com/mcp"),
        ("http_allowed_hosts", "user@mcp.example.com"),
        ("http_allowed_hosts", "mcp.example.com:8443:*"),
        ("http_allowed_hosts", "mcp.example.com:port"),
        ("http_allowed_origins", "chat.example.com"),
        ("http_allowed_origins", "https://chat.example.com/app"),
        ("http_allowed_origins", "https://chat.example.com:443:*"),
    ],
)
def test_a_malformed_allowed_host_or_origin_fails_at_start_up(setting: str, value: str) -> None:
    variable = f"HUAWEI_MEETING_{setting.upper()}"
    with pytest.raises(ConfigError, match=variable):
        host_rules("127.0.0.1", Settings.model_validate({setting: value}))


async def test_the_guard_answers_421_and_403_and_takes_one_host_header_only() -> None:
    gate = Gate(closed=False)
    app = HostOriginGuard(gate, RULES)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        userinfo = await http.post("/mcp", content=b"{}", headers={"Host": "localhost:1@evil"})
        origin = await http.post("/mcp", content=b"{}", headers={"Origin": "http://localhost:80@evil.example"})
        health = await http.get("/health", headers={"Host": "10.0.0.7:8000"})
        good = await http.post("/mcp", content=b"{}", headers={"Host": "LOCALHOST:8000", "Origin": "http://[::1]:3000"})
    sent: list[int] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            sent.append(message["status"])

    async def nothing() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    for headers in ([(b"host", b"localhost"), (b"host", b"evil.example")], []):
        await app({"type": "http", "method": "POST", "path": "/mcp", "headers": headers}, nothing, keep)
    assert (userinfo.status_code, userinfo.json()["error"]) == (421, "misdirected_request")
    assert "evil" not in userinfo.text, "the refused value is not echoed"
    assert (origin.status_code, origin.json()["error"]) == (403, "forbidden_origin")
    assert health.status_code == 200, "/health answers probes by address"
    assert good.status_code == 200
    assert sent == [421, 421], "two Host headers, or none, are refused"
    assert gate.reached == 2


async def test_a_trailing_slash_is_served_in_place_never_redirected() -> None:
    gate = Gate(closed=False)
    seen: list[str] = []

    async def record(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await gate(scope, receive, send)

    app = SlashlessMcpPath(record)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        slash = await http.post("/mcp/", content=b"{}")
        other = await http.get("/health/")
    assert slash.status_code == 200
    assert seen == ["/mcp", "/health/"], "only /mcp/ is rewritten"
    assert other.status_code == 200


@pytest.mark.e2e
async def test_the_served_endpoint_refuses_the_reported_host_and_origin_and_never_redirects(
    live_sandbox: LiveSandbox,
) -> None:
    with http_server(live_sandbox.env()) as run:
        port = run.base.rsplit(":", 1)[1]
        async with httpx.AsyncClient(base_url=run.base, timeout=30) as raw:

            async def post(path: str, **headers: str) -> httpx.Response:
                return await raw.post(path, json=INITIALIZE, headers={**MCP_HEADERS, **headers})

            userinfo = await post("/mcp", Host="localhost:1@evil")
            origin = await post("/mcp", Origin="http://localhost:80@evil.example")
            upper = await post("/mcp", Host=f"LOCALHOST:{port}")
            slash = await post("/mcp/")
            slash_evil = await post("/mcp/", Host="localhost:1@evil")
            health_slash = await raw.get("/health/")
            unknown_slash = await raw.post("/other/", json=INITIALIZE)
    assert userinfo.status_code == 421
    assert origin.status_code == 403
    assert upper.status_code == 200, "Host names compare case-insensitively"
    assert slash.status_code == 200
    assert slash.json()["result"]["serverInfo"]["name"] == "huawei-meeting-mcp"
    assert slash_evil.status_code == 421
    assert health_slash.status_code == 404
    assert unknown_slash.status_code == 404
    for response in (userinfo, origin, upper, slash, slash_evil, health_slash, unknown_slash):
        assert "location" not in response.headers, "no redirect, so no Location built from the Host header"
    assert "Refused a request naming Host 'localhost:1@evil'" in run.stderr()


@pytest.mark.e2e
async def test_no_request_or_response_body_reaches_the_log_at_debug(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_LOG_LEVEL="DEBUG", HUAWEI_MEETING_INCLUDE_CONTACTS="true")
    arguments = {"confUUID": LARGE_UUID, "searchKey": "Priya Nair", "limit": 500}
    progress = ProgressLog()

    with http_server(env) as run:
        async with Client(run.url, mode="legacy") as legacy:  # progress: an event stream (sse_starlette)
            streamed = await legacy.call_tool(
                "get_historical_meeting_attendance", arguments, progress_callback=progress
            )
        async with Client(run.url) as modern:  # a JSON body
            detail = await modern.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
    log = run.stderr()
    said = text_of(streamed) + text_of(detail)
    assert progress, "the attendance answer came as an event stream"
    assert "Priya Nair" in said
    assert "+919812345678" in said, "contacts are on: the phone number is in the answer"
    assert "POST /mcp -> 200 (event stream)" in log, "the log was at DEBUG"
    assert "Priya Nair" not in log
    assert "919812345678" not in log
    assert leaked(log, live_sandbox.sandbox.contact_strings()) == []
    assert "user8001" not in log, "nor the detail answer's organiser"
