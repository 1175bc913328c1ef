"""What the server counts: Prometheus metrics (HUAWEI_MEETING_METRICS_PORT) and each tool call's own tally.

The hooks are one line each, where the thing counted happens: the tool call (`observe.py`), one upstream
exchange (`transport.exchange`), a sign-in (`auth.SigningIn`), a cache lookup (`cache.ReadCache`). Each
adds to the tally of the tool call it belongs to (a context variable, for the audit record) and, when
metrics are on, to the Prometheus metrics below. prometheus_client is imported only when they are on.

| metric | labels |
| --- | --- |
| `huawei_meeting_mcp_tool_calls_total` | `tool`, `outcome` (`ok` or `error`) |
| `huawei_meeting_mcp_upstream_requests_total` | `api` (a fixed name per path), `status` (HTTP status; `error`: none) |
| `huawei_meeting_mcp_upstream_request_duration_seconds` (histogram) | `api` |
| `huawei_meeting_mcp_signins_total` | `result` (`ok` or `error`) |
| `huawei_meeting_mcp_cache_requests_total` | `result` (`hit` or `miss`) |
| `mcp_server_operation_duration_seconds` (histogram) | `mcp_method_name`, `gen_ai_tool_name`, `error_type` |

The last is OpenTelemetry's `mcp.server.operation.duration` named as Prometheus names it. No label carries
a user, a confUUID or any text a caller or Huawei chose: tool names outside the table and unknown methods
are counted as `unknown` and `other`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from prometheus_client import CollectorRegistry, Counter, Histogram

logger = logging.getLogger(__name__)

PREFIX = "huawei_meeting_mcp_"
DURATION_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
"""Seconds: the boundaries OpenTelemetry's MCP conventions recommend for `mcp.server.operation.duration`."""

API_NAMES = {
    "/v1/mmc/management/conferences/history/confDetail": "conf_detail",
    "/v1/mmc/management/conferences/history": "history",
    "/v1/mmc/management/conferences/history/confAttendeeRecord": "attendance",
    "/v1/mmc/management/conferences/history/confCtlRecord": "control_records",
    "/v1/mmc/management/conferences/record/files": "recording",
    "/v2/usg/acs/auth/appauth": "signin_app_id",
    "/v1/usg/acs/auth/account": "signin_account",
}
"""The `api` label of each path the client calls (tests keep it equal to client.py's and auth.py's paths)."""

MCP_METHODS = frozenset(
    {
        "initialize",
        "ping",
        "tools/list",
        "tools/call",
        "notifications/initialized",
        "notifications/cancelled",
        "prompts/list",
        "prompts/get",
        "resources/list",
        "resources/read",
        "resources/templates/list",
        "completion/complete",
        "logging/setLevel",
        "server/discover",
    }
)
"""Method names counted by name; any other (a caller can send anything) is counted as `other`."""


@dataclass
class CallTally:
    """What one tool call cost: the upstream requests it sent and the reads the cache answered."""

    upstream_requests: int = 0
    cache_hits: int = 0


_tally: ContextVar[CallTally | None] = ContextVar("huawei_meeting_call_tally", default=None)


@contextmanager
def tallying() -> Iterator[CallTally]:
    """Count what the code run inside does (tasks it starts share the tally) into a fresh `CallTally`."""
    tally = CallTally()
    token = _tally.set(tally)
    try:
        yield tally
    finally:
        _tally.reset(token)


class Metrics:
    """The Prometheus metrics of this process, on their own registry (with the process and Python collectors)."""

    def __init__(self) -> None:
        from prometheus_client import (
            GC_COLLECTOR,
            PLATFORM_COLLECTOR,
            PROCESS_COLLECTOR,
            CollectorRegistry,
            Counter,
            Histogram,
        )

        self.registry: CollectorRegistry = CollectorRegistry(auto_describe=True)
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        on = self.registry
        self.tool_calls: Counter = Counter(
            PREFIX + "tool_calls", "Tool calls answered, by tool and outcome.", ["tool", "outcome"], registry=on
        )
        self.upstream_requests: Counter = Counter(
            PREFIX + "upstream_requests",
            "Requests sent to the Huawei Cloud Meeting API, by API and HTTP status (error: no answer).",
            ["api", "status"],
            registry=on,
        )
        self.upstream_duration: Histogram = Histogram(
            PREFIX + "upstream_request_duration_seconds",
            "Seconds from sending an upstream request to its body read.",
            ["api"],
            buckets=DURATION_BUCKETS,
            registry=on,
        )
        self.signins: Counter = Counter(PREFIX + "signins", "Sign-ins to Huawei, by result.", ["result"], registry=on)
        self.cache_requests: Counter = Counter(
            PREFIX + "cache_requests", "Reads asked of the read cache, by result.", ["result"], registry=on
        )
        self.operation_duration: Histogram = Histogram(
            "mcp_server_operation_duration_seconds",
            "MCP requests served, in seconds (OpenTelemetry's mcp.server.operation.duration).",
            ["mcp_method_name", "gen_ai_tool_name", "error_type"],
            buckets=DURATION_BUCKETS,
            registry=on,
        )


_metrics: Metrics | None = None


def enable() -> Metrics:
    """Turn the Prometheus metrics on (fresh, from zero) and return them."""
    global _metrics
    _metrics = Metrics()
    return _metrics


def disable() -> None:
    """Turn the Prometheus metrics off; the per-call tallies go on."""
    global _metrics
    _metrics = None


def current() -> Metrics | None:
    """The metrics, when they are on."""
    return _metrics


def api_name(path: str) -> str:
    """The `api` label of an upstream path: a fixed short name, never a part of the URL a caller chose."""
    return API_NAMES.get(path, "other")


@dataclass
class UpstreamRequest:
    """One upstream request being measured; the exchange sets `status` once an answer arrives."""

    api: str
    status: int | None = None


@contextmanager
def upstream_request(path: str) -> Iterator[UpstreamRequest]:
    """Count and time one upstream request, from sending it to its body read (status `error` if none came)."""
    seen = UpstreamRequest(api_name(path))
    started = time.perf_counter()
    try:
        yield seen
    finally:
        tally = _tally.get()
        if tally is not None:
            tally.upstream_requests += 1
        if _metrics is not None:
            status = str(seen.status) if seen.status is not None else "error"
            _metrics.upstream_requests.labels(seen.api, status).inc()
            _metrics.upstream_duration.labels(seen.api).observe(time.perf_counter() - started)


def signed_in(ok: bool) -> None:
    """Count one sign-in attempt, successful or not."""
    if _metrics is not None:
        _metrics.signins.labels("ok" if ok else "error").inc()


def cache_lookup(hit: bool) -> None:
    """Count one read asked of the cache: answered from it (or from a read under way), or read upstream."""
    if hit:
        tally = _tally.get()
        if tally is not None:
            tally.cache_hits += 1
    if _metrics is not None:
        _metrics.cache_requests.labels("hit" if hit else "miss").inc()


def tool_called(tool: str, ok: bool) -> None:
    """Count one answered tool call."""
    if _metrics is not None:
        _metrics.tool_calls.labels(tool, "ok" if ok else "error").inc()


def operation_served(method: str, tool: str, error_type: str, seconds: float) -> None:
    """Time one MCP request (`mcp.server.operation.duration`); `tool` and `error_type` may be empty."""
    if _metrics is not None:
        shown = method if method in MCP_METHODS else "other"
        _metrics.operation_duration.labels(shown, tool, error_type).observe(seconds)


def start(host: str, port: int) -> WSGIServer:
    """Turn the metrics on and serve them at /metrics on host:port from a background thread; return its server.

    ConfigError, naming the setting, when the address cannot be bound.
    """
    from prometheus_client import start_http_server

    from .settings import ConfigError

    metrics = _metrics or enable()
    try:
        server, _thread = start_http_server(port, addr=host.strip("[]"), registry=metrics.registry)
    except OSError as exc:
        raise ConfigError(
            f"Cannot serve metrics on {host}:{port} ({exc.strerror or exc}): set HUAWEI_MEETING_METRICS_PORT "
            "to a free port, or HUAWEI_MEETING_METRICS_HOST to an address of this machine."
        ) from None
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    logger.info("Serving Prometheus metrics at http://%s:%d/metrics", shown, server.server_port)
    return server
