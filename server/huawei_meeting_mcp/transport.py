"""One HTTP exchange with the API: the shared httpx client, the body read within its cap, errors mapped.

`create_http_client` builds the one `httpx.AsyncClient` of the process. `exchange` sends one request
and gives back its decoded JSON body, or raises the `UpstreamError` that says what went wrong: a
failed connect (unknown host, refused, TLS), a timeout, a connection broken mid-answer, a body too
large or not JSON, or a refusal mapped by the caller's `ErrorMapper`. A compressed body is decoded
here, as it arrives, and refused as soon as the decoded bytes pass the cap (`CappedBody`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import socket
import ssl
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

import httpx

from . import __version__, metrics
from .errors import (
    ConnectionBrokenError,
    ConnectionRefusedByHostError,
    ErrorMapper,
    InvalidResponseError,
    RateLimitError,
    TlsHandshakeError,
    UnknownHostError,
    UpstreamConnectionError,
    UpstreamTimeoutError,
)

logger = logging.getLogger(__name__)

USER_AGENT = f"huawei-meeting-mcp/{__version__}"
MAX_BODY_BYTES = 4 * 1024 * 1024
"""Answers larger than this, decoded, are refused without being read in full (a 500-participant page is ~300 kB)."""
CONNECT_TIMEOUT = 5.0
ACCEPT_ENCODING = "gzip, deflate"
"""The encodings `CappedBody` decodes: httpx would add br or zstd whenever their packages are installed."""

_MEDIA_TYPE = re.compile(r"[A-Za-z0-9.+-]{1,40}/[A-Za-z0-9.+-]{1,40}")
"""A media type as the invalid-response error may quote it; anything else the server sent is not shown."""


def create_http_client(
    base_url: str,
    *,
    timeout: float,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 10,
) -> httpx.AsyncClient:
    """Build the process-wide client: keep-alive, TLS verified, no redirects, explicit timeouts.

    Proxy settings from the environment apply to an https base URL only: through a proxy, a plain-http
    request would hand the access token to the proxy in clear (a loopback sandbox needs no proxy).
    """
    return httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
        verify=True,
        trust_env=urlsplit(base_url).scheme.lower() != "http",
    )


async def exchange(
    http: httpx.AsyncClient, request: httpx.Request, request_id: str, max_body: int, errors: ErrorMapper
) -> Any:
    """Send one request; return its decoded JSON body or raise the mapped UpstreamError (counted in metrics.py)."""
    with metrics.upstream_request(request.url.path) as seen:
        return await _exchange(http, request, request_id, max_body, errors, seen)


async def _exchange(
    http: httpx.AsyncClient,
    request: httpx.Request,
    request_id: str,
    max_body: int,
    errors: ErrorMapper,
    seen: metrics.UpstreamRequest,
) -> Any:
    started = time.perf_counter()
    try:
        response = await http.send(request, stream=True)
    except httpx.ConnectTimeout:
        where = _address(request.url)
        raise UpstreamConnectionError(request_id=request_id, detail=f"Connecting to {where} timed out.") from None
    except httpx.TimeoutException:
        raise UpstreamTimeoutError(request_id=request_id, detail="No answer arrived in time.") from None
    except httpx.ConnectError as exc:
        raise connect_error(exc, request.url, request_id) from None
    except httpx.TransportError as exc:
        # A protocol error on our side (or a URL httpx cannot send) fails the same way every time.
        transient = isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError))
        raise UpstreamConnectionError(
            request_id=request_id, detail=f"({type(exc).__name__})", retryable=transient
        ) from None
    seen.status = response.status_code
    try:
        raw = await read_body(response, request_id, max_body)
    finally:
        await response.aclose()
    logger.debug(
        "%s %s -> %d, %d bytes, %.0f ms [X-Request-ID: %s]",
        request.method,
        request.url.path,
        response.status_code,
        len(raw),
        (time.perf_counter() - started) * 1000,
        request_id,
    )
    return _decoded(response, raw, request_id, errors)


def _address(url: httpx.URL) -> str:
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from (httpx wraps httpcore, which wraps the OSError)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def connect_error(exc: httpx.ConnectError, url: httpx.URL, request_id: str) -> UpstreamConnectionError:
    """What a failed connect means: unknown host, refused, TLS handshake, or (otherwise) unreachable."""
    where = _address(url)
    causes = _causes(exc)
    text = " ".join(str(cause) for cause in causes)
    tls = next((cause for cause in causes if isinstance(cause, ssl.SSLError)), None)
    if tls is not None or "SSL" in text or "TLS" in text:
        reason = getattr(tls, "reason", None) or getattr(tls, "verify_message", None)
        said = f" ({clean_reason(str(reason))})" if reason else ""
        return TlsHandshakeError(request_id=request_id, detail=f"The TLS handshake with {where} failed{said}.")
    if any(isinstance(cause, socket.gaierror) for cause in causes) or "Name or service not known" in text:
        return UnknownHostError(request_id=request_id, detail=f"No address was found for {url.host}.")
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes) or "refused" in text.lower():
        return ConnectionRefusedByHostError(request_id=request_id, detail=f"{where} refused the connection.")
    return UpstreamConnectionError(request_id=request_id, detail=f"Connecting to {where} failed (ConnectError).")


def clean_reason(reason: str) -> str:
    """An OpenSSL reason such as WRONG_VERSION_NUMBER, kept to letters, digits and a few marks."""
    return "".join(ch for ch in reason if ch.isalnum() or ch in "_ -:.")[:80]


class BodyTooLargeError(Exception):
    """The body, as received or as decoded, passed its cap."""


class _Inflate:
    """One gzip or deflate layer, decoding at most `limit` bytes in all (one more shows the cap was passed)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._deflate = encoding == "deflate"
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)
        self._first = True
        self._limit = limit
        self.decoded = 0

    def feed(self, data: bytes) -> bytes:
        """Decode `data`; BodyTooLargeError once the output passes the limit (decoding one byte past it at most)."""
        if not data:
            return b""
        try:
            out = self._inflater.decompress(data, self._limit - self.decoded + 1)
        except zlib.error:
            if not (self._deflate and self._first):
                raise
            # "deflate" is meant to be zlib-wrapped; some servers send a raw deflate stream (so does httpx)
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, self._limit - self.decoded + 1)
        self._first = False
        return self._counted(out)

    def finish(self) -> bytes:
        """What the layer still holds once the body has ended."""
        return self._counted(self._inflater.flush())

    def _counted(self, out: bytes) -> bytes:
        self.decoded += len(out)
        if self.decoded > self._limit:
            raise BodyTooLargeError
        return out


class CappedBody:
    """A body decoded as it arrives (gzip and deflate, in any layering), refused once it passes `limit` bytes.

    The cap holds for the bytes received and for each layer's decoded bytes: a small compressed body
    that expands without end is stopped one byte past the cap, never decoded whole first.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [name.strip().lower() for name in content_encoding.split(",")]
        # Decoded in the reverse of the order they were applied in; as in httpx, others are left as they are.
        self.layers = [_Inflate(name, limit) for name in reversed(names) if name in ("gzip", "deflate")]
        self.limit = limit
        self.received = 0

    @property
    def decoded(self) -> int:
        """Bytes the last layer has decoded so far (the body's own bytes, if it was not compressed)."""
        return self.layers[-1].decoded if self.layers else self.received

    def feed(self, raw: bytes) -> bytes:
        """The decoded bytes that `raw` adds; BodyTooLargeError when the body passes the cap."""
        self.received += len(raw)
        if self.received > self.limit:
            raise BodyTooLargeError
        for layer in self.layers:
            raw = layer.feed(raw)
        return raw

    def finish(self) -> bytes:
        """The decoded bytes the layers still hold once the body has ended."""
        out = b""
        for layer in self.layers:
            out = layer.feed(out) + layer.finish()
        return out


async def read_body(response: httpx.Response, request_id: str, max_body: int) -> bytes:
    """The response's body, decoded, or InvalidResponseError as soon as it passes `max_body` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_body:
        raise _too_large(response, request_id)
    if response.is_stream_consumed:  # an in-process transport handed over a body it had already read and decoded
        if len(response.content) > max_body:
            raise _too_large(response, request_id)
        return response.content
    body = CappedBody(response.headers.get("Content-Encoding", ""), max_body)
    chunks: list[bytes] = []
    try:
        async for raw in response.aiter_raw():
            chunks.append(body.feed(raw))
        chunks.append(body.finish())
    except BodyTooLargeError:
        raise _too_large(response, request_id) from None
    except zlib.error:
        raise InvalidResponseError(
            request_id=request_id, status=response.status_code, detail="Its compressed body cannot be decoded."
        ) from None
    except httpx.TimeoutException:
        raise UpstreamTimeoutError(request_id=request_id, detail="Reading the answer timed out.") from None
    except httpx.TransportError as exc:
        raise ConnectionBrokenError(request_id=request_id, detail=f"({type(exc).__name__}).") from None
    return b"".join(chunks)


def _too_large(response: httpx.Response, request_id: str) -> InvalidResponseError:
    return InvalidResponseError(
        request_id=request_id, status=response.status_code, detail="The answer is too large to read."
    )


def parse_retry_after(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit alone accepts "²", which float() refuses
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _decoded(response: httpx.Response, raw: bytes, request_id: str, errors: ErrorMapper) -> Any:
    status = response.status_code
    content_type = response.headers.get("Content-Type", "")
    body: Any = None
    if raw and (not content_type or _is_json(content_type)):
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            body = None
    if 300 <= status < 400:
        raise InvalidResponseError(
            request_id=request_id,
            status=status,
            detail="The API answered with a redirect, which is not followed.",
        )
    if status >= 400 or status < 200:
        error = errors(status, body, request_id)
        if isinstance(error, RateLimitError):
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise error
    if content_type and not _is_json(content_type):
        media = content_type.split(";", 1)[0].strip()
        shown = f"{media!r}" if _MEDIA_TYPE.fullmatch(media) else "something else"
        raise InvalidResponseError(request_id=request_id, status=status, detail=f"It is {shown}, not JSON.")
    if body is None:
        raise InvalidResponseError(
            request_id=request_id, status=status, detail="The body is not valid JSON (truncated?)."
        )
    return body


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")
