"""A deliberately broken HTTP upstream on loopback, for the fault matrix.

It speaks raw HTTP/1.1 over asyncio sockets so that it can misbehave below HTTP too: reset a
connection mid-body, never answer, drip bytes, stream without end. The confUUID in the request
chooses the fault; every request is counted per fault, with the headers it carried.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

GOOD_BODY = json.dumps(
    {
        "conferenceData": {"conferenceID": "914000001", "subject": "Fault matrix control meeting", "timeZoneID": "56"},
        "data": {"offset": 0, "limit": 20, "count": 1, "data": [{"name": "Control Person", "role": 1}]},
    }
).encode()

WRONG_TYPES_BODY = json.dumps(
    {
        "conferenceData": {
            "conferenceID": 914000002,
            "subject": ["not", "a", "string"],
            "size": "twenty",
            "timeZoneID": 56,
            "startTime": 20191118,
            "isHasRecordFile": "perhaps",
            "confConfigInfo": [],
            "cycleParams": "weekly",
        },
        "data": {"offset": "zero", "count": None, "data": [{"name": 42, "role": "chair"}, "junk"]},
    }
).encode()


NO_RECORDING = b'{"error_code":"MMC.111070005","error_msg":"Recording file does not exist."}'


@dataclass
class Seen:
    """What the faulty upstream saw."""

    counts: Counter[str] = field(default_factory=Counter)
    headers: list[dict[str, str]] = field(default_factory=list)
    huge_bytes_sent: int = 0


def _response(status: str, body: bytes, content_type: str = "application/json", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


class FaultyUpstream:
    """Serves one fault per confUUID; `url` is its base URL once started."""

    def __init__(self, redirect_target: str = "http://127.0.0.2:9/steal", retry_after: int = 1) -> None:
        self.seen = Seen()
        self.redirect_target = redirect_target
        self.retry_after = retry_after
        self._stop: asyncio.Event | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        target = request_line.split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        fault = parse_qs(urlsplit(target).query).get("confUUID", ["ok"])[0]
        self.seen.headers.append(headers)
        if not urlsplit(target).path.endswith("/confDetail"):
            # Other reads of an answer (the detail's recording) find nothing: the faults are in confDetail.
            self.seen.counts[f"other:{fault}"] += 1
            writer.write(_response("400 Bad Request", NO_RECORDING))
            await writer.drain()
            writer.close()
            return
        self.seen.counts[fault] += 1
        try:
            await self._serve(fault, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    async def _serve(self, fault: str, writer: asyncio.StreamWriter) -> None:
        assert self._stop is not None
        html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        canned = {
            "ok": _response("200 OK", GOOD_BODY),
            "fault-500-json": _response(
                "500 Internal Server Error", b'{"error_code":"MMC.111070003","error_msg":"System processing failed."}'
            ),
            "fault-500-empty": _response("500 Internal Server Error", b"", "text/plain"),
            "fault-502-html": _response("502 Bad Gateway", html, "text/html"),
            "fault-503-html": _response("503 Service Unavailable", html, "text/html"),
            "fault-429": _response(
                "429 Too Many Requests",
                b'{"error_code":"100000429","error_msg":"Flow control."}',
                extra=f"Retry-After: {self.retry_after}\r\n",
            ),
            "fault-truncated": _response("200 OK", GOOD_BODY[: len(GOOD_BODY) // 2]),
            "fault-wrong-shape": _response("200 OK", b'{"conferenceData": ["not", "an", "object"], "data": 7}'),
            "fault-wrong-types": _response("200 OK", WRONG_TYPES_BODY),
            "fault-content-type": _response("200 OK", GOOD_BODY, "text/plain"),
            "fault-redirect": _response("302 Found", b"", "text/plain", f"Location: {self.redirect_target}\r\n"),
        }
        if fault in canned:
            writer.write(canned[fault])
            await writer.drain()
        elif fault == "fault-reset":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
            writer.write(GOOD_BODY[:40])
            await writer.drain()
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            writer.transport.abort()
        elif fault == "fault-hang":
            await self._stop.wait()
        elif fault == "fault-drip":
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(GOOD_BODY)}\r\n\r\n"
            writer.write(head.encode())
            for byte in GOOD_BODY:
                writer.write(bytes([byte]))
                await writer.drain()
                # A slow network, one byte per 0.1 s; no test waits on this pace.
                try:
                    await asyncio.wait_for(self._stop.wait(), timeout=0.1)
                    return
                except asyncio.TimeoutError:
                    continue
        elif fault == "fault-huge":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b'{"conferenceData": {"subject": "' + b"x" * 65_000
            while not self._stop.is_set():
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
                self.seen.huge_bytes_sent += len(chunk)
        else:
            writer.write(_response("200 OK", GOOD_BODY))
            await writer.drain()

    @contextmanager
    def running(self, port: int = 0) -> Iterator[str]:
        """Serve on 127.0.0.1 (on `port`, or any free one) in a thread; yields the base URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder: dict[str, object] = {}

        async def main() -> None:
            self._stop = asyncio.Event()
            server = await asyncio.start_server(self._handle, "127.0.0.1", port)
            holder["port"] = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await self._stop.wait()

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        thread.start()
        ready.wait(timeout=10)
        try:
            yield f"http://127.0.0.1:{holder['port']}"
        finally:
            assert self._stop is not None
            loop.call_soon_threadsafe(self._stop.set)
            thread.join(timeout=10)


def free_port() -> int:
    """A loopback port that nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
