"""Socket deadlines for HTTP mode: the one module that builds on a non-public part of a library.

uvicorn times out idle kept-alive connections but sets no deadline for request headers: a socket
that connects and sends nothing, or drips a header every few seconds, would stay open for ever (no
`uvicorn.Config` option covers it; docs/http.md says what else was considered). `GuardedH11Protocol`
adds that deadline to uvicorn's h11 protocol, which `uvicorn.Config(http=...)` accepts as a class.
The protocol class and the members used here (`connection_made`, `data_received`,
`on_response_complete`, `connection_lost`, `cycle.response_complete`, `transport`, `loop`) are
uvicorn's implementation, not its documented API: tests/test_http_sockets.py holds that contract
and fails, naming the member, when a uvicorn upgrade changes it.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
"""Seconds a connection may take to send complete request headers, counted from the connection's
start or the end of its previous response; a socket that is idle or drips its headers is closed."""


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 connection with TCP_NODELAY and a deadline for complete request headers.

    uvicorn times out idle kept-alive connections but sets no deadline for headers: a socket that
    connects and sends nothing, or drips a header every few seconds, would stay open for ever.
    Here every connection must finish its request headers within `header_timeout` seconds of
    connecting, or of the end of its previous response, or it is closed.
    """

    header_timeout = HEADER_TIMEOUT
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set TCP_NODELAY (small responses go out at once) and start the header deadline."""
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        """Feed h11; once a request's headers are complete, its deadline is met."""
        super().data_received(data)
        if self._request_open():
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        """After each response the next request's headers get a fresh deadline."""
        super().on_response_complete()
        if not self._request_open():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _request_open(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        if not self.transport.is_closing():
            self._header_deadline = self.loop.call_later(self.header_timeout, self._header_deadline_passed)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        if not self._request_open() and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(header_timeout: float) -> type[GuardedH11Protocol]:
    """`GuardedH11Protocol` with another header deadline (tests use a short one)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout": header_timeout})
