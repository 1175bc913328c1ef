"""`GET /ready`: whether a tool call could be served now, for a load balancer or an orchestrator's probe.

Ready means the shared state opens and a Huawei token is held or can be had: the token provider
hands one out, signing in first if it holds none (at most one sign-in at a time, and after a failed
one not again before its back-off ends, so probes cannot hammer Huawei). A static access token counts
as held: it is not checked against Huawei. In oauth mode each person signs in on their own first
call, so there the state opening is what is checked. With Redis configured (docs/scaling.md), a Redis
that does not answer makes the server degraded: calls are still served, from this process alone, so the
answer is 200 with `{"status": "degraded"}` and the reason, which a probe can alert on without taking the
replica out. `/health` stays liveness only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.lowlevel import Server
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .errors import MeetingError, UpstreamError
from .tool_server import AppState, LazyState


class Readiness:
    """Remembers the server's shared state when its lifespan opens it, and answers `/ready` from it."""

    def __init__(self, server: Server[Any]) -> None:
        self._state: LazyState | None = None
        self._shared: AppState | None = None
        opened = server.lifespan

        @asynccontextmanager
        async def remembered(running: Server[Any]) -> AsyncIterator[Any]:
            async with opened(running) as state:
                self._state = state if isinstance(state, LazyState) else None
                try:
                    yield state
                finally:
                    self._state = None

        server.lifespan = remembered

    async def problem(self) -> str | None:
        """Why a call could not be served now; None when it could."""
        if self._state is None:
            return "the server is starting or stopping"
        try:
            shared = await self._state.get()
            self._shared = shared
            if shared.people is None:
                await shared.service.client.tokens.get_token()
        except UpstreamError as exc:  # Huawei's own words stay in the log, not in an answer anyone may fetch
            status = f" (HTTP {exc.status})" if exc.status else ""
            return f"no Huawei token can be had: the sign-in failed{status}; the server's log says why"
        except MeetingError as exc:
            return f"no Huawei token can be had: {exc}"
        return None

    async def endpoint(self, _request: Request) -> Response:
        """200 `{"status": "ready"}`, or 503 with the reason."""
        problem = await self.problem()
        if problem is None:
            fleet = self._shared.fleet if self._shared is not None else None
            if fleet is not None and not await fleet.reachable():
                reason = "Redis does not answer: calls are served from this process alone until it does"
                return JSONResponse({"status": "degraded", "reason": reason})
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503, headers={"Retry-After": "5"})
