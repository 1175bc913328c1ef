"""A faithful stand-in for the Huawei Cloud Meeting API subset this server uses.

Same paths, parameters, headers, token check, paging and error bodies as the service (API doc
§1, §2, §6). It runs in-process behind `httpx.ASGITransport` for the demo, and as a loopback
HTTP server for tests and for people (`huawei-meeting-mcp sandbox --port N`).
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .auth_api import AuthApi
from .data import SandboxMeeting, contact_strings, sample_meetings, secret_strings
from .history_api import routes as history_routes

CONF_DETAIL_PATH = "/v1/mmc/management/conferences/history/confDetail"
DEFAULT_TOKEN = "stbSANDBOX0000demo0000token0000000000"  # noqa: S105 - the sandbox's published demo token

ERROR_CASES: dict[str, tuple[int, str, str]] = {
    "sandbox-error-not-found": (400, "MMC.111070005", "Conference does not exist."),
    "sandbox-error-auth-failed": (400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED"),
    "sandbox-error-forbidden": (403, "MMC.111070010", "No permission to view the conference."),
    "sandbox-error-permission": (403, "MMC.111070002", "Insufficient permissions."),
    "sandbox-error-bad-request": (400, "MMC.111070001", "Request parameter error."),
    "sandbox-error-unauthorized": (401, "USG.000000004", "Authentication failed."),
    "sandbox-error-rate-limited": (429, "100000429", "Server flow control."),
    "sandbox-error-server": (500, "MMC.111070003", "System processing failed."),
}
"""confUUIDs that produce each documented error, for demos and tests."""

ROOM_TYPES = {"terminal", "ideahub", "board", "hwvision"}


@dataclass(frozen=True)
class RecordedRequest:
    """What the sandbox saw of one request (the token itself is not kept)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class Sandbox:
    """The sandbox API: sample meetings, accepted tokens, and a log of what it was asked."""

    def __init__(self, *, tokens: Iterable[str] = (DEFAULT_TOKEN,), auth: AuthApi | None = None) -> None:
        """`tokens` are accepted as they are; `auth` signs in and issues more (`auth_api.AuthApi`)."""
        self.meetings: dict[str, SandboxMeeting] = sample_meetings()
        self.tokens: set[str] = set(tokens)
        self.auth = auth or AuthApi()
        self.requests: list[RecordedRequest] = []
        self.hits: Counter[str] = Counter()
        self.connections: set[tuple[str, int]] = set()
        """Distinct client (host, port) pairs seen: one per TCP connection the server opened."""
        self.app = Starlette(
            routes=[
                Route(CONF_DETAIL_PATH, self._conf_detail, methods=["GET"]),
                *history_routes(self, ERROR_CASES),
                *self.auth.routes(),
            ]
        )

    def secret_strings(self) -> set[str]:
        """Every value that must never appear in the server's output: tokens, keys, passwords, links."""
        return secret_strings(self.meetings) | self.tokens | self.auth.secret_strings()

    def contact_strings(self) -> set[str]:
        """Every phone number and e-mail address in the sample data."""
        return contact_strings(self.meetings)

    def record(self, request: Request) -> str:
        """Log a business request (without its token) and return the request ID to answer with."""
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() != "x-access-token"}
        self.requests.append(RecordedRequest(request.method, request.url.path, dict(request.query_params), headers))
        self.hits[request.url.path] += 1
        if request.client is not None:
            self.connections.add((request.client.host, request.client.port))
        return request.headers.get("X-Request-ID") or uuid.uuid4().hex

    @staticmethod
    def json_response(body: Any, request_id: str, status: int = 200) -> Response:
        """A JSON answer with the gateway's headers, as the service sends it."""
        return JSONResponse(
            body,
            status_code=status,
            headers={"X-Request-Id": request_id, "Server": "api-gateway"},
            media_type="application/json;charset=UTF-8",
        )

    def error_response(self, status: int, code: str, message: str, request_id: str) -> Response:
        """A documented error body (`error_code`, `error_msg`) with its status."""
        response = self.json_response({"error_code": code, "error_msg": message}, request_id, status)
        if status == 429:
            response.headers["Retry-After"] = "1"
        return response

    def authenticated(self, request: Request) -> bool:
        """True when the request carries a token the sandbox issued or was given."""
        token = request.headers.get("X-Access-Token", "")
        return token in self.tokens or self.auth.accepts(token)

    async def _conf_detail(self, request: Request) -> Response:
        request_id = self.record(request)
        if not self.authenticated(request):
            return self.error_response(401, "USG.000000004", "Authentication failed.", request_id)
        query = request.query_params
        conf_uuid = query.get("confUUID", "")
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "20"))
        except ValueError:
            return self.error_response(400, "MMC.111070001", "Request parameter error.", request_id)
        if not conf_uuid or offset < 0 or not 0 < limit <= 500:
            return self.error_response(400, "MMC.111070001", "Request parameter error.", request_id)
        if conf_uuid in ERROR_CASES:
            return self.error_response(*ERROR_CASES[conf_uuid], request_id)
        meeting = self.meetings.get(conf_uuid)
        if meeting is None:
            return self.error_response(400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED", request_id)

        people = meeting.participants
        if request.headers.get("X-Type") == "2":
            rooms = request.headers.get("X-Query-Type") == "1"
            people = [p for p in people if (p.get("attendeeType") in ROOM_TYPES) == rooms]
        search = query.get("searchKey")
        if search:
            needle = search.casefold()
            people = [
                p
                for p in people
                if needle in str(p.get("name", "")).casefold() or needle in str(p.get("accountId", "")).casefold()
            ]
        page = people[offset : offset + limit]
        body = {
            "conferenceData": meeting.conference,
            "data": {"offset": offset, "limit": limit, "count": len(people), "data": page},
        }
        return self.json_response(body, request_id)


@contextmanager
def serving(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `sandbox` over HTTP on a background thread; yields its base URL, stops on exit."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(sandbox.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        shown_host = f"[{host}]" if ":" in host else host
        yield f"http://{shown_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve_forever(sandbox: Sandbox, host: str, port: int) -> None:
    """Serve `sandbox` in the foreground until interrupted."""
    uvicorn.run(sandbox.app, host=host, port=port, log_level="info", lifespan="off")
