"""The HTTP client against httpx.MockTransport: request shape, error mapping, retries, budget."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from huawei_meeting_mcp import errors
from huawei_meeting_mcp.client import MeetingClient, RetryPolicy
from huawei_meeting_mcp.transport import create_http_client, parse_retry_after
from huawei_meeting_mcp.wire import DetailQuery
from tests.support import FakeTokens

pytestmark = pytest.mark.anyio

BASE = "https://api.meeting.huaweicloud.com"
TOKEN = "stbCLIENT-TEST-TOKEN-000000000000000"
MINIMAL = {"conferenceData": {"conferenceID": "914083388"}, "data": {"offset": 0, "limit": 20, "count": 0, "data": []}}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def make_client(
    recorder: Recorder,
    *,
    tokens: Any = None,
    retries: int = 2,
    timeout: float = 10.0,
    max_body: int = 1_000_000,
) -> tuple[MeetingClient, httpx.AsyncClient]:
    http = create_http_client(BASE, timeout=timeout, transport=httpx.MockTransport(recorder))
    client = MeetingClient(
        http,
        tokens or FakeTokens(),
        timeout=timeout,
        retry=RetryPolicy(max_retries=retries, base_delay=0.5, max_delay=4),
        max_body_bytes=max_body,
        sleep=recorder.sleep,
    )
    return client, http


def ok(body: Any = MINIMAL, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=body, **kwargs)


def fail(status: int, code: str | None = None, message: str = "msg", **kwargs: Any) -> httpx.Response:
    body = {"error_code": code, "error_msg": message} if code else None
    return httpx.Response(status, json=body, **kwargs) if body else httpx.Response(status, **kwargs)


@pytest.mark.parametrize(
    ("participant_type", "headers"),
    [
        ("all", {"x-type": "0"}),
        ("people", {"x-type": "2", "x-query-type": "0"}),
        ("rooms", {"x-type": "2", "x-query-type": "1"}),
    ],
)
async def test_request_shape(participant_type: Any, headers: dict[str, str]) -> None:
    recorder = Recorder(ok())
    client, http = make_client(recorder)
    async with http:
        query = DetailQuery("abc", offset=40, limit=20, search_key="Wang", participant_type=participant_type)
        await client.conf_detail(query)
    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == "/v1/mmc/management/conferences/history/confDetail"
    assert dict(request.url.params) == {"confUUID": "abc", "offset": "40", "limit": "20", "searchKey": "Wang"}
    assert request.headers["x-access-token"] == "token-1"
    assert request.headers["user-agent"].startswith("huawei-meeting-mcp/")
    assert len(request.headers["x-request-id"]) == 32
    for name, value in headers.items():
        assert request.headers[name] == value
    if participant_type == "all":
        assert "x-query-type" not in request.headers
    assert "userUUID" not in str(request.url)


async def test_a_base_url_with_a_path_keeps_it_on_every_request() -> None:
    # An API gateway may serve the API below a path; each API path is merged with it once and reused.
    recorder = Recorder(ok())
    http = create_http_client("http://gateway.example/meeting/", timeout=10, transport=httpx.MockTransport(recorder))
    client = MeetingClient(http, FakeTokens(), timeout=10, retry=RetryPolicy(max_retries=0))
    async with http:
        for offset in (0, 20):
            await client.conf_detail(DetailQuery("abc", offset=offset, limit=20))
    assert [str(request.url) for request in recorder.requests] == [
        f"http://gateway.example/meeting/v1/mmc/management/conferences/history/confDetail?confUUID=abc&offset={offset}&limit=20"
        for offset in (0, 20)
    ]


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (fail(401, "USG.000000004"), errors.AuthenticationError),
        (fail(401), errors.AuthenticationError),
        (fail(403), errors.PermissionDeniedError),
        (fail(400, "MMC.111070010"), errors.PermissionDeniedError),
        (fail(400, "MMC.111070002"), errors.PermissionDeniedError),
        (fail(400, "MMC.111070005"), errors.NotFoundError),
        (fail(400, "MMC.111072065"), errors.NotFoundError),
        (fail(400, "MMC.111070001", "Request parameter error"), errors.BadRequestError),
        (fail(400, "100000429"), errors.RateLimitError),
        (fail(429), errors.RateLimitError),
        (fail(500, "MMC.111070003"), errors.ServerError),
        (
            httpx.Response(502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"}),
            errors.ServiceUnavailableError,
        ),
        (fail(404), errors.InvalidResponseError),
        (
            httpx.Response(200, text='{"conferenceData": {', headers={"Content-Type": "application/json"}),
            errors.InvalidResponseError,
        ),
        (
            httpx.Response(200, text="<html>login</html>", headers={"Content-Type": "text/html"}),
            errors.InvalidResponseError,
        ),
        (ok({"unexpected": True}), errors.InvalidResponseError),
        (ok({"conferenceData": "not an object"}), errors.InvalidResponseError),
        (httpx.Response(302, headers={"Location": "https://evil.example/steal"}), errors.InvalidResponseError),
        (httpx.ReadTimeout("slow"), errors.UpstreamTimeoutError),
    ],
)
async def test_each_error_class(response: Any, error: type[errors.UpstreamError]) -> None:
    recorder = Recorder(response)
    client, http = make_client(recorder, retries=0)
    async with http:
        with pytest.raises(error) as caught:
            await client.conf_detail(DetailQuery("abc"))
    message = str(caught.value)
    assert f"[X-Request-ID: {recorder.requests[-1].headers['x-request-id']}]" in message
    assert "token-1" not in message
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("raised", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no SYN-ACK")])
async def test_connect_errors_quote_no_request_id(raised: Exception) -> None:
    recorder = Recorder(raised)
    client, http = make_client(recorder, retries=0)
    async with http:
        with pytest.raises(errors.UpstreamConnectionError) as caught:
            await client.conf_detail(DetailQuery("abc"))
    assert "X-Request-ID" not in str(caught.value)
    assert "The request did not reach Huawei" in str(caught.value)


async def test_bad_request_carries_huaweis_message_cleaned() -> None:
    recorder = Recorder(fail(400, "MMC.111070001", "limit is\ninvalid" + "!" * 500))
    client, http = make_client(recorder)
    async with http:
        with pytest.raises(errors.BadRequestError) as caught:
            await client.conf_detail(DetailQuery("abc"))
    assert "limit is invalid" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 600


@pytest.mark.parametrize(
    "first", [fail(500, "MMC.111070003"), fail(429, "100000429"), fail(503), httpx.ConnectError("refused")]
)
async def test_retryable_failures_are_retried_twice_then_succeed(first: Any) -> None:
    recorder = Recorder(first, first, ok())
    client, http = make_client(recorder)
    async with http:
        result = await client.conf_detail(DetailQuery("abc"))
    assert result.conference_data.conference_id == "914083388"
    assert len(recorder.requests) == 3
    assert len({r.headers["x-request-id"] for r in recorder.requests}) == 3
    assert len(recorder.sleeps) == 2
    assert 0.25 <= recorder.sleeps[0] <= 0.5
    assert 0.5 <= recorder.sleeps[1] <= 1.0


async def test_retries_stop_after_two() -> None:
    recorder = Recorder(fail(500, "MMC.111070003"))
    client, http = make_client(recorder)
    async with http:
        with pytest.raises(errors.ServerError):
            await client.conf_detail(DetailQuery("abc"))
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("response", [fail(400, "MMC.111070001"), fail(401), fail(403), fail(400, "MMC.111072065")])
async def test_client_errors_are_not_retried(response: httpx.Response) -> None:
    recorder = Recorder(response)
    client, http = make_client(recorder)
    async with http:
        with pytest.raises(errors.UpstreamError):
            await client.conf_detail(DetailQuery("abc"))
    assert len(recorder.requests) == 1
    assert recorder.sleeps == []


async def test_retry_after_is_honoured() -> None:
    recorder = Recorder(fail(429, "100000429", headers={"Retry-After": "3"}), ok())
    client, http = make_client(recorder)
    async with http:
        await client.conf_detail(DetailQuery("abc"))
    assert recorder.sleeps == [3.0]


async def test_retry_after_beyond_the_budget_is_reported_at_once() -> None:
    recorder = Recorder(fail(429, "100000429", headers={"Retry-After": "30"}), ok())
    client, http = make_client(recorder, timeout=5)
    async with http:
        with pytest.raises(errors.RateLimitError, match="rate-limiting"):
            await client.conf_detail(DetailQuery("abc"))
    assert len(recorder.requests) == 1
    assert recorder.sleeps == []


async def test_a_hanging_upstream_hits_the_time_budget() -> None:
    calls = 0

    async def hang(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await anyio.Event().wait()  # never answers
        raise AssertionError("unreachable")

    http = create_http_client(BASE, timeout=0.2, transport=httpx.MockTransport(hang))
    client = MeetingClient(http, FakeTokens(), timeout=0.2)
    async with http:
        with pytest.raises(errors.UpstreamTimeoutError, match=r"0\.2-second budget") as caught:
            await client.conf_detail(DetailQuery("abc"))
    assert calls == 1
    assert "X-Request-ID: " in str(caught.value)


async def test_one_token_renewal_then_success() -> None:
    tokens = FakeTokens(renewals=1)
    recorder = Recorder(fail(401, "USG.000000004"), ok())
    client, http = make_client(recorder, tokens=tokens)
    async with http:
        await client.conf_detail(DetailQuery("abc"))
    assert [r.headers["x-access-token"] for r in recorder.requests] == ["token-1", "token-2"]


async def test_persistent_401_is_reported_not_looped() -> None:
    tokens = FakeTokens(renewals=5)
    recorder = Recorder(fail(401, "USG.000000004"))
    client, http = make_client(recorder, tokens=tokens)
    async with http:
        with pytest.raises(errors.AuthenticationError):
            await client.conf_detail(DetailQuery("abc"))
    assert len(recorder.requests) == 2


async def test_static_token_401_is_not_retried() -> None:
    recorder = Recorder(fail(401, "USG.000000004"))
    client, http = make_client(recorder)
    async with http:
        with pytest.raises(errors.AuthenticationError, match="App ID"):
            await client.conf_detail(DetailQuery("abc"))
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("declared", [True, False])
async def test_oversized_body_is_refused(declared: bool) -> None:
    big = json.dumps({"conferenceData": {"subject": "x" * 5000}}).encode()

    async def stream() -> Any:
        for i in range(0, len(big), 1000):
            yield big[i : i + 1000]

    headers = {"Content-Type": "application/json"}
    response = (
        httpx.Response(200, content=big, headers=headers)
        if declared
        else httpx.Response(200, content=stream(), headers=headers)
    )
    recorder = Recorder(response)
    client, http = make_client(recorder, max_body=2000)
    async with http:
        with pytest.raises(errors.InvalidResponseError, match="too large"):
            await client.conf_detail(DetailQuery("abc"))


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# ---------------------------------------------------------------- retries follow the error: `UpstreamError.retryable`


def unknown_host(request: httpx.Request) -> httpx.Response:
    try:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    except socket.gaierror as exc:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc


def tls_failure(request: httpx.Request) -> httpx.Response:
    try:
        raise ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    except ssl.SSLError as exc:
        raise httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number", request=request) from exc


def refused(request: httpx.Request) -> httpx.Response:
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except ConnectionRefusedError as exc:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request) from exc


def raising(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def answering(response: httpx.Response) -> Handler:
    return lambda request: response


@pytest.mark.parametrize(
    ("handler", "error", "attempts"),
    [
        pytest.param(unknown_host, errors.UnknownHostError, 1, id="unknown-host"),
        pytest.param(tls_failure, errors.TlsHandshakeError, 1, id="tls"),
        pytest.param(answering(fail(400, "MMC.111070001")), errors.BadRequestError, 1, id="400"),
        pytest.param(answering(fail(403)), errors.PermissionDeniedError, 1, id="403"),
        pytest.param(answering(fail(404)), errors.InvalidResponseError, 1, id="404"),
        pytest.param(answering(fail(409)), errors.BadRequestError, 1, id="409"),
        pytest.param(answering(ok({"unexpected": True})), errors.InvalidResponseError, 1, id="wrong-shape"),
        pytest.param(raising(httpx.UnsupportedProtocol("ftp")), errors.UpstreamConnectionError, 1, id="protocol"),
        pytest.param(answering(fail(500)), errors.ServerError, 4, id="500"),
        pytest.param(answering(fail(503)), errors.ServiceUnavailableError, 4, id="503"),
        pytest.param(answering(fail(429)), errors.RateLimitError, 4, id="429"),
        pytest.param(answering(fail(400, "100000429")), errors.RateLimitError, 4, id="429-by-code"),
        pytest.param(refused, errors.ConnectionRefusedByHostError, 4, id="refused"),
        pytest.param(
            raising(httpx.ConnectTimeout("no SYN-ACK")), errors.UpstreamConnectionError, 4, id="connect-timeout"
        ),
        pytest.param(raising(httpx.ReadTimeout("slow")), errors.UpstreamTimeoutError, 4, id="read-timeout"),
        pytest.param(raising(httpx.RemoteProtocolError("closed")), errors.UpstreamConnectionError, 4, id="closed"),
    ],
)
async def test_each_error_is_attempted_as_often_as_it_says(
    handler: Handler, error: type[errors.UpstreamError], attempts: int
) -> None:
    recorder = Recorder(httpx.Response(200))
    sent: list[httpx.Request] = []

    def counted(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    http = create_http_client(BASE, timeout=10, transport=httpx.MockTransport(counted))
    client = MeetingClient(http, FakeTokens(), timeout=10, retry=RetryPolicy(max_retries=3), sleep=recorder.sleep)
    async with http:
        with pytest.raises(errors.UpstreamError) as caught:
            await client.conf_detail(DetailQuery("abc"))
    assert type(caught.value) is error
    assert caught.value.retryable is (attempts > 1)
    assert len(sent) == attempts
    assert len(recorder.sleeps) == attempts - 1


def test_retryable_is_the_class_default_unless_the_error_says_otherwise() -> None:
    assert errors.ServerError(request_id="r").retryable is True
    assert errors.BadRequestError(request_id="r").retryable is False
    assert errors.UnknownHostError(request_id="r").retryable is False
    assert errors.ConnectionBrokenError(request_id="r").retryable is True
    kept = errors.UpstreamConnectionError(request_id="r", retryable=False)
    assert kept.retryable is False
    assert kept.with_advice("Check it.").retryable is False
