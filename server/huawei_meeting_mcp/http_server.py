"""MCP over streamable HTTP: stateless JSON at `/mcp`, a `/health` route, a bearer token, Host/Origin checks.

Bound to loopback the server needs nothing more. Bound to any other address it refuses to start
unless `HUAWEI_MEETING_HTTP_TOKEN` is set; whenever that token is set, every request except
`/health` must carry `Authorization: Bearer <token>`. The token guards this endpoint only and is
never sent to Huawei (the MCP spec forbids token passthrough): Huawei calls carry the server's own
credentials. The SDK's DNS-rebinding checks stay on for every bind: a request whose Host is not
known gets 421, one from a foreign browser Origin gets 403.

Stateless means no session lives in the process, so any number of replicas can sit behind an
ordinary load balancer.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import socket
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import ConfigError, Settings, is_loopback_host

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
MAX_REQUEST_BODY = 256 * 1024
"""Bytes one request body may have; a tool call is well under 2 kB."""
MAX_CONCURRENCY = 100
"""Connections and tasks uvicorn serves at once; more get 503 instead of piling up."""

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
    if settings.http_token is None:
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


def build_app(server: MCPServer[Any], bind_host: str, settings: Settings) -> ASGIApp:
    """The ASGI app: the SDK's stateless JSON streamable HTTP app plus /health, behind the bearer check."""
    server.custom_route(HEALTH_PATH, methods=["GET"])(health)
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        max_request_body_size=MAX_REQUEST_BODY,
        transport_security=transport_security(bind_host, settings),
        host=bind_host,
    )
    if settings.http_token is not None:
        app = BearerTokenMiddleware(app, settings.http_token.get_secret_value())
    return app


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"Cannot listen on {host}:{port} ({exc.strerror}); pick another --host or --port.") from None
    sock.listen(128)
    return sock


def serve_http(server: MCPServer[Any], settings: Settings, host: str, port: int) -> None:
    """Serve `server` over streamable HTTP until interrupted; ConfigError if the bind is refused."""
    check_bind(host, settings)
    app = build_app(server, host, settings)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    guard = "bearer token required" if settings.http_token is not None else "no token (loopback only)"
    logger.info("Serving MCP at http://%s:%d%s (stateless JSON, %s)", shown, bound_port, MCP_PATH, guard)
    config = uvicorn.Config(
        app,
        log_config=None,  # keep the redacting stderr handler set up by the command line
        lifespan="on",
        limit_concurrency=MAX_CONCURRENCY,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
