"""MCP over streamable HTTP: stateless at `/mcp`, a `/health` route, a bearer token, Host/Origin checks.

Bound to loopback the server needs nothing more. Bound to any other address it refuses to start
unless `HUAWEI_MEETING_HTTP_TOKEN` is set; whenever that token is set, every request except
`/health` must carry `Authorization: Bearer <token>`. The token guards this endpoint only and is
never sent to Huawei (the MCP spec forbids token passthrough): Huawei calls carry the server's own
credentials. DNS-rebinding checks stay on for every bind (`HostOriginGuard`): a request whose Host is
not exactly an allowed `host[:port]` gets 421, one from a foreign browser Origin gets 403.

Stateless means no session lives in the process, so any number of replicas can sit behind an
ordinary load balancer. Each POST is answered with one JSON body, or, when the request carries a
progress token, with a short server-sent event stream: its progress notifications, then the result.
`GET` and `DELETE` answer 405. Connections get TCP_NODELAY; sockets that stay idle or are slow to
send their headers are closed; an authorised request whose body has not arrived within
`BODY_TIMEOUT` gets 408 and is closed; at most `MAX_IN_FLIGHT` authorised requests whose body
arrived are served at once. `/mcp/` is served as `/mcp`, and nothing answers with a redirect built from the request.
docs/http.md says what this guards and what a reverse proxy must still do.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import socket
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import anyio
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
from .readiness import Readiness
from .settings import ConfigError, Settings, is_loopback_host

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
READY_PATH = "/ready"
OPEN_PATHS = frozenset({HEALTH_PATH, READY_PATH})
"""Answered without a token: probes carry none, and neither route shows meeting data."""
MAX_REQUEST_BODY = 256 * 1024
"""Bytes one request body may have; a tool call is well under 2 kB."""
MAX_IN_FLIGHT = 100
"""Authorised /mcp requests served at once; more get 503 with Retry-After instead of piling up.
Counted after the bearer check and once the whole body is in, so sockets that never authenticate,
and authorised ones that stall before their body ends, cannot use up these slots."""
BODY_TIMEOUT = 10.0
"""Seconds an authorised /mcp request has, from the end of its headers, to send its whole body; a
request still sending then gets 408 and its connection is closed (a tool call is one small write)."""
KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle kept-alive connection stays open after its last response (uvicorn's own timer)."""
LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the server accepts them."""

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - named to be recognised, never bound by default


_NAME = r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?"
_AUTHORITY = rf"(?P<host>{_NAME}|\[[0-9a-f:.]+\])(?::(?P<port>[1-9][0-9]{{0,4}}))?"
_AUTHORITY_RE = re.compile(_AUTHORITY)
_ORIGIN_RE = re.compile(rf"(?P<scheme>https?)://{_AUTHORITY}")
_DEFAULT_PORTS = {"http": 80, "https": 443}

Authority = tuple[str, int | None]
"""A lower-case host (a name, dotted IPv4 or bracketed canonical IPv6) and its port, None when not given."""
Origin = tuple[str, str, int]
"""A browser origin: scheme, host, port (the scheme's default when not given)."""


def parse_authority(value: str) -> Authority | None:
    """`host[:port]` exactly, case-insensitive: no userinfo, path or empty port; port digits 1-65535; else None."""
    found = _AUTHORITY_RE.fullmatch(value.lower()) if value.isascii() else None
    return _authority(found["host"], found["port"]) if found else None


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` exactly (http or https, nothing after the port), case-insensitive; else None."""
    parts = _origin_parts(value)
    return None if parts is None else _with_default_port(parts)


def _origin_parts(value: str) -> tuple[str, str, int | None] | None:
    found = _ORIGIN_RE.fullmatch(value.lower()) if value.isascii() else None
    authority = _authority(found["host"], found["port"]) if found else None
    return (found["scheme"], *authority) if found and authority else None


def _with_default_port(parts: tuple[str, str, int | None]) -> Origin:
    scheme, host, port = parts
    return scheme, host, _DEFAULT_PORTS[scheme] if port is None else port


def _authority(host: str, port: str | None) -> Authority | None:
    if host.startswith("["):
        try:
            host = f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    number = int(port) if port else None
    return None if number is not None and number > 65_535 else (host, number)


def _any_port(entry: str) -> tuple[str, bool]:
    """`entry` without a trailing `:*`, and whether it had one; a bare IPv6 address gets its brackets."""
    if entry.endswith(":*"):
        return entry[:-2], True
    if ":" in entry and not entry.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(entry)}]", False
        except ValueError:
            pass
    return entry, False


@dataclass(frozen=True)
class HostRules:
    """The Host and Origin values this server answers to, compared exactly after parsing (no prefix match).

    `hosts` holds (host, port) pairs, port None meaning any port or none; `origins` exact origins;
    `origin_hosts` (scheme, host) pairs allowed on any port (the loopback names).
    """

    hosts: frozenset[Authority]
    origins: frozenset[Origin]
    origin_hosts: frozenset[tuple[str, str]]

    def allows_host(self, value: str) -> bool:
        """True when `value` is exactly `host[:port]` for an allowed host (and port)."""
        parsed = parse_authority(value)
        return parsed is not None and ((parsed[0], None) in self.hosts or parsed in self.hosts)

    def allows_origin(self, value: str) -> bool:
        """True when `value` is exactly `scheme://host[:port]` for an allowed origin."""
        parsed = parse_origin(value)
        return parsed is not None and (parsed in self.origins or parsed[:2] in self.origin_hosts)


def host_rules(bind_host: str, settings: Settings) -> HostRules:
    """The allowed Hosts and Origins: loopback names, the bound address, and the configured extras.

    A bare name accepts any port, `name:8443` only that port; an origin without a port means the
    scheme's default port. ConfigError, naming the variable, for an entry that is not a host or origin.
    """
    hosts: set[Authority] = set()
    for name in [*LOOPBACK_HOSTS, *([] if bind_host in WILDCARD_HOSTS else [bind_host])]:
        parsed = parse_authority(_any_port(name)[0])
        if parsed is not None:  # else an unusual bind address, which binding reports
            hosts.add((parsed[0], None))
    for name in settings.http_allowed_hosts:
        text, any_port = _any_port(name.strip())
        parsed = parse_authority(text)
        if parsed is None or (any_port and parsed[1] is not None):
            raise ConfigError(
                f"HUAWEI_MEETING_HTTP_ALLOWED_HOSTS: {name[:100]!r} is not a host name: write host or host:port "
                "(e.g. mcp.example.com or mcp.example.com:8443), comma-separated, without scheme or path."
            )
        hosts.add(parsed)
    origins: set[Origin] = set()
    origin_hosts: set[tuple[str, str]] = set()
    for entry in LOOPBACK_ORIGINS + settings.http_allowed_origins:
        text, any_port = _any_port(entry.strip().rstrip("/"))
        parts = _origin_parts(text)
        if parts is None or (any_port and parts[2] is not None):
            raise ConfigError(
                f"HUAWEI_MEETING_HTTP_ALLOWED_ORIGINS: {entry[:100]!r} is not an origin: write scheme://host[:port] "
                "(e.g. https://chat.example.com), comma-separated, without a path."
            )
        if any_port:
            origin_hosts.add(parts[:2])
        else:
            origins.add(_with_default_port(parts))
    return HostRules(frozenset(hosts), frozenset(origins), frozenset(origin_hosts))


def transport_security() -> TransportSecuritySettings:
    """The SDK's own Host/Origin check, off: it matches `host:*` as a prefix, so `HostOriginGuard` checks instead."""
    return TransportSecuritySettings(enable_dns_rebinding_protection=False)


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

    def __init__(self, app: ASGIApp, token: str, open_paths: frozenset[str] = OPEN_PATHS) -> None:
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
            await _refuse(
                401,
                "invalid_token",
                "Send 'Authorization: Bearer <HUAWEI_MEETING_HTTP_TOKEN>'.",
                scope,
                receive,
                send,
                {"WWW-Authenticate": 'Bearer realm="huawei-meeting-mcp"'},
            )
            return
        await self._app(scope, receive, send)


class HostOriginGuard:
    """ASGI middleware against DNS rebinding: 421 for a Host, 403 for an Origin the server does not answer to.

    The one Host header must be exactly an allowed `host[:port]`; an Origin header, exactly an
    allowed origin (a request without one is no browser's cross-site request, and passes).
    `/health` is open, for load-balancer probes by address.
    """

    def __init__(self, app: ASGIApp, rules: HostRules, open_paths: frozenset[str] = OPEN_PATHS) -> None:
        self._app = app
        self._rules = rules
        self._open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a request naming a Host or an Origin this server does not answer to."""
        if scope["type"] == "http" and scope["path"] not in self._open_paths:
            headers = Headers(scope=scope)
            hosts, origins = headers.getlist("host"), headers.getlist("origin")
            if len(hosts) != 1 or not self._rules.allows_host(hosts[0]):
                logger.warning("Refused a request naming Host %s (HUAWEI_MEETING_HTTP_ALLOWED_HOSTS)", _shown(hosts))
                await _refuse(
                    421, "misdirected_request", "This server does not answer to that Host.", scope, receive, send
                )
                return
            if len(origins) > 1 or (origins and not self._rules.allows_origin(origins[0])):
                logger.warning(
                    "Refused a request from Origin %s (HUAWEI_MEETING_HTTP_ALLOWED_ORIGINS)", _shown(origins)
                )
                await _refuse(
                    403, "forbidden_origin", "Requests from that Origin are not allowed.", scope, receive, send
                )
                return
        await self._app(scope, receive, send)


def _shown(values: list[str]) -> str:
    """Header values for a log line: quoted, escaped, cut (they are the client's, not ours)."""
    return ", ".join(ascii(value[:100]) for value in values[:2]) or "(none)"


async def _refuse(
    status: int,
    error: str,
    description: str,
    scope: Scope,
    receive: Receive,
    send: Send,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer with an OAuth-style JSON error body (`error`, `error_description`): every refusal reads alike."""
    response = JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)
    await response(scope, receive, send)


class SlashlessMcpPath:
    """ASGI middleware: `/mcp/` is served as `/mcp`, so no redirect (whose Location would come from Host) is needed."""

    def __init__(self, app: ASGIApp, path: str = MCP_PATH) -> None:
        self._app = app
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the path `/mcp/` to `/mcp`; pass everything else on unchanged."""
        if scope["type"] == "http" and scope["path"] == self._path + "/":
            scope = {**scope, "path": self._path, "raw_path": self._path.encode()}
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


async def read_body_within(receive: Receive, limit: int, seconds: float) -> tuple[bytes, list[Message]] | None:
    """The body (up to just over `limit` bytes) and its messages, or None if it has not ended within `seconds`."""
    with anyio.move_on_after(seconds):
        return await _read_prefix(receive, limit)
    return None


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


class HttpGuard:
    """ASGI middleware for `/mcp`: 405 for GET and DELETE, a body deadline, an in-flight cap, reply mode, a log line.

    Stateless serving has no stream to open and no session to end, so `GET` and `DELETE` answer
    405 with `Allow: POST` at once instead of holding a connection open for nothing. A POST must
    send its whole body within `body_timeout` seconds of its headers, or it gets 408 and its
    connection is closed; only then does it count towards `max_in_flight`, so a socket that stalls
    before its body ends never holds a slot. It sits inside the bearer check, so only authorised
    requests are read at all.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_in_flight: int = MAX_IN_FLIGHT,
        max_body: int = MAX_REQUEST_BODY,
        body_timeout: float = BODY_TIMEOUT,
        path: str = MCP_PATH,
    ) -> None:
        self._app = app
        self._path = path
        self._max_in_flight = max_in_flight
        self._max_body = max_body
        self._body_timeout = body_timeout
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what a stateless server cannot serve, bound the rest, and log it at DEBUG."""
        if scope["type"] != "http" or scope["path"] != self._path:
            await self._app(scope, receive, send)
            return
        if scope["method"] != "POST":
            description = (
                f"This server is stateless: POST each JSON-RPC message to {scope['path']}. "
                "It opens no event stream (GET) and has no session to end (DELETE)."
            )
            await _refuse(405, "method_not_allowed", description, scope, receive, send, {"Allow": "POST"})
            return
        started = time.perf_counter()
        read = await read_body_within(receive, self._max_body, self._body_timeout)
        if read is None:
            logger.warning("Closed a request whose body did not arrive within %g s of its headers", self._body_timeout)
            description = f"The request body did not arrive within {self._body_timeout:g} s of its headers."
            await _refuse(408, "request_timeout", description, scope, receive, send, {"Connection": "close"})
            return
        if self.in_flight >= self._max_in_flight:
            logger.warning("Refused a request: %d are already in flight (the limit)", self.in_flight)
            description = f"{self._max_in_flight} requests are already in flight; retry in a second."
            await _refuse(503, "busy", description, scope, receive, send, {"Retry-After": "1"})
            return
        body, messages = read
        self.in_flight += 1
        status = 0
        stream = False

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
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
                self._path,
                status,
                "event stream" if stream else "json",
                (time.perf_counter() - started) * 1000,
            )


def build_app(
    server: Server[Any], bind_host: str, settings: Settings, *, body_timeout: float = BODY_TIMEOUT
) -> ASGIApp:
    """The ASGI app: stateless streamable HTTP at /mcp and /health, behind the guards and the bearer check.

    From the outside in: `/mcp/` read as `/mcp`, the bearer check, the Host/Origin check, then
    `HttpGuard` (405s, the body deadline, the in-flight cap). ConfigError for a malformed allowed
    host or origin.
    """
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)  # "Terminating session: None"
    rules = host_rules(bind_host, settings)
    manager = ReplyPerRequestManager(
        app=server,
        stateless=True,
        security_settings=transport_security(),
        max_request_body_size=MAX_REQUEST_BODY,
    )
    ready = Readiness(server)
    starlette = Starlette(
        routes=[
            Route(settings.http_path, endpoint=StreamableHTTPASGIApp(manager)),
            Route(HEALTH_PATH, endpoint=health, methods=["GET"]),
            Route(READY_PATH, endpoint=ready.endpoint, methods=["GET"]),
        ],
        lifespan=lambda _app: manager.run(),
    )
    starlette.router.redirect_slashes = False  # its redirect's Location would be built from the Host header
    app: ASGIApp = HostOriginGuard(HttpGuard(starlette, body_timeout=body_timeout, path=settings.http_path), rules)
    if settings.http_auth == "oauth":
        return SlashlessMcpPath(oauth_gate(app, settings), settings.http_path)
    if settings.http_token is not None:
        app = BearerTokenMiddleware(app, settings.http_token.get_secret_value())
    return SlashlessMcpPath(app, settings.http_path)


def oauth_gate(app: ASGIApp, settings: Settings) -> ASGIApp:
    """`app` behind per-person authorization (oauth.py); ConfigError when its settings do not add up."""
    from .oauth import protect

    return protect(app, settings, open_paths=OPEN_PATHS)


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
    logger.info("Serving MCP at http://%s:%d%s (stateless, %s)", shown, bound_port, settings.http_path, guard)
    uvicorn.Server(uvicorn_config(app)).run(sockets=[sock])
