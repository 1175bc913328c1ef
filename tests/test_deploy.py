"""docs/deploy.md's deployment files are the ones tested: nginx in front of HTTP mode, the systemd unit, client set-up.

The nginx test runs Debian's nginx with docs/deploy/nginx.conf itself (only the public addresses,
the certificate's paths and the backend port replaced) and a self-signed certificate, in front of
the installed server; an MCP client calls the attendance tool through it with a progress callback.
Where nginx is missing it is skipped, saying so; under `CI=true` it is required (`make pytest`
installs it where it can).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import anyio
import anyio.to_thread
import httpx2
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.types import ASGIApp, Receive, Scope, Send

from huawei_meeting_mcp.app import tool_definitions
from huawei_meeting_mcp.cli import build_parser
from huawei_meeting_mcp.sandbox import LARGE_UUID, Sandbox, serving
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH
from huawei_meeting_mcp.settings import Settings
from tests.support import SCAN, LiveSandbox, console_script, http_server, text_of
from tests.support.raw import MCP_HEADERS

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
DEPLOY_MD = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
NGINX_CONF = DEPLOY / "nginx.conf"
PUBLIC_NAME = "mcp.example.com"
HTTP_TOKEN = "deploy-bearer-Hq3n8Vx5Tz2Lm9Pw4Rk7"
ATTENDANCE = "get_historical_meeting_attendance"
GATE_SECONDS = 60
"""How long the sandbox holds attendance reads for the first progress notification to reach the client."""


def doc_blocks(language: str, text: str = DEPLOY_MD) -> list[str]:
    """The fenced code blocks in `language` of docs/deploy.md, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def test_the_doc_quotes_the_tested_nginx_configuration_whole() -> None:
    assert NGINX_CONF.read_text(encoding="utf-8") in doc_blocks("nginx")


# nginx in front of HTTP mode.


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the nginx test (apt-get install nginx).")
    pytest.skip(f"SKIPPED the test behind nginx: {reason} (apt-get install nginx, or make pytest as root).")


def _nginx() -> str:
    # /usr/sbin is not on every user's PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        _unavailable("nginx is not installed")
    return found


@pytest.mark.parametrize(("ci", "says"), [("", "SKIPPED the test behind nginx"), ("true", "CI=true requires")])
def test_without_nginx_the_proxy_test_skips_plainly_unless_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, says: str
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    monkeypatch.setenv("CI", ci)
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(outcome, match=says):
        _nginx()


def _free_ports(count: int) -> list[int]:
    """Ports free on loopback now, all different (each probe stays bound until all are chosen)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


@dataclass
class Certificate:
    """A self-signed certificate for the public name (and 127.0.0.1), with its key, as PEM files."""

    cert: Path
    key: Path


def self_signed(directory: Path) -> Certificate:
    """Make a self-signed certificate for PUBLIC_NAME and 127.0.0.1, valid for a day, in `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUBLIC_NAME)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(PUBLIC_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    made = Certificate(cert=directory / "cert.pem", key=directory / "key.pem")
    made.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    made.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return made


@dataclass
class Proxy:
    """nginx running docs/deploy/nginx.conf: its HTTPS and plain HTTP ports, and its error log."""

    tls_port: int
    plain_port: int
    error_log: Path

    @property
    def url(self) -> str:
        """The MCP endpoint through the proxy, by address (the Host header carries the public name)."""
        return f"https://127.0.0.1:{self.tls_port}/mcp"


def site_config(backend_port: int, tls_port: int, plain_port: int, certificate: Certificate) -> str:
    """docs/deploy/nginx.conf with the addresses and paths a loopback test needs, each replaced exactly once."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    for placeholder, value in {
        "listen 443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{plain_port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{backend_port};",
        f"/etc/ssl/certs/{PUBLIC_NAME}.pem": str(certificate.cert),
        f"/etc/ssl/private/{PUBLIC_NAME}.key": str(certificate.key),
    }.items():
        assert text.count(placeholder) == 1, f"docs/deploy/nginx.conf should hold {placeholder!r} once"
        text = text.replace(placeholder, value)
    return text


def main_config(prefix: Path, site: Path) -> str:
    """A top-level nginx.conf keeping the pid, logs and temporary files in `prefix`, including `site`."""
    temp = " ".join(
        f"{kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write temp files under the 0700 test directory
    return (
        f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n  access_log {prefix / 'access.log'};\n  {temp}\n  include {site};\n}}\n"
    )


@contextmanager
def nginx_in_front(backend_port: int, prefix: Path, certificate: Certificate) -> Iterator[Proxy]:
    """Run nginx with docs/deploy/nginx.conf in the foreground, on loopback ports, until the block ends."""
    nginx = _nginx()
    tls_port, plain_port = _free_ports(2)
    proxy = Proxy(tls_port=tls_port, plain_port=plain_port, error_log=prefix / "error.log")
    site = prefix / "huawei-meeting-mcp.conf"
    site.write_text(site_config(backend_port, proxy.tls_port, proxy.plain_port, certificate), encoding="utf-8")
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site), encoding="utf-8")
    argv = [nginx, "-p", str(prefix), "-e", str(proxy.error_log), "-c", str(conf)]
    checked = subprocess.run([*argv, "-t"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(  # noqa: S603 - the nginx found above
        [*argv, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        # nginx writes its pid into the pid file once its sockets listen (`-t` left the file there, empty).
        pid_file = prefix / "nginx.pid"
        for _ in range(1200):
            if pid_file.exists() and pid_file.read_text(encoding="utf-8").strip() == str(process.pid):
                break
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.05)
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        else:
            pytest.fail("nginx did not start listening within a minute")
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


class HoldAttendance:
    """ASGI middleware for the sandbox: attendance reads wait until `released` is set (or GATE_SECONDS pass)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self.released = threading.Event()
        self.held: list[bool] = []
        """For each attendance read: True if released in time, False if it waited GATE_SECONDS."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold an attendance read until released; pass everything else at once."""
        if scope["type"] == "http" and scope["path"] == ATTENDANCE_PATH:
            self.held.append(await anyio.to_thread.run_sync(self.released.wait, GATE_SECONDS))
        await self._app(scope, receive, send)


@pytest.fixture
def held_sandbox() -> Iterator[tuple[LiveSandbox, HoldAttendance]]:
    """A loopback sandbox whose attendance reads wait for the test's word."""
    sandbox = Sandbox()
    gate = HoldAttendance(sandbox.app)
    sandbox.app = gate  # type: ignore[assignment]
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url), gate
    SCAN.secrets.update(sandbox.secret_strings())
    SCAN.contacts.update(sandbox.contact_strings())


def _trusting(certificate: Certificate, **headers: str) -> httpx2.AsyncClient:
    context = ssl.create_default_context(cafile=str(certificate.cert))
    return httpx2.AsyncClient(verify=context, headers={"Host": PUBLIC_NAME, **headers}, timeout=120)


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.anyio
async def test_an_mcp_client_gets_progress_through_nginx_over_tls(
    held_sandbox: tuple[LiveSandbox, HoldAttendance], tmp_path: Path
) -> None:
    live, gate = held_sandbox
    certificate = self_signed(tmp_path)
    env = live.env(HUAWEI_MEETING_HTTP_TOKEN=HTTP_TOKEN, HUAWEI_MEETING_HTTP_ALLOWED_HOSTS=PUBLIC_NAME)
    notified: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notified.append((progress, total, message))
        gate.released.set()  # the first notification came through before Huawei's records were read

    with http_server(env) as run, nginx_in_front(int(run.base.rsplit(":", 1)[1]), tmp_path, certificate) as proxy:
        http = _trusting(certificate, Authorization=f"Bearer {HTTP_TOKEN}")
        async with http, Client(streamable_http_client(proxy.url, http_client=http)) as client:
            result = await client.call_tool(ATTENDANCE, {"confUUID": LARGE_UUID}, progress_callback=on_progress)
            gate.released.set()
            plain = await client.call_tool(ATTENDANCE, {"confUUID": LARGE_UUID})
        async with _trusting(certificate) as raw:
            base = f"https://127.0.0.1:{proxy.tls_port}"
            health = await raw.get(f"{base}/health")
            no_token = await raw.post(f"{base}/mcp", json={}, headers=MCP_HEADERS)
            foreign = await raw.post(
                f"{base}/mcp",
                json={},
                headers={**MCP_HEADERS, "Host": "rebound.example", "Authorization": f"Bearer {HTTP_TOKEN}"},
            )
        async with httpx2.AsyncClient(headers={"Host": PUBLIC_NAME}) as plain_http:
            redirect = await plain_http.get(f"http://127.0.0.1:{proxy.plain_port}/mcp")
    assert result.is_error is False, text_of(result)
    assert text_of(plain) == text_of(result)
    assert len(notified) == 3, notified
    assert notified[0] == (0, None, "Reading attendance records")
    assert gate.held, "the tool read no attendance records"
    assert all(gate.held), (
        "the progress notification did not reach the client while the call was under way: "
        "is nginx buffering the event stream (proxy_buffering off)?"
    )
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert no_token.status_code == 401, "nginx passes the Authorization header through, and its absence too"
    assert foreign.status_code == 421, "nginx forwards the Host it was asked for, so the server's check still works"
    assert redirect.status_code == 301
    assert redirect.headers["location"] == f"https://{PUBLIC_NAME}/mcp"
    assert "Refused a request naming Host 'rebound.example'" in run.stderr()


# The systemd unit.

UNIT = DEPLOY / "huawei-meeting-mcp.service"
UNIT_COMMAND = "/opt/huawei-meeting-mcp/bin/huawei-meeting-mcp"
HARDENING = {
    "DynamicUser": "yes",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "EnvironmentFile": "/etc/huawei-meeting-mcp/env",
}


def unit_settings() -> dict[str, list[str]]:
    """Each `Key=value` of the unit (comments and sections left out), values in order."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_the_unit_is_hardened_runs_the_documented_command_and_is_quoted_in_the_doc() -> None:
    settings = unit_settings()
    for key, value in HARDENING.items():
        assert settings.get(key) == [value], key
    argv = settings["ExecStart"][0].split()
    assert argv[0] == UNIT_COMMAND
    parser, _ = build_parser(anyio.run(tool_definitions))
    parsed = parser.parse_args(argv[1:])
    assert (parsed.transport, parsed.host, parsed.port) == ("http", "127.0.0.1", 8000)
    assert UNIT.read_text(encoding="utf-8") in doc_blocks("ini")


def test_systemd_analyze_verifies_the_unit_without_a_warning(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("SKIPPED the systemd unit check: systemd-analyze is not installed (it is not required).")
    unit = tmp_path / UNIT.name  # the same unit, running the console script installed here
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(UNIT_COMMAND, console_script()), encoding="utf-8")
    verified = subprocess.run(  # noqa: S603 - systemd's own checker
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr == "", "systemd-analyze ignores a misspelt or invalid line with a warning only"
    security = subprocess.run(  # noqa: S603
        [analyze, "security", "--offline=true", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure, security.stdout + security.stderr
    assert float(exposure[1]) <= 2.0, security.stdout


# Client set-up for a team.

SERVER_NAME = "huawei-meetings"
PUBLIC_URL = f"https://{PUBLIC_NAME}/mcp"
TOKEN_REFERENCES = {
    "claude-code": "${HUAWEI_MEETING_HTTP_TOKEN}",
    "vscode": "${input:huawei-meeting-token}",
    "cursor": "${env:HUAWEI_MEETING_HTTP_TOKEN}",
}


@dataclass
class Snippet:
    """One client configuration block of docs/deploy.md: which client, its server entry, and the whole."""

    client: str
    entry: dict[str, object]
    whole: dict[str, object]


def client_snippets() -> list[Snippet]:
    """The JSON blocks of docs/deploy.md's client section, each told apart by its shape."""
    section = DEPLOY_MD.split("\n## Client set-up for a team\n", 1)[1].split("\n## ", 1)[0]
    snippets = []
    for block in doc_blocks("json", section):
        whole = json.loads(block)
        if "servers" in whole:
            client, servers = "vscode", whole["servers"]
        else:
            servers = whole["mcpServers"]
            client = "claude-code" if "type" in servers[SERVER_NAME] else "cursor"
        assert list(servers) == [SERVER_NAME], block
        snippets.append(Snippet(client, servers[SERVER_NAME], whole))
    return snippets


def test_each_client_has_a_token_and_an_oauth_snippet_of_the_right_shape() -> None:
    snippets = client_snippets()
    shapes = sorted((s.client, "headers" in s.entry) for s in snippets)
    assert shapes == sorted((client, token) for client in TOKEN_REFERENCES for token in (False, True))
    path = Settings.model_fields["http_path"].default
    for snippet in snippets:
        assert snippet.entry["url"] == PUBLIC_URL
        assert str(snippet.entry["url"]).endswith(path)
        assert snippet.entry.get("type", "http") == "http"
        if "headers" in snippet.entry:
            reference = TOKEN_REFERENCES[snippet.client]
            assert snippet.entry["headers"] == {"Authorization": f"Bearer {reference}"}, "a reference, not a token"
        else:
            assert "inputs" not in snippet.whole
    vscode = next(s for s in snippets if s.client == "vscode" and "headers" in s.entry)
    inputs = vscode.whole["inputs"]
    assert isinstance(inputs, list)
    assert [(i["type"], i["id"], i["password"]) for i in inputs] == [("promptString", "huawei-meeting-token", True)]
    remotes = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))["remotes"]
    assert [(r["type"], r["url"]) for r in remotes] == [("streamable-http", "https://{host}" + path)]


@pytest.mark.e2e
@pytest.mark.anyio
async def test_each_token_snippet_reaches_the_server_once_its_reference_is_filled(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_HTTP_TOKEN=HTTP_TOKEN, HUAWEI_MEETING_HTTP_ALLOWED_HOSTS=PUBLIC_NAME)
    answered: dict[str, list[str]] = {}
    with http_server(env) as run:
        for snippet in client_snippets():
            headers = snippet.entry.get("headers")
            if not isinstance(headers, dict):
                continue
            filled = {
                name: value.replace(TOKEN_REFERENCES[snippet.client], HTTP_TOKEN) for name, value in headers.items()
            }
            # The snippet's URL, reached on loopback: the Host header still names the public name.
            url = str(snippet.entry["url"]).replace(f"https://{PUBLIC_NAME}", run.base)
            http = httpx2.AsyncClient(headers={**filled, "Host": PUBLIC_NAME})
            async with http, Client(streamable_http_client(url, http_client=http)) as client:
                answered[snippet.client] = [tool.name for tool in (await client.list_tools()).tools]
    assert sorted(answered) == sorted(TOKEN_REFERENCES)
    assert all(ATTENDANCE in tools for tools in answered.values()), answered
