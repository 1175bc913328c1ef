"""MCP over streamable HTTP: stateless at `/mcp`, a `/health` route, a bearer token, Host/Origin checks.

Bound to loopback the server needs nothing more. Bound to any other address it refuses to start
unless `HUAWEI_MEETING_HTTP_TOKEN` is set; whenever that token is set, every request except
`/health` must carry `Authorization: Bearer <token>`. The token guards this endpoint only and is
never sent to Huawei (the MCP spec forbids token passthrough): Huawei calls carry the server's own
credentials. The SDK's DNS-rebinding checks stay on for every bind: a request whose Host is not
known gets 421, one from a foreign browser Origin gets 403.

Stateless means no session lives in the process, so any number of replicas can sit behind an
ordinary load balancer. Each POST is answered with one JSON body, or, when the request carries a
progress token, with a short server-sent event stream: its progress notifications, then the result.
`GET` and `DELETE` answer 405. Connections get TCP_NODELAY; sockets that stay idle or are slow to
send their headers are closed; at most `MAX_IN_FLIGHT` authorised requests are served at once.
docs/http.md says what this guards and what a reverse proxy must still do.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import socket
import time
from contextvars import ContextVar
from typing import Any

import uvicorn
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_sockets import HEADER_TIMEOUT, guarded_protocol
from .observe import auth_refused
from .settings import ConfigError, Settings, is_loopback_host

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
MAX_REQUEST_BODY = 256 * 1024
"""Bytes one request body may have; a tool call is well under 2 kB."""
MAX_IN_FLIGHT = 100
"""Authorised /mcp requests served at once; more get 503 with Retry-After instead of piling up.
Counted after the bearer check, so sockets that never authenticate cannot use up these slots."""
KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle kept-alive connection stays open after its last response (uvicorn's own timer)."""
LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the server accepts them."""

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - named to be recognised, never bound by default


def host_header_patterns(host: str) -> list[str]:
    """Host header values that name `host`: as given if it has a port, else bare and with any port."""
    if host.startswith("["):
        return [host] if "]:" in host else [host, f"{host}:*"]
    if ":" in host:
        try:
            bracketed = f"[{ipaddress.IPv6Address(host)}]"
        except ValueError:
            return [host]  # name:port or name:*
        return [bracketed, f"{bracketed}:*"]
    return [host, f"{host}:*"]


def transport_security(bind_host: str, settings: Settings) -> TransportSecuritySettings:
    """The Host and Origin allow-lists: loopback names, the bound address, and the configured extras."""
    names = list(LOOPBACK_HOSTS)
    if bind_host not in WILDCARD_HOSTS:
        names.append(bind_host)
    names.extend(settings.http_allowed_hosts)
    hosts = list(dict.fromkeys(pattern for name in names for pattern in host_header_patterns(name)))
    origins = LOOPBACK_ORIGINS + [origin.rstrip("/") for origin in settings.http_allowed_origins]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=list(dict.fromkeys(origins))
    )


def check_bind(bind_host: str, settings: Settings) -> None:
    """Raise ConfigError, before anything is bound, when serving on `bind_host` would be unsafe or unusable."""
    if is_loopback_host(bind_host):
        return
    if settings.http_token is None and settings.http_auth != "oauth":
        raise ConfigError(
            f"Refusing to serve MCP over HTTP on {bind_host or 'every address'}: it is not a loopback address, "
            "so set HUAWEI_MEETING_HTTP_TOKEN (clients then send 'Authorization: Bearer <token>'), "
            "or bind to 127.0.0.1."
        )
    if bind_host in WILDCARD_HOSTS and not settings.http_allowed_hosts:
        raise ConfigError(
            f"Serving on {bind_host or 'every address'} needs HUAWEI_MEETING_HTTP_ALLOWED_HOSTS: "
            "the host names clients use to reach this server (e.g. mcp.example.com), comma-separated; "
            "requests naming any other Host are refused (DNS-rebinding protection)."
        )


class BearerTokenMiddleware:
    """ASGI middleware: every HTTP request outside `open_paths` must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str, open_paths: frozenset[str] = frozenset({HEALTH_PATH})) -> None:
        self._app = app
        self._expected = token.encode()
        self._open_paths = open_paths

    def authorized(self, scope: Scope) -> bool:
        """True when the request's Authorization header carries the expected bearer token."""
        scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._expected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401 to a request without the token; pass everything else to the app."""
        if scope["type"] == "http" and scope["path"] not in self._open_paths and not self.authorized(scope):
            auth_refused(scope)
            response = JSONResponse(
                {
                    "error": "invalid_token",
                    "error_description": "Send 'Authorization: Bearer <HUAWEI_MEETING_HTTP_TOKEN>'.",
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="huawei-meeting-mcp"'},
            )
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)


async def health(_request: Request) -> Response:
    """Liveness for load balancers: answers without a token and without calling Huawei."""
    return JSONResponse({"status": "ok"})


_stream_reply: ContextVar[bool] = ContextVar("huawei_meeting_stream_reply", default=False)
"""True while serving a POST that carries a progress token: that one is answered as an event stream."""


class ReplyPerRequestManager(StreamableHTTPSessionManager):
    """The SDK's stateless session manager, answering JSON or an event stream request by request.

    The SDK reads `json_response` for each request it serves; here it is False exactly when the
    request carries a progress token and accepts an event stream (set by `HttpGuard`), so its
    progress notifications travel on a server-sent event stream ahead of the result, and every
    other request gets one JSON body.
    """

    @property
    def json_response(self) -> bool:
        """JSON for this request unless it asked for progress."""
        return not _stream_reply.get()

    @json_response.setter
    def json_response(self, value: bool) -> None:
        del value  # decided per request, never fixed


def wants_progress(body: bytes) -> bool:
    """True when `body` is one JSON-RPC request with `params._meta.progressToken` set."""
    if b"progressToken" not in body:
        return False
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return False  # the SDK answers the parse error
    params = message.get("params") if isinstance(message, dict) else None
    meta = params.get("_meta") if isinstance(params, dict) else None
    return isinstance(meta, dict) and meta.get("progressToken") is not None


def accepts_event_stream(scope: Scope) -> bool:
    """True when the request's Accept header allows `text/event-stream` (else progress is dropped, JSON kept)."""
    accept = Headers(scope=scope).get("accept", "")
    return any(part.split(";")[0].strip() in ("text/event-stream", "text/*", "*/*") for part in accept.split(","))


async def _read_prefix(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
    """Read the body's messages until it ends or exceeds `limit` bytes; return the bytes and the messages."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False) or size > limit:
            break
    return b"".join(chunks), messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class HttpGuard:
    """ASGI middleware for `/mcp`: 405 for GET and DELETE, a cap on requests in flight, reply mode, one log line.

    Stateless serving has no stream to open and no session to end, so `GET` and `DELETE` answer
    405 with `Allow: POST` at once instead of holding a connection open for nothing. It sits inside
    the bearer check, so only authorised requests count towards `max_in_flight`.
    """

    def __init__(self, app: ASGIApp, max_in_flight: int = MAX_IN_FLIGHT, max_body: int = MAX_REQUEST_BODY) -> None:
        self._app = app
        self._max_in_flight = max_in_flight
        self._max_body = max_body
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what a stateless server cannot serve, bound the rest, and log it at DEBUG."""
        if scope["type"] != "http" or scope["path"] != MCP_PATH:
            await self._app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _refuse_method(scope, receive, send)
            return
        if self.in_flight >= self._max_in_flight:
            logger.warning("Refused a request: %d are already in flight (the limit)", self.in_flight)
            await _busy(self._max_in_flight, scope, receive, send)
            return
        self.in_flight += 1
        started = time.perf_counter()
        status = 0
        stream = False

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            body, messages = await _read_prefix(receive, self._max_body)
            stream = wants_progress(body) and accepts_event_stream(scope)
            token = _stream_reply.set(stream)
            try:
                await self._app(scope, _replaying(messages, receive), watch)
            finally:
                _stream_reply.reset(token)
        finally:
            self.in_flight -= 1
            logger.debug(
                "POST %s -> %d (%s) in %.1f ms",
                MCP_PATH,
                status,
                "event stream" if stream else "json",
                (time.perf_counter() - started) * 1000,
            )


async def _refuse_method(scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {
            "error": "method_not_allowed",
            "error_description": f"This server is stateless: POST each JSON-RPC message to {MCP_PATH}. "
            "It opens no event stream (GET) and has no session to end (DELETE).",
        },
        status_code=405,
        headers={"Allow": "POST"},
    )
    await response(scope, receive, send)


async def _busy(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {
            "error": "busy",
            "error_description": f"{limit} requests are already in flight; retry in a second.",
        },
        status_code=503,
        headers={"Retry-After": "1"},
    )
    await response(scope, receive, send)


def build_app(server: Server[Any], bind_host: str, settings: Settings) -> ASGIApp:
    """The ASGI app: stateless streamable HTTP at /mcp and /health, behind the guard and the bearer check."""
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)  # "Terminating session: None"
    manager = ReplyPerRequestManager(
        app=server,
        stateless=True,
        security_settings=transport_security(bind_host, settings),
        max_request_body_size=MAX_REQUEST_BODY,
    )
    starlette = Starlette(
        routes=[
            Route(MCP_PATH, endpoint=StreamableHTTPASGIApp(manager)),
            Route(HEALTH_PATH, endpoint=health, methods=["GET"]),
        ],
        lifespan=lambda _app: manager.run(),
    )
    app: ASGIApp = HttpGuard(starlette)
    if settings.http_auth == "oauth":
        return oauth_gate(app, settings)
    if settings.http_token is not None:
        app = BearerTokenMiddleware(app, settings.http_token.get_secret_value())
    return app


def oauth_gate(app: ASGIApp, settings: Settings) -> ASGIApp:
    """`app` behind per-person authorization (oauth.py); ConfigError when its settings do not add up."""
    from .oauth import protect

    return protect(app, settings, open_paths=frozenset({HEALTH_PATH}))


def uvicorn_config(
    app: ASGIApp, *, header_timeout: float = HEADER_TIMEOUT, keep_alive_timeout: int = KEEP_ALIVE_TIMEOUT
) -> uvicorn.Config:
    """Uvicorn settings for serving `app`: our h11 protocol, its timeouts, no access log, no socket cap."""
    return uvicorn.Config(
        app,
        http=guarded_protocol(header_timeout),
        log_config=None,  # keep the redacting stderr handler set up by the command line
        access_log=False,  # HttpGuard logs one DEBUG line per request instead
        lifespan="on",
        limit_concurrency=None,  # a socket cap counts idle sockets too; HttpGuard caps authorised requests instead
        timeout_keep_alive=keep_alive_timeout,
        server_header=False,
    )


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; ConfigError naming the fix if the address is taken or invalid."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets accepted from a listener created so.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"Cannot listen on {host}:{port} ({exc.strerror}); pick another --host or --port.") from None
    sock.listen(LISTEN_BACKLOG)
    return sock


def serve_http(server: Server[Any], settings: Settings, host: str, port: int) -> None:
    """Serve `server` over streamable HTTP until interrupted; ConfigError if the bind is refused."""
    check_bind(host, settings)
    app = build_app(server, host, settings)
    sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    guard = "bearer token required" if settings.http_token is not None else "no token (loopback only)"
    if settings.http_auth == "oauth":
        guard = f"per-person access tokens from {settings.oauth_issuer}"
    logger.info("Serving MCP at http://%s:%d%s (stateless, %s)", shown, bound_port, MCP_PATH, guard)
    uvicorn.Server(uvicorn_config(app)).run(sockets=[sock])
