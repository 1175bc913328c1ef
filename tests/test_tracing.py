"""Traces (the otel extra): one tool call is the SDK's MCP span with a child span per upstream request, and no
attribute carries meeting text, a searched-for name, a secret or a contact; OTEL_* variables export them over OTLP."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import anyio
import pytest
from mcp import Client

from huawei_meeting_mcp import app, tracing
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID
from huawei_meeting_mcp.settings import Settings
from tests.support import LiveSandbox, leaked, run_server

pytest.importorskip("opentelemetry.sdk", reason="the otel extra (opentelemetry-sdk) is not installed")
pytest.importorskip("opentelemetry.instrumentation.httpx", reason="the otel extra is not installed")

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

pytestmark = pytest.mark.anyio
NAMES = app.TOOL_NAMES


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on in this process (the global tracer provider is set once per process), into memory."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    exporter = InMemorySpanExporter()
    provider = tracing.start({}, exporters=[exporter])
    assert provider is not None
    yield exporter
    provider.shutdown()
    HTTPXClientInstrumentor().uninstrument()


def attribute_text(span: ReadableSpan) -> str:
    return json.dumps({**(span.attributes or {}), "name": span.name}, ensure_ascii=False, default=str)


async def test_one_tool_call_is_the_mcp_span_with_its_upstream_requests_as_children(
    spans: InMemorySpanExporter, live_sandbox: LiveSandbox
) -> None:
    spans.clear()
    server = app.create_server(Settings(base_url=live_sandbox.url, access_token=DEFAULT_TOKEN))
    async with Client(server) as session:
        result = await session.call_tool(NAMES.attendance, {"confUUID": LARGE_UUID, "searchKey": "王"})
    assert result.is_error is False
    finished = spans.get_finished_spans()
    [call] = [s for s in finished if s.kind == SpanKind.SERVER and s.name == f"tools/call {NAMES.attendance}"]
    attributes = call.attributes or {}
    assert attributes["gen_ai.tool.name"] == NAMES.attendance
    assert attributes["mcp.method.name"] == "tools/call"
    assert attributes["gen_ai.operation.name"] == "execute_tool"
    assert "error.type" not in attributes
    assert call.context is not None
    upstream = [
        s for s in finished if s.kind == SpanKind.CLIENT and s.parent and s.parent.span_id == call.context.span_id
    ]
    assert len(upstream) == len(live_sandbox.sandbox.requests) > 1, "a child span per upstream request"
    for child in upstream:
        assert (child.attributes or {}).get("http.request.method", (child.attributes or {}).get("http.method")) == "GET"
        url = str((child.attributes or {}).get("url.full", (child.attributes or {}).get("http.url")))
        assert url.startswith(live_sandbox.url + "/v1/mmc/management/conferences/")
        assert "?" not in url, "the query (confUUID, searchKey) stays out of the span"

    said = "\n".join(attribute_text(s) for s in finished)
    sandbox = live_sandbox.sandbox
    assert LARGE_UUID not in said
    assert "王" not in said, "a searched-for name is not in any attribute"
    assert sandbox.meetings[LARGE_UUID].conference["subject"] not in said, "no meeting text"
    assert not leaked(said, sandbox.secret_strings())
    assert not leaked(said, sandbox.contact_strings())


async def test_a_tool_error_marks_the_span(spans: InMemorySpanExporter, live_sandbox: LiveSandbox) -> None:
    spans.clear()
    server = app.create_server(Settings(base_url=live_sandbox.url, access_token=DEFAULT_TOKEN, max_retries=0))
    async with Client(server) as session:
        result = await session.call_tool(NAMES.detail, {"confUUID": "sandbox-error-not-found"})
    assert result.is_error is True
    [call] = [
        s for s in spans.get_finished_spans() if s.name == f"tools/call {NAMES.detail}" and s.kind == SpanKind.SERVER
    ]
    assert (call.attributes or {})["error.type"] == "tool_error"


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP trace receiver: keeps each export's spans (on the class: a handler is made per request)."""

    received: ClassVar[list[ExportTraceServiceRequest]]
    got_call: ClassVar[threading.Event]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        type(self).received.append(request)
        names = [s.name for r in request.resource_spans for ss in r.scope_spans for s in ss.spans]
        if any(name.startswith("tools/call") for name in names):
            type(self).got_call.set()
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.mark.e2e
async def test_otel_variables_export_the_installed_servers_spans_over_otlp(live_sandbox: LiveSandbox) -> None:
    class Handler(Collector):  # this receiver's own list and event
        received: ClassVar[list[ExportTraceServiceRequest]] = []
        got_call: ClassVar[threading.Event] = threading.Event()

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    env = live_sandbox.env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{receiver.server_port}",
        OTEL_BSP_SCHEDULE_DELAY="50",
        OTEL_SERVICE_NAME="meetings-under-test",
    )
    try:
        async with run_server(env) as run:
            result = await run.call(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
            exported = await anyio.to_thread.run_sync(Handler.got_call.wait, 60)
            stderr = run.stderr()
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert result.is_error is False
    assert exported, stderr
    assert "Tracing with OpenTelemetry (service meetings-under-test)" in stderr
    spans = [
        (resource, span)
        for request in Handler.received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    [(resource, call)] = [(r, s) for r, s in spans if s.name == f"tools/call {NAMES.detail}"]
    service = {a.key: a.value.string_value for a in resource.resource.attributes}["service.name"]
    assert service == "meetings-under-test"
    children = [s for _, s in spans if s.parent_span_id == call.span_id]
    assert children, "the upstream requests are the call's children"
    raw = b"".join(request.SerializeToString() for request in Handler.received)
    assert DOCS_EXAMPLE_UUID.encode() not in raw
    assert DEFAULT_TOKEN.encode() not in raw


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ],
)
def test_which_variables_ask_for_traces(environ: dict[str, str], on: bool) -> None:
    assert tracing.wanted(environ) is on


def test_asked_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)
    with caplog.at_level(logging.WARNING):
        assert tracing.start({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) is None
    assert "huawei-meeting-mcp[otel]" in caplog.text


def test_the_query_never_reaches_a_span() -> None:
    assert (
        tracing.without_query("https://api.example/v1/x?confUUID=abc&searchKey=Alice#f") == "https://api.example/v1/x"
    )
