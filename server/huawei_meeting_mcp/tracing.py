"""OpenTelemetry traces, on when the `otel` extra is installed and standard `OTEL_*` variables ask for them.

`pip install 'huawei-meeting-mcp[otel]'` adds the OpenTelemetry SDK, the OTLP exporters and the httpx
instrumentation. Then `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
`OTEL_TRACES_EXPORTER=otlp|console`) turns tracing on: the `mcp` SDK's own span for each MCP request
(`tools/call <tool>`, with `gen_ai.tool.name`, `mcp.method.name`, `error.type`; it follows the semantic
conventions for MCP) and, inside it, an httpx client span for every request sent to Huawei. The
exporters read their endpoint, protocol (`http/protobuf` by default, or `grpc`), headers and
timeouts from the standard variables; `OTEL_SERVICE_NAME` defaults to `huawei-meeting-mcp`;
`OTEL_SDK_DISABLED=true` keeps it off.

Upstream spans carry the path without the query string: the query holds confUUIDs and the names a
caller searched for. Headers (the access token among them) are never recorded by the instrumentation.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from . import __version__

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span

logger = logging.getLogger(__name__)

SERVICE_NAME = "huawei-meeting-mcp"
ASKING_VARIABLES = ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
"""Any of these, set (and the exporter not `none`), asks for traces."""


def wanted(environ: Mapping[str, str]) -> bool:
    """True when the `OTEL_*` variables ask for traces to be exported."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(environ.get(name, "").strip() for name in ASKING_VARIABLES)


def start(
    environ: Mapping[str, str] | None = None, *, exporters: Sequence[SpanExporter] | None = None
) -> TracerProvider | None:
    """Turn tracing on when asked (or with `exporters`, which tests pass); None when it stays off.

    Says so, once, when the variables ask for traces but the `otel` extra is not installed.
    """
    environ = os.environ if environ is None else environ
    if exporters is None and not wanted(environ):
        return None
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        logger.warning(
            "OTEL_* variables ask for traces, but the OpenTelemetry SDK is not installed: "
            "install huawei-meeting-mcp[otel] (pip install 'huawei-meeting-mcp[otel]')"
        )
        return None
    attributes: dict[str, str] = {"service.version": __version__}
    if not environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = SERVICE_NAME
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporters is None:
        for exporter in configured_exporters(environ):
            provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        for exporter in exporters:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    trace_upstream_requests()
    logger.info("Tracing with OpenTelemetry (service %s)", environ.get("OTEL_SERVICE_NAME") or SERVICE_NAME)
    return provider


def configured_exporters(environ: Mapping[str, str]) -> list[SpanExporter]:
    """The exporters `OTEL_TRACES_EXPORTER` names (default `otlp`), over the protocol the variables choose."""
    exporters: list[SpanExporter] = []
    names = [name.strip().lower() for name in environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",") if name.strip()]
    for name in names:
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter(out=sys.stderr))  # stdout carries the MCP protocol
        elif name == "otlp":
            exporters.append(_otlp_exporter(environ))
        else:
            logger.warning("OTEL_TRACES_EXPORTER names %r, which this server does not know; it is skipped", name)
    return exporters


def _otlp_exporter(environ: Mapping[str, str]) -> SpanExporter:
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol.strip().lower() == "grpc":
        # Imported by name: the gRPC exporter (and grpcio) come with the otel extra, not with the test tools.
        grpc = importlib.import_module("opentelemetry.exporter.otlp.proto.grpc.trace_exporter")
        exporter: SpanExporter = grpc.OTLPSpanExporter()
        return exporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def without_query(url: str) -> str:
    """`url` without its query string and fragment (they carry confUUIDs and searched-for names)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _keep_path_only(span: Span, request: Any) -> None:
    if span.is_recording():
        shown = without_query(str(request.url))
        span.set_attribute("url.full", shown)
        span.set_attribute("http.url", shown)


async def _keep_path_only_async(span: Span, request: Any) -> None:
    _keep_path_only(span, request)


def trace_upstream_requests() -> None:
    """Give every httpx request a client span (as a child of the MCP request's span), its URL without the query."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    instrumentor = HTTPXClientInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(request_hook=_keep_path_only, async_request_hook=_keep_path_only_async)
