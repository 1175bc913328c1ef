"""Sign-in and the token lifecycle, against the sandbox's real sign-in endpoints over ASGI.

The provider and the sandbox share one fake clock, so token lifetimes pass without sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import anyio
import httpx
import pytest

from huawei_meeting_mcp.auth import (
    ACCOUNT_AUTH_PATH,
    APP_AUTH_PATH,
    FIRST_BACKOFF,
    AccountSignIn,
    AppIdSignIn,
    NoCredentials,
    SignIn,
    SigningIn,
    StaticToken,
    access_value,
    app_id_signature,
    renewal_margin,
    token_provider,
)
from huawei_meeting_mcp.client import MeetingClient, RetryPolicy, SignInClient
from huawei_meeting_mcp.errors import (
    REFUSED_AFTER_SIGN_IN,
    AuthenticationError,
    InvalidResponseError,
    ServerError,
    SignInError,
    error_for_status,
)
from huawei_meeting_mcp.redaction import MASK, REDACTOR
from huawei_meeting_mcp.sandbox import (
    DEFAULT_ACCOUNT,
    DEFAULT_APP_ID,
    DEFAULT_APP_KEY,
    DEFAULT_PASSWORD,
    DISABLED_ACCOUNT,
    DOCS_EXAMPLE_UUID,
    LOCKED_ACCOUNT,
    AuthApi,
    Sandbox,
)
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.transport import create_http_client
from huawei_meeting_mcp.wire import DetailQuery, TokenResponse
from tests.clock import FakeClock

pytestmark = pytest.mark.anyio

VECTOR_NOW = 1_700_000_000 - 600  # so that expireTime = now + 600 is the documented 1700000000
VECTOR_NONCE = "0123456789abcdef0123456789abcdef"
VECTORS = [
    (None, None, "5B1404464C5CEBDBFEC6197FFBC51CEE4BB5830F4051F5B1DF9FFDBDA350EB9B"),
    ("user01", None, "492D267CFD3A8C4C1AD02CE19FF0D5EC6AC3ABC395A64C1AD74141E69C3CB3E7"),
    ("user01", "corp01", "AC9EA5671AFD0D8A17E2D626C63924CCE625BD347A2C7435BF244F0C6B8F7135"),
]


# --- the signature and the requests, as documented (§4.1, §4.2) ---------------------------------


@pytest.mark.parametrize(("user_id", "corp_id", "signature"), VECTORS)
def test_signature_reproduces_the_documented_vectors(user_id: str | None, corp_id: str | None, signature: str) -> None:
    assert app_id_signature("demoAppKey", "demoAppId", user_id, 1_700_000_000, VECTOR_NONCE, corp_id) == signature


def test_access_value_reproduces_the_documented_vector() -> None:
    assert access_value("demoAppId") == "ZGVtb0FwcElk"


def test_empty_fields_keep_their_colons() -> None:
    signature = app_id_signature("demoAppKey", "demoAppId", None, 1_700_000_000, VECTOR_NONCE, corp_id="")
    sp_admin = hmac.new(b"demoAppKey", f"demoAppId:::1700000000:{VECTOR_NONCE}".encode(), hashlib.sha256)
    assert signature == sp_admin.hexdigest().upper()


@pytest.mark.parametrize(("user_id", "corp_id", "signature"), VECTORS)
def test_app_id_request_is_built_exactly_as_documented(
    monkeypatch: pytest.MonkeyPatch, user_id: str | None, corp_id: str | None, signature: str
) -> None:
    monkeypatch.setattr(secrets, "token_hex", lambda _nbytes: VECTOR_NONCE)  # auth.py draws its nonce from it
    request = AppIdSignIn("demoAppId", "demoAppKey", user_id, corp_id).request(VECTOR_NOW)
    assert request.path == APP_AUTH_PATH == "/v2/usg/acs/auth/appauth"
    assert request.headers == {
        "Authorization": f"HMAC-SHA256 signature={signature},access=ZGVtb0FwcElk",
        "X-Token-Type": "LongTicket",
    }
    expected = {"appId": "demoAppId", "clientType": 72, "expireTime": 1_700_000_000, "nonce": VECTOR_NONCE}
    if user_id:
        expected["userId"] = user_id
    if corp_id:
        expected["corpId"] = corp_id
    assert request.body == expected


def test_nonces_are_random_and_of_allowed_length() -> None:
    sign_in = AppIdSignIn("demoAppId", "demoAppKey")
    nonces = {str(sign_in.request(VECTOR_NOW).body["nonce"]) for _ in range(20)}
    assert len(nonces) == 20
    assert all(re.fullmatch(r"[0-9a-f]{32,64}", nonce) for nonce in nonces)


def test_account_request_uses_basic_auth() -> None:
    request = AccountSignIn("someone@corp", "pa:ss word").request(0)
    assert request.path == ACCOUNT_AUTH_PATH == "/v1/usg/acs/auth/account"
    assert request.body == {"account": "someone@corp", "clientType": 72}
    scheme, encoded = request.headers["Authorization"].split(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "someone@corp:pa:ss word"


def test_sign_in_methods_do_not_show_secrets_in_repr() -> None:
    assert "demoAppKey" not in repr(AppIdSignIn("demoAppId", "demoAppKey"))
    assert "hunter22" not in repr(AccountSignIn("someone", "hunter22"))


@pytest.mark.parametrize(
    ("lifetime", "margin"),
    [(86_400, 8_640), (43_200, 4_320), (600, 60), (300, 60), (100, 50), (2, 1)],
)
def test_renewal_margin(lifetime: float, margin: float) -> None:
    assert renewal_margin(lifetime) == margin


# --- the provider against the sandbox -----------------------------------------------------------


class GatedPoster:
    """Holds every sign-in at a gate until the test opens it, so concurrent callers really overlap."""

    def __init__(self, inner: SignInClient) -> None:
        self.inner = inner
        self.gate = anyio.Event()
        self.waiting = 0

    async def post_model(self, *args: Any) -> Any:
        self.waiting += 1
        await self.gate.wait()
        return await self.inner.post_model(*args)


@dataclass
class Harness:
    """A provider and a client wired to a sandbox, sharing a fake clock."""

    sandbox: Sandbox
    clock: FakeClock
    tokens: SigningIn
    client: MeetingClient
    poster: GatedPoster

    @property
    def api(self) -> AuthApi:
        return self.sandbox.auth

    def detail_calls(self, conf_uuid: str = DOCS_EXAMPLE_UUID) -> int:
        return sum(1 for r in self.sandbox.requests if r.path == CONF_DETAIL_PATH and r.query["confUUID"] == conf_uuid)


@asynccontextmanager
async def harness(
    sign_in: SignIn | None = None,
    *,
    api: AuthApi | None = None,
    clock: FakeClock | None = None,
    sandbox_clock: FakeClock | None = None,
    gated: bool = False,
) -> AsyncIterator[Harness]:
    """A SigningIn provider (App ID by default) and client over ASGI to a sandbox on the same clock."""
    clock = clock or FakeClock()
    sandbox = Sandbox(tokens=(), auth=api or AuthApi(token_lifetime=1000, clock=sandbox_clock or clock))
    transport = httpx.ASGITransport(app=sandbox.app)
    async with create_http_client("http://127.0.0.1", timeout=10, transport=transport) as http:
        poster = GatedPoster(SignInClient(http, timeout=10))
        if not gated:
            poster.gate.set()
        tokens = SigningIn(sign_in or AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY), poster, clock=clock)
        client = MeetingClient(http, tokens, timeout=10, retry=RetryPolicy(max_retries=0))
        yield Harness(sandbox, clock, tokens, client, poster)


async def test_concurrent_calls_share_one_sign_in() -> None:
    got: list[str] = []
    async with harness(gated=True) as h:

        async def fetch() -> None:
            got.append(await h.tokens.get_token())

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(fetch)
            await anyio.wait_all_tasks_blocked()
            assert h.poster.waiting == 1, "the other 19 wait for the one sign-in in flight"
            h.poster.gate.set()
    assert h.api.sign_ins == 1
    assert len(got) == 20
    assert len(set(got)) == 1


async def test_concurrent_tool_calls_share_one_sign_in() -> None:
    async with harness(gated=True) as h, anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(h.client.conf_detail, DetailQuery(DOCS_EXAMPLE_UUID))
        await anyio.wait_all_tasks_blocked()
        assert h.poster.waiting == 1
        h.poster.gate.set()
    assert h.api.sign_ins == 1
    assert h.detail_calls() == 10


async def test_token_is_reused_and_renewed_once_per_lifetime_before_it_expires() -> None:
    # Lifetime 1000 s -> margin max(60, 100) = 100 s: renewal is due 900 s after each sign-in.
    async with harness() as h:
        start = h.clock.now
        for lifetime in range(4):
            for offset in (0, 1, 450, 899.5):
                h.clock.now = start + 900 * lifetime + offset
                await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
                assert h.api.sign_ins == lifetime + 1, (lifetime, offset)
        assert h.api.refused_tokens == 0, "renewed before expiry: the API never saw an expired token"
        assert h.detail_calls() == 16


async def test_short_lived_tokens_are_still_reused_for_half_their_life() -> None:
    api_clock = FakeClock()
    async with harness(api=AuthApi(token_lifetime=30, clock=api_clock), clock=api_clock) as h:
        first = await h.tokens.get_token()
        h.clock.advance(14.9)
        assert await h.tokens.get_token() == first
        h.clock.advance(0.1)
        assert await h.tokens.get_token() != first
    assert h.api.sign_ins == 2


async def test_revoked_token_costs_one_sign_in_and_the_call_succeeds() -> None:
    async with harness() as h:
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
        h.api.revoke(await h.tokens.get_token())
        answer = await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    assert answer.conference_data.conference_id == "914083388"
    assert h.api.sign_ins == 2
    assert h.api.refused_tokens == 1
    assert h.detail_calls() == 3, "first call, the refused attempt, and its one retry"


async def test_token_the_service_expired_early_is_replaced_on_the_next_call() -> None:
    async with harness() as h:
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
        h.api.expire_all()
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    assert h.api.sign_ins == 2
    assert h.detail_calls() == 3


async def test_persistent_401_is_reported_after_one_retry_never_looped() -> None:
    async with harness() as h:
        for call in range(1, 3):
            with pytest.raises(AuthenticationError) as caught:
                await h.client.conf_detail(DetailQuery("sandbox-error-unauthorized"))
            assert h.detail_calls("sandbox-error-unauthorized") == 2 * call
            assert h.api.sign_ins == 1 + call
        assert REFUSED_AFTER_SIGN_IN in str(caught.value)
        assert "USG.000000004" in str(caught.value)
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    assert h.api.sign_ins == 3, "the next good call reuses the token from the last re-sign-in"


async def test_token_rejected_forces_one_sign_in_per_token() -> None:
    async with harness() as h:
        first = await h.tokens.get_token()
        assert await h.tokens.token_rejected(first) is True
        second = await h.tokens.get_token()
        assert second != first
        # A late report about the replaced token: retrying with the new one is worth it, signing in again is not.
        assert await h.tokens.token_rejected(first) is True
        assert await h.tokens.get_token() == second
        assert await h.tokens.token_rejected("a token it never issued") is False
    assert h.api.sign_ins == 2


async def test_static_token_is_never_renewed() -> None:
    tokens = StaticToken("stbStatic")
    assert await tokens.get_token() == "stbStatic"
    assert await tokens.token_rejected("stbStatic") is False


async def test_issued_tokens_and_refresh_tokens_are_masked_in_logs() -> None:
    async with harness() as h:
        token = await h.tokens.get_token()
    issued = [s for s in h.api.secret_strings() if s.startswith(("stb", "rtk"))]
    assert token in issued
    assert len(issued) == 2
    assert [REDACTOR.redact(f"<{s}>") for s in issued] == [f"<{MASK}>"] * 2


async def test_sandbox_keeps_one_token_per_user_unless_client_type_is_72() -> None:
    async with harness() as h:
        sign_in = AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY)
        http = h.poster.inner
        issued = []
        for client_type in (72, 72, 1):
            request = sign_in.request(h.clock.now)
            body = {**request.body, "clientType": client_type}
            answer = await http.post_model(request.path, body, request.headers, TokenResponse, error_for_status)
            issued.append(answer.access_token)
            if len(issued) == 2:
                assert sorted(h.api.valid_tokens()) == sorted(issued), "clientType 72 allows several tokens"
    assert h.api.valid_tokens() == [issued[2]], "clientType 1 allows one token: the earlier ones are evicted"


# --- sign-in failures ---------------------------------------------------------------------------

WRONG_KEY = "WrongKey-0000-1111-2222-333344445555"
WRONG_PASSWORD = "Wrong#Password99"


@dataclass(frozen=True)
class Failure:
    sign_in: SignIn
    status: int
    code: str | None
    phrase: str
    api: Callable[[FakeClock], AuthApi] = lambda clock: AuthApi(clock=clock)
    skew: float = 0.0


FAILURES = {
    "wrong app key": Failure(
        AppIdSignIn(DEFAULT_APP_ID, WRONG_KEY), 401, "USG.206010025", "App ID or App Key is wrong"
    ),
    "wrong app id": Failure(AppIdSignIn("someOtherAppId", DEFAULT_APP_KEY), 401, "USG.206010025", "App Key is wrong"),
    "clock behind": Failure(
        AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY), 401, "USG.206010057", "check the system clock", skew=601
    ),
    "corp id for a single-enterprise app": Failure(
        AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY, corp_id="corp01"), 401, "USG.206010025", "HUAWEI_MEETING_CORP_ID"
    ),
    "multi-enterprise app without corp id": Failure(
        AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY, user_id="user01"),
        401,
        "USG.206010025",
        "App Key is wrong",
        api=lambda clock: AuthApi(corp_ids={"corp01"}, clock=clock),
    ),
    "enterprise outside the app": Failure(
        AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY, corp_id="corp99"),
        400,
        "USG.206110009",
        "does not belong to that enterprise",
        api=lambda clock: AuthApi(corp_ids={"corp01"}, clock=clock),
    ),
    "wrong password": Failure(
        AccountSignIn(DEFAULT_ACCOUNT, WRONG_PASSWORD), 401, "USG.206010000", "password is wrong"
    ),
    "unknown account": Failure(AccountSignIn("nobody", DEFAULT_PASSWORD), 401, "USG.206010000", "password is wrong"),
    "disabled account": Failure(AccountSignIn(DISABLED_ACCOUNT, DEFAULT_PASSWORD), 412, None, "account is disabled"),
    "locked account": Failure(AccountSignIn(LOCKED_ACCOUNT, DEFAULT_PASSWORD), 423, None, "account is locked"),
}


@pytest.mark.parametrize("case", FAILURES.values(), ids=FAILURES.keys())
async def test_each_sign_in_failure_says_what_to_fix_without_a_secret(case: Failure) -> None:
    clock = FakeClock()
    sandbox_clock = FakeClock(clock.now + case.skew)
    async with harness(case.sign_in, api=case.api(sandbox_clock), clock=clock) as h:
        with pytest.raises(SignInError) as caught:
            await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    message = str(caught.value)
    assert case.phrase in message
    assert f"HTTP {case.status}" in message
    if case.code:
        assert case.code in message
    assert re.search(r"\[X-Request-ID: [0-9a-f]{32}\]", message)
    for secret in (*case.sign_in.secrets(), DEFAULT_APP_KEY, DEFAULT_PASSWORD, WRONG_KEY, WRONG_PASSWORD):
        assert secret not in message
    assert h.detail_calls() == 0, "no business call is made without a token"
    assert [a.status for a in h.api.attempts] == [case.status]


async def test_multi_enterprise_app_signs_in_with_the_five_part_signature() -> None:
    clock = FakeClock()
    api = AuthApi(corp_ids={"corp01"}, clock=clock)
    async with harness(
        AppIdSignIn(DEFAULT_APP_ID, DEFAULT_APP_KEY, "user8002@corpnew", "corp01"), api=api, clock=clock
    ) as h:
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    assert h.api.sign_ins == 1


async def test_account_sign_in_works() -> None:
    async with harness(AccountSignIn(DEFAULT_ACCOUNT, DEFAULT_PASSWORD)) as h:
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
        await h.client.conf_detail(DetailQuery(DOCS_EXAMPLE_UUID))
    assert h.api.sign_ins == 1


async def test_failed_sign_in_backs_off_and_repeats_the_error() -> None:
    async with harness(AppIdSignIn(DEFAULT_APP_ID, WRONG_KEY)) as h:
        messages = []
        for _ in range(3):
            with pytest.raises(SignInError) as caught:
                await h.tokens.get_token()
            messages.append(str(caught.value))
        assert len(h.api.attempts) == 1, "no new attempt while backing off"
        assert len(set(messages)) == 1, "the same error is repeated"

        async def try_once() -> None:
            with pytest.raises(SignInError):
                await h.tokens.get_token()

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(try_once)
        assert len(h.api.attempts) == 1

        h.clock.advance(FIRST_BACKOFF)
        with pytest.raises(SignInError):
            await h.tokens.get_token()
        assert len(h.api.attempts) == 2
        h.clock.advance(FIRST_BACKOFF)  # the second pause is twice as long
        with pytest.raises(SignInError):
            await h.tokens.get_token()
        assert len(h.api.attempts) == 2
        h.clock.advance(FIRST_BACKOFF)
        h.api.app_key = WRONG_KEY  # the operator fixed the key on the service side
        assert await h.tokens.get_token()
    assert [a.status for a in h.api.attempts] == [401, 401, 200]


async def test_failed_renewal_keeps_the_current_token_until_it_expires() -> None:
    async with harness() as h:
        first = await h.tokens.get_token()
        h.api.app_key = WRONG_KEY  # from now on sign-in fails
        h.clock.advance(950)  # in the renewal window, not yet expired
        assert await h.tokens.get_token() == first
        assert await h.tokens.get_token() == first
        assert [a.status for a in h.api.attempts] == [200, 401]
        h.clock.advance(50)  # expired, and the back-off is over
        with pytest.raises(SignInError):
            await h.tokens.get_token()
    assert [a.status for a in h.api.attempts] == [200, 401, 401]


# --- odd answers from the sign-in API -------------------------------------------------------------


@asynccontextmanager
async def answered_by(handler: Callable[[httpx.Request], httpx.Response]) -> AsyncIterator[tuple[SigningIn, FakeClock]]:
    clock = FakeClock(1_800_000_000)
    async with create_http_client("https://api.example", timeout=5, transport=httpx.MockTransport(handler)) as http:
        yield SigningIn(AppIdSignIn("app", "key"), SignInClient(http, timeout=5), clock=clock), clock


@pytest.mark.parametrize(
    ("answer", "lifetime"),
    [
        ({"accessToken": "stbA", "validPeriod": 1000, "expireTime": 1}, 1000),  # validPeriod wins over a skewed clock
        ({"accessToken": "stbA", "validPeriod": "1000"}, 1000),
        ({"accessToken": "stbA", "expireTime": 1_800_000_500}, 500),
        ({"accessToken": "stbA"}, 12 * 3600),
        ({"accessToken": "stbA", "validPeriod": "soon", "expireTime": None}, 12 * 3600),
    ],
)
async def test_lifetime_is_read_tolerantly(answer: dict[str, object], lifetime: float) -> None:
    posts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posts.append(request)
        return httpx.Response(200, json=answer)

    async with answered_by(handler) as (tokens, clock):
        start = clock.now
        await tokens.get_token()
        clock.now = start + lifetime - renewal_margin(lifetime) - 0.5
        await tokens.get_token()
        assert len(posts) == 1
        clock.now = start + lifetime - renewal_margin(lifetime)
        await tokens.get_token()
        assert len(posts) == 2
    sent = posts[0]
    assert sent.method == "POST"
    assert sent.url.path == APP_AUTH_PATH
    assert sent.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert sent.headers["X-Token-Type"] == "LongTicket"
    assert "X-Access-Token" not in sent.headers
    assert json.loads(sent.content)["clientType"] == 72


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(200, json={"validPeriod": 1000}), InvalidResponseError),
        (httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}), InvalidResponseError),
        (httpx.Response(500, json={"error_code": "USG.000000002", "error_msg": "Internal error"}), ServerError),
    ],
)
async def test_unusable_sign_in_answers_are_clear_errors(response: httpx.Response, error: type[Exception]) -> None:
    async with answered_by(lambda _request: response) as (tokens, _clock):
        with pytest.raises(error):
            await tokens.get_token()


async def test_upstream_message_quoting_a_secret_is_masked() -> None:
    REDACTOR.add("key-quoted-by-upstream")
    body = {"error_code": "USG.206010025", "error_msg": "bad key key-quoted-by-upstream"}
    async with answered_by(lambda _request: httpx.Response(401, json=body)) as (tokens, _clock):
        with pytest.raises(SignInError) as caught:
            await tokens.get_token()
    assert "key-quoted-by-upstream" not in str(caught.value)
    assert "bad key ***" in str(caught.value)


# --- choosing the provider ------------------------------------------------------------------------


class NeverPosts:
    async def post_model(self, *args: object) -> NoReturn:
        raise AssertionError("choosing a provider must not sign in")


def test_provider_follows_the_configured_method() -> None:
    def settings(**values: str) -> Settings:
        return Settings.model_validate(values)

    assert isinstance(token_provider(settings(access_token="stbX"), NeverPosts()), StaticToken)
    assert isinstance(token_provider(settings(), NeverPosts()), NoCredentials)
    app = token_provider(settings(app_id="a", app_key="app-key-secret"), NeverPosts())
    account = token_provider(settings(account="me", password="pw-secret"), NeverPosts())
    assert isinstance(app, SigningIn)
    assert isinstance(account, SigningIn)
    assert REDACTOR.redact("app-key-secret pw-secret") == f"{MASK} {MASK}"
