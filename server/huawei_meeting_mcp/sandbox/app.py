"""A faithful stand-in for the Huawei Cloud Meeting API subset this server uses.

Same paths, parameters, headers, token check, paging and error bodies as the service (API doc
§1-§3.6, §6): the history list, meeting detail, attendance, control records, one meeting's
recording and the recording list, plus the sign-in APIs (`auth_api.py`). It runs in-process
behind `httpx.ASGITransport` for the demo, and as a loopback HTTP server for tests and for people
(`huawei-meeting-mcp sandbox --port N [--latency-ms N] [--hostile]`).

The endpoint modules (`history_api.py`, `record_api.py`) compute answer bodies from the meetings
and raise `params.ApiError`; this module owns what every business request shares: the request
log, the one token check, the error answers, and the optional latency.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import history_api, record_api
from .auth_api import AuthApi
from .data import SandboxMeeting, anchor_day, contact_strings, known_people, sample_meetings, secret_strings
from .history_api import ATTENDANCE_PATH, CONF_DETAIL_PATH, CONTROL_PATH, HISTORY_PATH
from .hostile import hostile_contacts, hostile_error, hostile_meetings, hostile_secrets
from .params import ApiError, not_found
from .record_api import RECORDING_LIST_PATH, RECORDING_PATH
from .records import Language, language

__all__ = ["CONF_DETAIL_PATH", "DEFAULT_TOKEN", "ERROR_CASES", "RecordedRequest", "Sandbox", "serve_forever", "serving"]

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
"""confUUIDs that produce each documented error on every per-meeting endpoint, for demos and tests."""

UNAUTHORIZED = (401, "USG.000000004", "Authentication failed.")


@dataclass(frozen=True)
class RecordedRequest:
    """What the sandbox saw of one request (the token itself is not kept)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class _Latency:
    """ASGI middleware: every HTTP answer waits `seconds` first, like a far-away service."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.seconds > 0:
            await anyio.sleep(self.seconds)
        await self.app(scope, receive, send)


Handler = Callable[[Request], Any]
"""A business endpoint's body, from the request: JSON data, or raises `ApiError`."""


class Sandbox:
    """The sandbox API: sample meetings, accepted tokens, and a log of what it was asked."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        auth: AuthApi | None = None,
        now: datetime | None = None,
        latency_ms: float = 0,
        hostile: bool = False,
    ) -> None:
        """`tokens` are accepted as they are; `auth` signs in and issues more (`auth_api.AuthApi`).

        `now` pins the day the sample meetings are anchored to (default: today, UTC); `latency_ms`
        delays every answer (an async sleep, to simulate the network); `hostile` adds the meetings
        and error answers of `hostile.py`.
        """
        self.meetings: dict[str, SandboxMeeting] = sample_meetings(now)
        self.hostile = hostile
        if hostile:
            self.meetings.update((m.conference["confUUID"], m) for m in hostile_meetings(anchor_day(now)))
        self.tokens: set[str] = set(tokens)
        self.auth = auth or AuthApi()
        self.auth.known_users = known_people(self.meetings.values())
        self.latency_ms = latency_ms
        self.requests: list[RecordedRequest] = []
        self.hits: Counter[str] = Counter()
        """Business requests per path (the benchmark counts upstream requests with it)."""
        self.connections: set[tuple[str, int]] = set()
        """Distinct client (host, port) pairs seen: one per TCP connection the server opened."""
        routes: list[tuple[str, Handler]] = [
            (
                HISTORY_PATH,
                lambda r: history_api.list_history(self.meetings.values(), r.query_params, self.viewer(r)),
            ),
            (CONF_DETAIL_PATH, lambda r: history_api.detail(self.meeting(r), r.query_params, r.headers)),
            (ATTENDANCE_PATH, lambda r: history_api.attendance(self.meeting(r), r.query_params, self._language(r))),
            (
                CONTROL_PATH,
                lambda r: history_api.control_records(
                    self.meeting(r), r.query_params, language(r.headers.get("accept-language"))
                ),
            ),
            (RECORDING_PATH, lambda r: record_api.recording(self.meeting(r))),
            (
                RECORDING_LIST_PATH,
                lambda r: record_api.recordings(self.meetings.values(), r.query_params, self.viewer(r)),
            ),
        ]
        self.app = Starlette(
            routes=[
                *(Route(path, self._endpoint(handler), methods=["GET"]) for path, handler in routes),
                *self.auth.routes(),
            ],
            middleware=[Middleware(_Latency, seconds=latency_ms / 1000)],
        )

    def secret_strings(self) -> set[str]:
        """Every value that must never appear in the server's output: tokens, keys, passwords, links."""
        planted = hostile_secrets() if self.hostile else set()
        return secret_strings(self.meetings) | self.tokens | self.auth.secret_strings() | planted

    def contact_strings(self) -> set[str]:
        """Every phone number and e-mail address in the sample data (and, hostile, where it does not belong)."""
        planted = hostile_contacts() if self.hostile else set()
        return contact_strings(self.meetings) | planted

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

    def viewer(self, request: Request) -> str | None:
        """Whose meetings a request sees: the `userId` its token was issued to, None for the administrator."""
        return self.auth.person(request.headers.get("X-Access-Token", ""))

    def meeting(self, request: Request) -> SandboxMeeting:
        """The meeting a per-meeting request names by `confUUID`; raises the error the service answers instead."""
        conf_uuid = request.query_params.get("confUUID", "")
        if not conf_uuid:
            raise ApiError(400, "MMC.111070001", "Request parameter error.")
        if conf_uuid in ERROR_CASES:
            raise ApiError(*ERROR_CASES[conf_uuid])
        planted = hostile_error(conf_uuid, request.headers.get("X-Access-Token", "")) if self.hostile else None
        if planted is not None:
            raise planted
        meeting = self.meetings.get(conf_uuid)
        viewer = self.viewer(request)
        if meeting is None or (viewer is not None and viewer not in meeting.people):
            raise not_found()  # the service answers the same for a meeting that exists but is not the caller's
        return meeting

    @staticmethod
    def _language(request: Request) -> Language | None:
        """The attendance language, as the service picks it: zh-CN unless `Accept-Language` asks for English."""
        return language(request.headers.get("accept-language"))

    def _endpoint(self, handler: Handler) -> Callable[[Request], Any]:
        """One business endpoint: log the request, check the token (the one 401), answer the body or the error."""

        async def endpoint(request: Request) -> Response:
            request_id = self.record(request)
            if not self.authenticated(request):
                return self.error_response(*UNAUTHORIZED, request_id)
            try:
                body = handler(request)
            except ApiError as error:
                return self.error_response(error.status, error.code, error.message, request_id)
            return self.json_response(body, request_id)

        return endpoint


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
