"""Each MCP request observed: timed and counted (metrics.py), and each tool call written to the audit log.

`RequestObserver` is a middleware on the SDK's server (`Server.middleware`, inside the SDK's own
OpenTelemetry one), so it sees every outcome of a `tools/call`: an answer, a tool error, invalid
arguments, an unknown tool, a failure. Per tool call it writes one INFO record on the `huawei_meeting_mcp.audit`
logger; in `HUAWEI_MEETING_LOG_FORMAT=json` it is one JSON line:

    {"event": "tool_call", "tool": ..., "outcome": "ok" | "error", "duration_ms": ..., "upstream_requests": ...,
     "cache_hits": ..., "user": ..., "request_id": ..., "trace_id": ... (when tracing)}

and the HTTP server's bearer check writes `{"event": "auth_refused", "reason": ..., "path": ..., "client": ...}`.
A record holds names, counts and digests only: never a token, an argument's value, meeting text or a contact.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Collection
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from starlette.datastructures import Headers
from starlette.types import Scope

from . import metrics
from .redaction import AUDIT_LOGGER

audit = logging.getLogger(AUDIT_LOGGER)

OPERATOR = "operator"
"""The `user` of a call made with the server's own credentials (stdio, or HTTP with the static token)."""
USER_DIGEST_SALT = b"huawei-meeting-mcp/audit-user/v1\x00"
MAX_PATH_SHOWN = 200
"""Characters of a refused request's path written to the audit log."""


def user_of(identity: str | None) -> str:
    """The audit record's `user`: a stable digest of the caller's identity, or `operator` when there is none."""
    if not identity:
        return OPERATOR
    return "u-" + hashlib.sha256(USER_DIGEST_SALT + identity.encode()).hexdigest()[:16]


def caller_identity(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """Who made the request: the verified access token's subject in oauth mode; None: the operator's credentials."""
    token = get_access_token()
    if token is None:
        return None
    subject = (token.claims or {}).get("sub")
    return str(subject) if subject else token.client_id


def _trace_id() -> str | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


class RequestObserver:
    """Server middleware: times every MCP request; counts and audits each tool call (see the module docstring)."""

    def __init__(self, tools: Collection[str]) -> None:
        self._tools = frozenset(tools)

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """Run the request, then record what it took and how it ended."""
        started = time.perf_counter()
        tool = ""
        if ctx.method == "tools/call":
            name = ctx.params.get("name") if ctx.params else None
            tool = name if isinstance(name, str) and name in self._tools else "unknown"
        error_type = ""
        try:
            with metrics.tallying() as tally:
                result = await call_next(ctx)
        except MCPError as exc:
            error_type = str(exc.error.code)
            raise
        except BaseException as exc:  # cancelled too: the call did not end with an answer
            error_type = type(exc).__qualname__
            raise
        else:
            if is_tool_error(result):
                error_type = "tool_error"
            return result
        finally:
            seconds = time.perf_counter() - started
            metrics.operation_served(ctx.method, tool, error_type, seconds)
            if tool:
                metrics.tool_called(tool, not error_type)
                write_tool_call(ctx, tool, not error_type, seconds, tally)


def is_tool_error(result: HandlerResult) -> bool:
    """True for a `tools/call` result that reaches the client as a tool error (a model, or its wire form)."""
    if isinstance(result, CallToolResult):
        return result.is_error is True
    return isinstance(result, dict) and result.get("isError") is True


def write_tool_call(
    ctx: ServerRequestContext[Any, Any], tool: str, ok: bool, seconds: float, tally: metrics.CallTally
) -> None:
    """Write the audit record of one tool call."""
    record: dict[str, Any] = {
        "event": "tool_call",
        "tool": tool,
        "outcome": "ok" if ok else "error",
        "duration_ms": round(seconds * 1000, 1),
        "upstream_requests": tally.upstream_requests,
        "cache_hits": tally.cache_hits,
        "user": user_of(caller_identity(ctx)),
        "request_id": uuid.uuid4().hex,
    }
    if (trace_id := _trace_id()) is not None:
        record["trace_id"] = trace_id
    audit.info(
        "Tool call %s: %s in %.1f ms (%d upstream requests, %d cache hits) [user %s, request %s]",
        tool,
        record["outcome"],
        record["duration_ms"],
        tally.upstream_requests,
        tally.cache_hits,
        record["user"],
        record["request_id"],
        extra={"audit": record},
    )


def refusal_reason(scope: Scope, status: int = 401) -> str:
    """Why a request was refused, in a word: no header, another scheme, an empty token, or one not accepted."""
    scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
    if not scheme:
        return "missing_authorization"
    if scheme.lower() != "bearer":
        return "not_bearer"
    if not credentials.strip():
        return "empty_token"
    return "token_mismatch" if status == 401 else "forbidden"


def auth_refused(scope: Scope, status: int = 401) -> None:
    """Write the audit record of a request the HTTP server refused (`status`: 401, or 403 in oauth mode)."""
    reason = refusal_reason(scope, status)
    client = scope.get("client")
    record = {
        "event": "auth_refused",
        "reason": reason,
        "path": str(scope.get("path", ""))[:MAX_PATH_SHOWN],
        "method": scope.get("method", ""),
        "client": client[0] if client else None,
        "status": status,
    }
    audit.warning(
        "Refused a request to %s from %s: %s", record["path"], record["client"], reason, extra={"audit": record}
    )
