"""Oauth mode end to end: the installed server over real HTTP, people with their own access tokens, the sandbox.

A small issuer on loopback publishes its metadata and keys; the tokens are minted here with its key.
Each person signs in to the sandbox as their own Huawei user ID and sees only their meetings.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import httpx2
import jwt
import pytest
import uvicorn
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from mcp.types import CallToolResult
from pydantic import AnyUrl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from huawei_meeting_mcp.sandbox import LARGE_UUID, RECURRING_UUID
from huawei_meeting_mcp.sandbox.history_api import HISTORY_PATH
from tests.support import LiveSandbox, http_server, leaked, text_of
from tests.support.node import installed
from tests.test_oauth import RSA_KEY, mint, public_jwk

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ZOE = "zoe.mueller@examplecorp"
"""Organizes the Finance forecast syncs, which the administrator's default list does not show."""
IVAN = "logistics3@examplecorp"
"""On the London stand-up's participant list, and in nothing else."""
MALLORY = "mallory@examplecorp"
"""Not on the allow-list (and unknown to the enterprise: a sign-in would register her)."""
LIST = "list_historical_meetings"
DETAIL = "get_historical_meeting_detail"


def free_port() -> int:
    """A loopback port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving_app(app: Starlette, port: int) -> Iterator[str]:
    """Serve `app` on loopback `port` on a background thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the issuer did not start")
            thread.join(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def local_issuer() -> Iterator[str]:
    """An authorization server's metadata and key set on loopback (it issues nothing: tests mint the tokens)."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"

    async def metadata(_request: Request) -> JSONResponse:
        return JSONResponse({"issuer": issuer, "jwks_uri": f"{issuer}/jwks"})

    async def jwks(_request: Request) -> JSONResponse:
        return JSONResponse({"keys": [public_jwk(RSA_KEY, "k1")]})

    app = Starlette(
        routes=[Route("/.well-known/oauth-authorization-server", metadata), Route("/jwks", jwks)],
    )
    with serving_app(app, port) as url:
        yield url


def token_for(issuer: str, resource: str, user: str | None, scope: str = "meetings:read") -> str:
    claims: dict[str, Any] = {"iss": issuer, "aud": resource, "scope": scope, "huawei_user_id": user}
    return mint(claims, drop=("huawei_user_id",) if user is None else ())


async def call(url: str, token: str, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        return await client.call_tool(tool, arguments)


def subjects(result: CallToolResult) -> set[str]:
    assert result.is_error is False, text_of(result)
    meetings = (result.structured_content or {})["meetings"]
    return {m["subject"] for m in meetings}


async def test_two_people_each_see_only_their_own_meetings(live_sandbox: LiveSandbox) -> None:
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    window = {
        "startDate": (datetime.now(timezone.utc) - timedelta(days=190)).date().isoformat(),
        "limit": 500,
    }
    with local_issuer() as issuer:
        env = live_sandbox.app_id_env(
            HUAWEI_MEETING_HTTP_AUTH="oauth",
            HUAWEI_MEETING_OAUTH_ISSUER=issuer,
            HUAWEI_MEETING_HTTP_PUBLIC_URL=resource,
            HUAWEI_MEETING_OAUTH_ALLOWED_USERS=f"{ZOE},{IVAN}",
        )
        zoe, ivan = token_for(issuer, resource, ZOE), token_for(issuer, resource, IVAN)
        admin = token_for(issuer, resource, ZOE, "meetings:read meetings:admin")
        with http_server(env, port=port) as run:
            zoe_list = await call(run.url, zoe, LIST, window)
            ivan_list = await call(run.url, ivan, LIST, window)
            zoe_again = await call(run.url, zoe, LIST, window)
            ivan_standup = await call(run.url, ivan, DETAIL, {"confUUID": RECURRING_UUID})
            zoe_standup = await call(run.url, zoe, DETAIL, {"confUUID": RECURRING_UUID})
            refused_all = await call(run.url, zoe, LIST, {**window, "queryAll": True})
            asked_before_admin = [r.query.get("queryAll") for r in live_sandbox.requests_to(HISTORY_PATH)]
            admin_all = await call(run.url, admin, LIST, {**window, "queryAll": True})
            async with httpx.AsyncClient(base_url=run.base) as raw:
                body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
                headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
                no_claim = await raw.post("/mcp", json=body, headers={**headers, **_bearer(issuer, resource, None)})
                empty = await raw.post("/mcp", json=body, headers={**headers, **_bearer(issuer, resource, "")})
                unlisted = await raw.post("/mcp", json=body, headers={**headers, **_bearer(issuer, resource, MALLORY)})
                anonymous = await raw.post("/mcp", json=body, headers=headers)
                metadata = await raw.get("/.well-known/oauth-protected-resource/mcp")
        log = run.stderr()
    zoe_sees, ivan_sees = subjects(zoe_list), subjects(ivan_list)
    assert zoe_sees == {"Finance forecast sync"}
    assert ivan_sees == {"Weekly logistics stand-up"}
    assert subjects(zoe_again) == zoe_sees
    assert ivan_standup.is_error is False
    assert zoe_standup.is_error is True
    assert "No ended meeting with that confUUID was found" in text_of(zoe_standup)
    assert refused_all.is_error is True
    assert "administrator scope" in text_of(refused_all)
    assert "true" not in asked_before_admin, "without the admin scope Huawei never sees queryAll"
    assert admin_all.is_error is True, "the sandbox refuses queryAll to a user who is not an administrator"
    assert "true" in [r.query.get("queryAll") for r in live_sandbox.requests_to(HISTORY_PATH)]
    auth = live_sandbox.sandbox.auth
    assert dict(auth.app_sign_ins) == {ZOE: 1, IVAN: 1}, "one sign-in per person, never the administrator"
    assert sum(auth.registrations.values()) == 0, "nobody was registered into the enterprise"
    for response in (no_claim, empty, unlisted):
        assert (response.status_code, response.json()["error"]) == (403, "access_denied")
    assert anonymous.status_code == 401
    assert "resource_metadata=" in anonymous.headers["WWW-Authenticate"]
    assert metadata.json()["resource"] == resource
    assert metadata.json()["authorization_servers"] == [issuer]
    upstream = "\n".join(value for r in live_sandbox.sandbox.requests for value in r.headers.values())
    assert leaked(upstream, [zoe, ivan, admin]) == [], "the caller's token never goes to Huawei"
    assert leaked(log, [zoe, ivan, admin, ZOE, IVAN]) == [], "logs carry a digest of the person, not their ID"
    assert "per-person access tokens" in log


def _bearer(issuer: str, resource: str, user: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(issuer, resource, user)}"}


async def test_the_sandbox_counts_sign_ins_and_would_be_registrations(live_sandbox: LiveSandbox) -> None:
    from huawei_meeting_mcp.auth import AppIdSignIn, SigningIn
    from huawei_meeting_mcp.client import MeetingClient, SignInClient
    from huawei_meeting_mcp.errors import NotFoundError
    from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY
    from huawei_meeting_mcp.wire import DetailQuery

    async with httpx.AsyncClient(base_url=live_sandbox.url) as http:
        for user in (None, IVAN, MALLORY):
            tokens = SigningIn(AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY, user), SignInClient(http, timeout=10))
            client = MeetingClient(http, tokens, timeout=10)
            if user == MALLORY:
                with pytest.raises(NotFoundError):
                    await client.conf_detail(DetailQuery(LARGE_UUID))
            else:
                await client.conf_detail(DetailQuery(LARGE_UUID if user is None else RECURRING_UUID))
    auth = live_sandbox.sandbox.auth
    assert dict(auth.app_sign_ins) == {"": 1, IVAN: 1, MALLORY: 1}
    assert dict(auth.registrations) == {MALLORY: 1}


AS_PACKAGES = ("node@22.23.3", "oidc-provider@9.13.3")
"""Pinned: Node 22 (oidc-provider 9 needs it; the same one the conformance tests install) and the server."""
AS_SCRIPT = Path(__file__).parent / "js" / "oidc_provider.mjs"
CLIENT_ID = "huawei-meeting-test-client"


@pytest.fixture(scope="session")
def oidc_provider_node(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the pinned Node 22 and oidc-provider once, into pytest's cache; the folder they are in."""
    return installed(request, tmp_path_factory, "oidc-provider", AS_PACKAGES, "the oidc-provider end-to-end test")


@contextmanager
def authorization_server(prefix: Path, resource: str, redirect_uri: str) -> Iterator[str]:
    """oidc-provider on a loopback port, issuing JWT access tokens for `resource`; yields its issuer URL."""
    node = str(prefix / "node_modules" / ".bin" / "node")
    script = prefix / AS_SCRIPT.name
    shutil.copyfile(AS_SCRIPT, script)  # next to its node_modules, where Node resolves the import
    process = subprocess.Popen(  # noqa: S603 - the pinned Node and our script
        [node, str(script), str(free_port()), resource, redirect_uri],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready "), f"oidc-provider did not start: {line!r}"
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=30)


class DevLogin:
    """Plays the person at oidc-provider's development login and consent forms, then hands the client its redirect."""

    def __init__(self, login: str, redirect_uri: str) -> None:
        self.login = login
        self.redirect_uri = redirect_uri
        self.result: AuthorizationCodeResult | None = None

    async def redirect(self, authorization_url: str) -> None:
        """Follow the authorization request through the login form to the redirect with the code."""
        async with httpx.AsyncClient() as browser:
            url = authorization_url
            visited: list[str] = []
            for _ in range(10):
                visited.append(url)
                response = await browser.get(url)
                if response.status_code == 200 and 'name="prompt"' in response.text:
                    prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
                    assert prompt is not None, response.text
                    fields = {"prompt": prompt[1], "login": self.login, "password": "any"}
                    response = await browser.post(str(response.url), data=fields)
                assert response.status_code in (302, 303), response.text[:500]
                url = str(response.url.join(response.headers["Location"]))
                if url.startswith(self.redirect_uri):
                    query = dict(parse_qsl(urlsplit(url).query))
                    assert "code" in query, query
                    self.result = AuthorizationCodeResult(
                        code=query["code"], state=query.get("state"), iss=query.get("iss")
                    )
                    return
        raise AssertionError(f"the authorization request never came back to the client: {visited}")

    async def callback(self) -> AuthorizationCodeResult:
        """The code and state the redirect carried."""
        assert self.result is not None
        return self.result


class MemoryStorage:
    """The client's token storage, in memory, with the pre-registered public client."""

    def __init__(self, redirect_uri: str) -> None:
        self.tokens: OAuthToken | None = None
        self.client = OAuthClientInformationFull(
            client_id=CLIENT_ID, redirect_uris=[AnyUrl(redirect_uri)], token_endpoint_auth_method="none"
        )

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


async def signed_in_call(url: str, login: str, redirect_uri: str, tool: str, arguments: dict[str, Any]) -> Any:
    """Call `tool` as `login` through the SDK's OAuthClientProvider: discovery, authorization, token, call."""
    person = DevLogin(login, redirect_uri)
    storage = MemoryStorage(redirect_uri)
    provider = OAuthClientProvider(
        url,
        OAuthClientMetadata(redirect_uris=[AnyUrl(redirect_uri)], token_endpoint_auth_method="none"),
        storage,
        redirect_handler=person.redirect,
        callback_handler=person.callback,
    )
    http = httpx2.AsyncClient(auth=provider)
    async with http, Client(streamable_http_client(url, http_client=http)) as client:
        result = await client.call_tool(tool, arguments)
    assert storage.tokens is not None
    return result, storage.tokens.access_token


async def test_two_people_sign_in_at_a_real_authorization_server_and_see_their_own_meetings(
    oidc_provider_node: Path, live_sandbox: LiveSandbox
) -> None:
    port = free_port()
    resource = f"http://127.0.0.1:{port}/mcp"
    redirect_uri = "http://127.0.0.1:9/callback"  # never reached: DevLogin reads the code from the Location
    window = {"startDate": (datetime.now(timezone.utc) - timedelta(days=190)).date().isoformat(), "limit": 500}
    with authorization_server(oidc_provider_node, resource, redirect_uri) as issuer:
        env = live_sandbox.app_id_env(
            HUAWEI_MEETING_HTTP_AUTH="oauth",
            HUAWEI_MEETING_OAUTH_ISSUER=issuer,
            HUAWEI_MEETING_HTTP_PUBLIC_URL=resource,
        )
        with http_server(env, port=port) as run:
            zoe, zoe_token = await signed_in_call(run.url, ZOE, redirect_uri, LIST, window)
            ivan, ivan_token = await signed_in_call(run.url, IVAN, redirect_uri, LIST, window)
        log = run.stderr()
    assert subjects(zoe) == {"Finance forecast sync"}
    assert subjects(ivan) == {"Weekly logistics stand-up"}
    header = jwt.get_unverified_header(zoe_token)
    claims = jwt.decode(zoe_token, options={"verify_signature": False})
    assert (header["typ"], claims["aud"], claims["huawei_user_id"]) == ("at+jwt", resource, ZOE)
    assert dict(live_sandbox.sandbox.auth.app_sign_ins) == {ZOE: 1, IVAN: 1}
    upstream = "\n".join(value for r in live_sandbox.sandbox.requests for value in r.headers.values())
    assert leaked(upstream + log, [zoe_token, ivan_token]) == []
