"""End to end: a server configured only with App ID + App Key (or an account) signs in by itself.

The installed console script runs over stdio and talks over loopback TCP to the sandbox, whose
sign-in endpoints verify the signature for real. Token lifetimes are ended by the sandbox
(`expire_all`, as if their validPeriod had run out) so the test never waits for a clock.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from mcp.types import CallToolResult

from huawei_meeting_mcp.sandbox import (
    DEFAULT_ACCOUNT,
    DEFAULT_APP_KEY,
    DEFAULT_PASSWORD,
    DOCS_EXAMPLE_UUID,
    LARGE_UUID,
    AuthApi,
    Sandbox,
    serving,
)
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from tests.support import LiveSandbox, leaked, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOOL = "get_historical_meeting_detail"
WRONG_KEY = "WrongAppKey-0000-1111-2222-333344445555"


@pytest.fixture
def app_sandbox() -> Iterator[LiveSandbox]:
    """A sandbox that accepts no static token: only what its sign-in endpoints issue."""
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)


def detail_calls(sandbox: Sandbox, conf_uuid: str = DOCS_EXAMPLE_UUID) -> int:
    return sum(1 for r in sandbox.requests if r.path == CONF_DETAIL_PATH and r.query["confUUID"] == conf_uuid)


def succeeded(result: CallToolResult) -> bool:
    return result.is_error is False and result.structured_content is not None


async def test_app_id_server_keeps_working_across_lifetimes_and_revocation(app_sandbox: LiveSandbox) -> None:
    sandbox, api = app_sandbox.sandbox, app_sandbox.sandbox.auth
    # The cache off: every call here must reach the API, to show what each token does.
    async with run_server(
        app_sandbox.app_id_env(HUAWEI_MEETING_LOG_LEVEL="DEBUG", HUAWEI_MEETING_CACHE_TTL="0")
    ) as run:
        # Many concurrent first calls: one sign-in.
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(run.call, TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
        assert all(succeeded(r) for r in run.results)
        assert api.sign_ins == 1

        # The token is reused, not renewed per call.
        for _ in range(3):
            assert succeeded(await run.call(TOOL, {"confUUID": LARGE_UUID, "limit": 500}))
        assert api.sign_ins == 1

        # Three more lifetimes: each ends, and costs exactly one sign-in.
        for lifetime in range(2, 5):
            api.expire_all()
            for _ in range(2):
                assert succeeded(await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID}))
            assert api.sign_ins == lifetime
        assert api.refused_tokens == 3

        # A revoked token: one re-sign-in, and the call still succeeds.
        api.revoke_all()
        before = detail_calls(sandbox)
        assert succeeded(await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert api.sign_ins == 5
        assert detail_calls(sandbox) == before + 2, "the refused attempt and its one retry"

        # A call the API refuses whatever the token: one re-sign-in, one retry, then a clear error.
        refused = await run.call(TOOL, {"confUUID": "sandbox-error-unauthorized"})
        assert refused.is_error is True
        assert "new token was refused too" in text_of(refused)
        assert detail_calls(sandbox, "sandbox-error-unauthorized") == 2
        assert api.sign_ins == 6
        assert succeeded(await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert api.sign_ins == 6

        said = run.everything_said()
    assert "Signed in with the App ID" in said
    assert "X-Request-ID" in said, "debug logging was on, so the request log is part of what is scanned"
    secrets = sandbox.secret_strings()
    assert DEFAULT_APP_KEY in secrets
    assert len(secrets) >= 1 + 4 * 6, "the key plus each sign-in's token, refresh token and two device passwords"
    assert leaked(said, secrets) == []
    assert [a.status for a in api.attempts] == [200] * 6


async def test_wrong_app_key_is_explained_once_and_not_retried_in_a_loop(app_sandbox: LiveSandbox) -> None:
    api = app_sandbox.sandbox.auth
    async with run_server(app_sandbox.app_id_env(key=WRONG_KEY)) as run:
        first = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
        again = await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
        tools = (await run.client.list_tools()).tools
        said = run.everything_said()
    assert first.is_error is True
    assert "App ID or App Key is wrong" in text_of(first)
    assert "USG.206010025" in text_of(first)
    assert text_of(again) == text_of(first), "while backing off, the same error is repeated"
    assert [a.status for a in api.attempts] == [401]
    assert app_sandbox.sandbox.requests == [], "no business call without a token"
    assert TOOL in [t.name for t in tools], "the server keeps serving"
    assert leaked(said, {WRONG_KEY, *app_sandbox.sandbox.secret_strings()}) == []


async def test_account_sign_in_serves_calls_without_showing_the_password(app_sandbox: LiveSandbox) -> None:
    env = {
        "HUAWEI_MEETING_BASE_URL": app_sandbox.url,
        "HUAWEI_MEETING_ACCOUNT": DEFAULT_ACCOUNT,
        "HUAWEI_MEETING_PASSWORD": DEFAULT_PASSWORD,
        "HUAWEI_MEETING_LOG_LEVEL": "DEBUG",
    }
    async with run_server(env) as run:
        for _ in range(2):
            assert succeeded(await run.call(TOOL, {"confUUID": DOCS_EXAMPLE_UUID}))
        said = run.everything_said()
    assert app_sandbox.sandbox.auth.sign_ins == 1
    assert leaked(said, app_sandbox.sandbox.secret_strings()) == []
