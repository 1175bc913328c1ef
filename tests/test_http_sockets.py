"""HTTP mode holds: idle, half-sent and stalled-body sockets cannot lock authorised clients out; slow ones close."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress

import anyio
import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from huawei_meeting_mcp.app import create_server
from huawei_meeting_mcp.http_server import (
    MAX_IN_FLIGHT,
    BearerTokenMiddleware,
    HttpGuard,
    bind_socket,
    build_app,
    uvicorn_config,
)
from huawei_meeting_mcp.http_sockets import GuardedH11Protocol
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.settings import Settings
from tests.support import LiveSandbox, http_server

pytestmark = pytest.mark.anyio

TOKEN = "http-bearer-sockets-Hq4v8Lm2"
HALF_SENT = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
IDLE_SOCKETS = 100
HALF_OPEN_SOCKETS = 100
FAILURE_BOUND = 30.0
"""Seconds after which a test gives up: a bound on failure, never a measured expectation."""
BODY_DEADLINE = 1.0
"""The body deadline injected in tests: short, so that the stalled requests are answered soon."""
STALLED_BODY = (
    b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n"
    b"Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
    b"Content-Length: 200\r\n\r\n" + b'{"jsonrpc": "2.0", "id": 1, '
)
"""Complete, authorised headers and the first bytes of a 200-byte body that never comes."""


def _still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


@pytest.mark.e2e
async def test_200_idle_and_half_open_sockets_leave_room_for_an_authorised_call(live_sandbox: LiveSandbox) -> None:
    with http_server(live_sandbox.env(HUAWEI_MEETING_HTTP_TOKEN=TOKEN)) as run, ExitStack() as sockets:
        port = int(run.base.rsplit(":", 1)[1])
        held: list[socket.socket] = []
        for i in range(IDLE_SOCKETS + HALF_OPEN_SOCKETS):
            sock = sockets.enter_context(socket.create_connection(("127.0.0.1", port), timeout=FAILURE_BOUND))
            if i >= IDLE_SOCKETS:
                sock.sendall(HALF_SENT)
            held.append(sock)
        assert all(_still_open(sock) for sock in held[:5] + held[-5:])
        authorised = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=FAILURE_BOUND)
        async with authorised, Client(streamable_http_client(run.url, http_client=authorised)) as client:
            with anyio.fail_after(FAILURE_BOUND):
                result = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
    assert result.is_error is False
    assert "Exceeded concurrency limit" not in run.stderr()


class Gate:
    """An ASGI app that answers 200 once released; counts the requests that reached it."""

    def __init__(self, *, closed: bool = True) -> None:
        self.reached = 0
        self.closed = closed
        self._release: anyio.Event | None = None
        self._arrived: anyio.Event | None = None

    async def wait_until_reached(self, count: int) -> None:
        """Return once `count` requests have reached the app."""
        while self.reached < count:
            self._arrived = self._arrived or anyio.Event()
            await self._arrived.wait()

    @property
    def release(self) -> anyio.Event:
        """Set it to let the held requests through (created on first use, inside the event loop)."""
        if self._release is None:
            self._release = anyio.Event()
        return self._release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.reached += 1
        if self._arrived is not None:
            self._arrived.set()
            self._arrived = None
        if self.closed:
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})


async def test_the_in_flight_cap_counts_only_authorised_requests() -> None:
    gate = Gate()
    app = BearerTokenMiddleware(HttpGuard(gate, max_in_flight=2), TOKEN)
    transport = httpx.ASGITransport(app=app)
    good = {"Authorization": f"Bearer {TOKEN}"}
    statuses: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:

        async def post(headers: dict[str, str]) -> None:
            statuses.append((await http.post("/mcp", content=b"{}", headers=headers)).status_code)

        with anyio.fail_after(FAILURE_BOUND):
            async with anyio.create_task_group() as group:
                for _ in range(5):
                    group.start_soon(post, {})  # no token: 401 at once, no slot taken
                group.start_soon(post, good)
                group.start_soon(post, good)
                await gate.wait_until_reached(2)  # both authorised requests hold their slot
                busy = await http.post("/mcp", content=b"{}", headers=good)
                refused_unauthorised = await http.post("/mcp", content=b"{}")
                gate.release.set()
            again = await http.post("/mcp", content=b"{}", headers=good)
    assert sorted(statuses) == [200, 200, 401, 401, 401, 401, 401]
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["error_description"] == "2 requests are already in flight; retry in a second."
    assert refused_unauthorised.status_code == 401, "over the cap, a request without the token still gets 401"
    assert again.status_code == 200, "a slot frees when its request ends"
    assert gate.reached == 3


class Arrivals:
    """ASGI middleware that sets `all_in` once `expected` HTTP requests have passed their headers to the app.

    A threading event: the server runs its own event loop, in another thread than the test's.
    """

    def __init__(self, app: ASGIApp, expected: int) -> None:
        self.app = app
        self.expected = expected
        self.all_in = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.expected -= 1
            if self.expected <= 0:
                self.all_in.set()
        await self.app(scope, receive, send)


async def _stalled_then(rest: anyio.Event, reading: anyio.Event) -> Receive:
    """A receive that hands over the first bytes of a body, then waits for `rest` (which may never come)."""
    messages: list[Message] = [{"type": "http.request", "body": b'{"jsonrpc"', "more_body": True}]

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        reading.set()
        await rest.wait()
        return {"type": "http.request", "body": b': "2.0"}', "more_body": False}

    return receive


def _post_scope() -> Scope:
    return {"type": "http", "method": "POST", "path": "/mcp", "headers": [(b"host", b"127.0.0.1")]}


async def test_a_request_still_sending_its_body_holds_no_slot() -> None:
    gate = Gate(closed=False)
    guard = HttpGuard(gate, max_in_flight=1, body_timeout=FAILURE_BOUND)
    rest, reading = anyio.Event(), anyio.Event()
    sent: list[Message] = []

    async def keep(message: Message) -> None:
        sent.append(message)

    receive = await _stalled_then(rest, reading)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guard), base_url="http://127.0.0.1") as http:
        with anyio.fail_after(FAILURE_BOUND):
            async with anyio.create_task_group() as group:
                group.start_soon(guard, _post_scope(), receive, keep)
                await reading.wait()  # the first request is reading its body
                in_flight_while_reading = guard.in_flight
                served = await http.post("/mcp", content=b"{}")
                rest.set()
    assert in_flight_while_reading == 0
    assert served.status_code == 200, "with one slot, a complete request is served while another body is pending"
    assert sent[0]["status"] == 200, "a body that ends within the deadline is served"
    assert gate.reached == 2


async def test_a_body_not_in_by_the_deadline_gets_408_and_a_closed_connection() -> None:
    gate = Gate(closed=False)
    guard = HttpGuard(gate, body_timeout=0.05)
    sent: list[Message] = []

    async def keep(message: Message) -> None:
        sent.append(message)

    with anyio.fail_after(FAILURE_BOUND):
        await guard(_post_scope(), await _stalled_then(anyio.Event(), anyio.Event()), keep)
    start, body = sent
    assert start["status"] == 408
    assert (b"connection", b"close") in start["headers"]
    assert b"did not arrive within 0.05 s" in body["body"]
    assert gate.reached == 0
    assert guard.in_flight == 0


def _answer_then_closed(sock: socket.socket) -> bytes:
    """Everything the server sends on `sock` until it closes it (up to the failure bound)."""
    sock.settimeout(FAILURE_BOUND)
    chunks: list[bytes] = []
    with suppress(ConnectionResetError):
        while chunk := sock.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.e2e
async def test_as_many_stalled_bodies_as_the_cap_leave_room_for_an_authorised_call(live_sandbox: LiveSandbox) -> None:
    settings = Settings(base_url=live_sandbox.url, access_token=SecretStr(DEFAULT_TOKEN), http_token=SecretStr(TOKEN))
    app = Arrivals(build_app(create_server(settings), "127.0.0.1", settings, body_timeout=BODY_DEADLINE), MAX_IN_FLIGHT)
    with serving(header_timeout=FAILURE_BOUND, app=app) as (port, _server), ExitStack() as sockets:
        stalled = [
            sockets.enter_context(socket.create_connection(("127.0.0.1", port), timeout=FAILURE_BOUND))
            for _ in range(MAX_IN_FLIGHT)
        ]
        for sock in stalled:
            sock.sendall(STALLED_BODY)
        assert await anyio.to_thread.run_sync(app.all_in.wait, FAILURE_BOUND), "the stalled requests reached the app"
        authorised = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=FAILURE_BOUND)
        url = f"http://127.0.0.1:{port}/mcp"
        async with authorised, Client(streamable_http_client(url, http_client=authorised)) as client:
            with anyio.fail_after(FAILURE_BOUND):
                result = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
        answers = [_answer_then_closed(sock) for sock in stalled]
    assert result.is_error is False
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), {a[:40] for a in answers}
    assert all(b"connection: close" in answer.lower() for answer in answers)


@contextmanager
def serving(
    header_timeout: float, keep_alive_timeout: int = 1, app: ASGIApp | None = None
) -> Iterator[tuple[int, uvicorn.Server]]:
    """Serve `app` (by default one answering at once) in a thread with our uvicorn settings; yield port and server."""
    served = app or Gate(closed=False)
    server = uvicorn.Server(
        uvicorn_config(served, header_timeout=header_timeout, keep_alive_timeout=keep_alive_timeout)
    )
    sock = bind_socket("127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:  # the socket listens already: connections wait in its backlog until uvicorn accepts them
        yield sock.getsockname()[1], server
    finally:
        server.should_exit = True
        thread.join(FAILURE_BOUND)
        sock.close()


def _closed_by_server(sock: socket.socket) -> bool:
    """Block (up to the failure bound) until the server closes `sock`; True if it did."""
    sock.settimeout(FAILURE_BOUND)
    try:
        while chunk := sock.recv(4096):
            del chunk
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_idle_and_slow_header_sockets_are_closed_and_prompt_ones_served() -> None:
    with serving(header_timeout=0.5) as (port, server):
        idle = socket.create_connection(("127.0.0.1", port))
        dripping = socket.create_connection(("127.0.0.1", port))
        dripping.sendall(HALF_SENT)
        prompt = socket.create_connection(("127.0.0.1", port))
        prompt.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        prompt.settimeout(FAILURE_BOUND)
        answer = prompt.recv(4096)
        nodelay = [
            connection.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            for connection in list(server.server_state.connections)
            if isinstance(connection, GuardedH11Protocol)
        ]
        with idle, dripping, prompt:
            assert _closed_by_server(idle)
            assert _closed_by_server(dripping)
            assert _closed_by_server(prompt), "after its response, an idle kept-alive socket is closed too"
    assert answer.startswith(b"HTTP/1.1 200")
    assert len(nodelay) == 3
    assert all(nodelay), "every accepted connection has TCP_NODELAY"


def test_a_kept_alive_connection_gets_a_fresh_header_deadline_per_request() -> None:
    with (
        serving(header_timeout=0.5, keep_alive_timeout=60) as (port, _server),
        socket.create_connection(("127.0.0.1", port)) as sock,
    ):
        sock.settimeout(FAILURE_BOUND)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = sock.recv(4096)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the next request's headers never finish
        assert _closed_by_server(sock), "the keep-alive timer alone (60 s here) would have kept it open"
    assert first.startswith(b"HTTP/1.1 200")


class Held:
    """An ASGI app that holds each request until `release` is set (threading events: the test is another thread)."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await Gate(closed=False)(scope, receive, send)
            return
        self.arrived.set()
        await anyio.to_thread.run_sync(self.release.wait, FAILURE_BOUND)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})


def test_uvicorn_still_offers_what_the_header_deadline_builds_on() -> None:
    """The contract of http_sockets.py with uvicorn's h11 protocol, which is not uvicorn's documented API."""
    for hook in ("connection_made", "data_received", "on_response_complete", "connection_lost"):
        assert callable(vars(H11Protocol).get(hook)), (
            f"uvicorn's H11Protocol no longer has {hook}(): see http_sockets.py"
        )
    held = Held()
    with (
        serving(header_timeout=FAILURE_BOUND, app=held) as (port, server),
        socket.create_connection(("127.0.0.1", port)) as sock,
    ):
        sock.settimeout(FAILURE_BOUND)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert held.arrived.wait(FAILURE_BOUND)
        [connection] = [each for each in server.server_state.connections if isinstance(each, GuardedH11Protocol)]
        assert isinstance(connection.transport, asyncio.Transport), "H11Protocol.transport is gone: see http_sockets.py"
        assert isinstance(connection.loop, asyncio.AbstractEventLoop), "H11Protocol.loop is gone: see http_sockets.py"
        cycle = connection.cycle
        assert cycle is not None, "H11Protocol.cycle no longer holds the request being served: see http_sockets.py"
        assert cycle.response_complete is False, "cycle.response_complete changed meaning: see http_sockets.py"
        held.release.set()
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200")
    assert cycle.response_complete is True, "cycle.response_complete changed meaning: see http_sockets.py"
