"""The HTTP client: the only code that speaks HTTP to the Huawei Cloud Meeting API.

One shared `httpx.AsyncClient` per process carries every request. Each tool call gets a time
budget (`HUAWEI_MEETING_TIMEOUT`) that covers sign-in, retries and back-off. Idempotent GETs are
retried a bounded number of times on 429, 5xx and connection errors, honouring `Retry-After`.
Sign-in POSTs (`SignInClient`) share the client, the body cap and the error handling, but are
never retried here: the token provider decides when to sign in again.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
import re
import socket
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel
import httpx
from pydantic import BaseModel, ValidationError

from . import __version__
from .auth import TokenProvider
from .errors import (
    REFUSED_AFTER_SIGN_IN,
    AuthenticationError,
    ConnectionBrokenError,
    ConnectionRefusedByHostError,
    ErrorMapper,
    InvalidResponseError,
    RateLimitError,
    ServerError,
    TlsHandshakeError,
    UnknownHostError,
    UpstreamConnectionError,
    UpstreamTimeoutError,
    error_for_status,
)
from .reads import AttendanceRecords
from .wire import (
    ATTENDANCE_PAGE_SIZE,
    MAX_ATTENDANCE_PAGES,
    MAX_ATTENDANCE_RECORDS,
    AttendancePage,
    AttendanceQuery,
    AttendanceRecord,
    ConfDetailResponse,
    ControlQuery,
    ControlRecordPage,
    DetailQuery,
    HistoryListResponse,
    HistoryQuery,
    RecordingInfo,
)

logger = logging.getLogger(__name__)

CONF_DETAIL_PATH = "/v1/mmc/management/conferences/history/confDetail"
HISTORY_PATH = "/v1/mmc/management/conferences/history"
ATTENDANCE_PATH = "/v1/mmc/management/conferences/history/confAttendeeRecord"
CONTROL_PATH = "/v1/mmc/management/conferences/history/confCtlRecord"
RECORDING_PATH = "/v1/mmc/management/conferences/record/files"
USER_AGENT = f"huawei-meeting-mcp/{__version__}"
MAX_BODY_BYTES = 4 * 1024 * 1024
"""Answers larger than this are refused without being read in full (a 500-participant page is ~300 kB)."""

CONNECT_TIMEOUT = 5.0

Model = TypeVar("Model", bound=BaseModel)
PageCallback = Callable[[int, "int | None"], Awaitable[None]]
"""Told after each page, in order: items read so far (never fewer than before), and the API's total (if any)."""
Item = TypeVar("Item")
ItemsCallback = Callable[[Sequence[Item]], None]
"""Given the items each page adds, in order, as soon as the page is used."""
DEFAULT_CONCURRENCY = 8
"""Pages of one answer in flight at a time, once the first page has given the total."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry an idempotent request."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 4.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry` (0-based): exponential with jitter, or Retry-After."""
        backoff = min(self.max_delay, self.base_delay * 2**retry) * random.uniform(0.5, 1.0)  # noqa: S311
        return float(max(backoff, retry_after or 0.0))


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


@dataclass(frozen=True)
class PageOf(Generic[Item]):
    """One page as `read_pages` needs it: its items, and the total the API reported (None if it did not)."""

    items: Sequence[Item]
    total: int | None


@dataclass(frozen=True)
class PagedItems(Generic[Item]):
    """Every item `read_pages` read, in the API's order, and how the reading ended."""

    items: list[Item]
    reported_total: int | None
    pages: int
    """Requests whose page was used (a page read ahead and then not needed is not counted)."""
    capped: bool
    """Reading stopped at `max_pages` or `max_items` while more items remained."""


@dataclass
class _Paging(Generic[Item]):
    """The state of a paged read, advanced one page at a time in offset order (the sequential rule)."""

    page_size: int
    max_items: int
    items: list[Item] = field(default_factory=list)
    total: int | None = None
    pages: int = 0
    more: bool = True
    regular: bool = False
    """The last page had exactly `page_size` items: the next offsets can be planned ahead."""
    on_items: ItemsCallback[Item] | None = None
    """Told each page's items as they join `items`, in order."""

    def take(self, offset: int, page: PageOf[Item]) -> bool:
        """Use `page` if it starts where the items read so far end; False if it was planned on a wrong guess."""
        if offset != len(self.items):
            return False
        rows = page.items
        room = self.max_items - len(self.items)
        self.items.extend(rows[:room])
        if self.on_items is not None:
            self.on_items(rows[:room])
        self.pages += 1
        if page.total is not None and page.total >= 0:
            self.total = page.total
        self.regular = len(rows) == self.page_size
        self.more = len(rows) > room or (
            bool(rows) and (len(self.items) < self.total if self.total is not None else len(rows) >= self.page_size)
        )
        return True

    def next_offsets(self, pages_left: int) -> list[int]:
        """The offsets to read next: every page up to the total (or the cap) when it is known, else one."""
        start = len(self.items)
        if self.total is None or not self.regular:
            return [start]
        end = min(self.total, self.max_items)
        return list(range(start, end, self.page_size))[:pages_left] or [start]


async def read_pages(
    fetch_page: Callable[[int, int], Awaitable[PageOf[Item]]],
    *,
    page_size: int,
    max_pages: int,
    max_items: int,
    in_flight: int = DEFAULT_CONCURRENCY,
    on_page: PageCallback | None = None,
    on_items: ItemsCallback[Item] | None = None,
) -> PagedItems[Item]:
    """Read a paged list: the first page, then the rest concurrently, at most `in_flight` requests at a time.

    `fetch_page(offset, limit)` reads one page. The result is what reading one page after another gives,
    whatever order the pages arrive in: pages are used in offset order, the API's `count` decides when to
    stop (without one, the first short page does), and at most `max_pages` pages and `max_items` items are
    kept. Offsets are planned ahead only while pages come back exactly `page_size` long; a page of another
    length makes the following pages be read one at a time from where it ended. `on_page` is told after
    each page is used, in order; `on_items` is given the items each page adds, in order, as soon as it is
    used (so that a caller can work on them while later pages are on their way). The first failure cancels
    the other reads and is raised as it is.
    """
    paging: _Paging[Item] = _Paging(page_size, max_items, on_items=on_items)
    paging.take(0, await fetch_page(0, page_size))
    if on_page is not None:
        await on_page(len(paging.items), paging.total)
    while paging.more and paging.pages < max_pages and len(paging.items) < max_items:
        await _read_ahead(fetch_page, paging, paging.next_offsets(max_pages - paging.pages), in_flight, on_page)
    return PagedItems(paging.items, paging.total, paging.pages, paging.more)


async def _read_ahead(
    fetch_page: Callable[[int, int], Awaitable[PageOf[Item]]],
    paging: _Paging[Item],
    offsets: list[int],
    in_flight: int,
    on_page: PageCallback | None,
) -> None:
    """Read the pages at `offsets` concurrently and use them in order, until one is not needed or does not fit."""
    arrived: dict[int, PageOf[Item]] = {}
    failures: list[Exception] = []
    limiter = anyio.CapacityLimiter(max(1, in_flight))
    in_order = anyio.Lock()
    next_index = 0

    async with anyio.create_task_group() as group:

        async def read(offset: int) -> None:
            nonlocal next_index
            try:
                async with limiter:
                    arrived[offset] = await fetch_page(offset, paging.page_size)
            except Exception as exc:
                failures.append(exc)
                group.cancel_scope.cancel()
                return
            async with in_order:
                while next_index < len(offsets) and offsets[next_index] in arrived:
                    used = paging.take(offsets[next_index], arrived.pop(offsets[next_index]))
                    next_index += 1
                    if used and on_page is not None:
                        await on_page(len(paging.items), paging.total)
                    if not used or not paging.more or len(paging.items) >= paging.max_items:
                        group.cancel_scope.cancel()  # the pages after this one are not needed as read
                        return

        for offset in offsets:
            group.start_soon(read, offset)
    if failures:
        raise failures[0]


class SharedRead:
    """What the page reads of one answer share: their request slots, and a pause after a 429.

    A slot is held from sending a request until its answer has been read, not while the answer is
    parsed and used: a page that arrives frees its slot for the next request first (see `_get_once`).
    After a 429, no page starts a request before `resume_at`.
    """

    def __init__(self, deadline: float, in_flight: int) -> None:
        self.deadline = deadline
        """The answer's time budget ends here (anyio clock): no pause may run past it."""
        self.resume_at = 0.0
        self.slots = anyio.CapacityLimiter(max(1, in_flight))


_SHARED: ContextVar[SharedRead | None] = ContextVar("huawei_meeting_shared_read", default=None)
"""What the page reads of the answer being read in this context share (set by `MeetingClient.read_pages`)."""


class _DeferredTransport(httpx.AsyncBaseTransport):
    """A transport built on the first request that needs it, and closed only if it was built."""

    def __init__(self, build: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._build = build
        self._transport: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Build the real transport if this is the first request, then send through it."""
        if self._transport is None:
            self._transport = self._build()
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the real transport, if one was built."""
        if self._transport is not None:
            await self._transport.aclose()


class _DeferredPoolClient(httpx.AsyncClient):
    """An AsyncClient whose default connection pool is built on the first request.

    Building it imports httpcore and loads the CA bundle, about 85 ms on a 2-core machine; deferred,
    the server answers the MCP handshake and tools/list that much sooner (README, "Performance").
    Proxy settings from the environment and an explicitly given transport work as in httpx. This
    overrides httpx's private `_init_transport` hook (httpx is pinned below 1.0);
    tests/test_http_client.py checks both the deferral and the proxy handling.
    """

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        if kwargs.get("transport") is not None:
            return super()._init_transport(*args, **kwargs)
        build = super()._init_transport
        return _DeferredTransport(lambda: build(*args, **kwargs))


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
    return _DeferredPoolClient(
        base_url=base_url,
        transport=transport,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
        verify=True,
        trust_env=urlsplit(base_url).scheme.lower() != "http",
    )


_MEDIA_TYPE = re.compile(r"[A-Za-z0-9.+-]{1,40}/[A-Za-z0-9.+-]{1,40}")
"""A media type as the invalid-response error may quote it; anything else the server sent is not shown."""


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class MeetingClient:
    """Typed calls to the Meeting API over one shared httpx client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenProvider,
        *,
        timeout: float,
        retry: RetryPolicy | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        language: str = "en-US",
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self._http = http
        self._language = {"Accept-Language": language}
        """Sent where the API localizes its labels (§3.7): attendance and control records."""
        self._concurrency = concurrency
        self._tokens = tokens
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._max_body = max_body_bytes
        self._sleep = sleep

    @property
    def tokens(self) -> TokenProvider:
        """Where this client's access tokens come from (the `check` command signs in through it)."""
        return self._tokens

    async def conf_detail(self, query: DetailQuery) -> ConfDetailResponse:
        """Details of one ended meeting and a page of its invitees (`history/confDetail`), at most `limit`."""
        answer = await self.get_model(CONF_DETAIL_PATH, query.params(), query.headers(), ConfDetailResponse)
        page = answer.data
        if page is None or page.data is None or len(page.data) <= query.limit:
            return answer
        return answer.model_copy(update={"data": page.model_copy(update={"data": page.data[: query.limit]})})

    async def history(self, query: HistoryQuery) -> HistoryListResponse:
        """A page of ended meetings that started in the query's window (`history`), at most `limit`."""
        answer = await self.get_model(HISTORY_PATH, query.params(), {}, HistoryListResponse)
        if answer.data is None or len(answer.data) <= query.limit:
            return answer
        return answer.model_copy(update={"data": answer.data[: query.limit]})

    async def attendance_page(self, query: AttendanceQuery) -> AttendancePage:
        """One page of who joined and left an ended meeting, and when (`history/confAttendeeRecord`)."""
        return await self.get_model(ATTENDANCE_PATH, query.params(), self._language, AttendancePage)

    async def recording(self, conf_uuid: str) -> RecordingInfo:
        """The recording of one meeting occurrence (`record/files`, §3.4), without its viewing links."""
        return await self.get_model(RECORDING_PATH, {"confUUID": conf_uuid}, {}, RecordingInfo)

    async def control_records(self, query: ControlQuery) -> ControlRecordPage:
        """A page of what the host and participants did in the meeting (`history/confCtlRecord`, §3.6)."""
        answer = await self.get_model(CONTROL_PATH, query.params(), self._language, ControlRecordPage)
        if answer.data is None or len(answer.data) <= query.limit:
            return answer
        return answer.model_copy(update={"data": answer.data[: query.limit]})

    async def all_attendance(
        self,
        conf_uuid: str,
        search_key: str | None = None,
        *,
        on_page: PageCallback | None = None,
        page_size: int = ATTENDANCE_PAGE_SIZE,
        max_pages: int = MAX_ATTENDANCE_PAGES,
        max_records: int = MAX_ATTENDANCE_RECORDS,
        on_records: ItemsCallback[AttendanceRecord] | None = None,
    ) -> AttendanceRecords:
        """Every attendance record of a meeting, up to `max_pages` pages or `max_records` records.

        The first page gives the API's `count`; the rest are read concurrently (`read_pages`), and the
        records come in the order a sequential read gives them; `on_records` is given them page by page.
        """

        async def fetch(offset: int, limit: int) -> PageOf[AttendanceRecord]:
            page = await self.attendance_page(AttendanceQuery(conf_uuid, offset, limit, search_key))
            return PageOf(page.data or [], page.count)

        read = await self.read_pages(
            fetch, page_size=page_size, max_pages=max_pages, max_items=max_records, on_page=on_page, on_items=on_records
        )
        return AttendanceRecords(
            records=read.items, reported_total=read.reported_total, pages=read.pages, capped=read.capped
        )

    async def read_pages(
        self,
        fetch_page: Callable[[int, int], Awaitable[PageOf[Item]]],
        *,
        page_size: int,
        max_pages: int,
        max_items: int,
        on_page: PageCallback | None = None,
        on_items: ItemsCallback[Item] | None = None,
    ) -> PagedItems[Item]:
        """`read_pages` with at most this client's concurrency of requests in flight (`SharedRead`).

        Every page's read starts at once and waits for a request slot; a page frees its slot as soon as its
        answer is in, before it is parsed and used, so the next request goes out first. The pages pause
        together on a 429, never past this client's time budget counted from the first page: a
        `Retry-After` that would is reported at once, as a rate-limit error.
        """
        shared = SharedRead(deadline=anyio.current_time() + self._timeout, in_flight=self._concurrency)
        token = _SHARED.set(shared)
        try:
            return await read_pages(
                fetch_page,
                page_size=page_size,
                max_pages=max_pages,
                max_items=max_items,
                in_flight=max_pages,  # the request slots bound what is in flight
                on_page=on_page,
                on_items=on_items,
            )
        finally:
            _SHARED.reset(token)

    async def get_model(
        self, path: str, params: Mapping[str, str | int], headers: Mapping[str, str], model: type[Model]
    ) -> Model:
        """GET `path` within the time budget, with retries and one token renewal, parsed as `model`.

        The budget (retries included) starts at once, or, for a page of a paged read, when the page gets
        its request slot (`_get_once`): waiting for the pages before it does not spend it.
        """
        request_ids: list[str] = []
        budget = anyio.CancelScope(deadline=math.inf if _SHARED.get() else anyio.current_time() + self._timeout)
        with budget:
            body = await self._get_authenticated(path, params, headers, request_ids, budget)
        if budget.cancelled_caught:
            raise UpstreamTimeoutError(
                request_id=request_ids[-1] if request_ids else "none",
                detail=f"The {self._timeout:g}-second budget ran out.",
            )
        return _parse(body, model, request_ids[-1])

    async def _get_authenticated(
        self,
        path: str,
        params: Mapping[str, str | int],
        headers: Mapping[str, str],
        request_ids: list[str],
        budget: anyio.CancelScope,
    ) -> Any:
        token = await self._tokens.get_token()
        try:
            return await self._get_with_retries(path, params, headers, token, request_ids, budget)
        except AuthenticationError:
            if not await self._tokens.token_rejected(token):
                raise
        logger.info("Token rejected; retrying once with a fresh token")
        token = await self._tokens.get_token()
        try:
            return await self._get_with_retries(path, params, headers, token, request_ids, budget)
        except AuthenticationError as exc:
            raise exc.with_advice(REFUSED_AFTER_SIGN_IN) from None

    async def _get_with_retries(
        self,
        path: str,
        params: Mapping[str, str | int],
        headers: Mapping[str, str],
        token: str,
        request_ids: list[str],
        budget: anyio.CancelScope,
    ) -> Any:
        retry = 0
        shared = _SHARED.get()
        while True:
            request_id = uuid.uuid4().hex
            request_ids.append(request_id)
            try:
                return await self._get_once(path, params, {**headers, "X-Access-Token": token}, request_id, budget)
            except (RateLimitError, ServerError, UpstreamConnectionError) as exc:
                if retry >= self._retry.max_retries:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
                delay = self._retry.delay(retry, retry_after)
                deadline = min(budget.deadline, shared.deadline if shared is not None else math.inf)
                if anyio.current_time() + delay >= deadline:
                    raise  # waiting would overrun the time budget: report now, clearly
                logger.info(
                    "Retrying %s in %.2fs after %s [X-Request-ID: %s]",
                    path,
                    delay,
                    type(exc).__name__,
                    request_id,
                )
                retry += 1
                if shared is not None and isinstance(exc, RateLimitError):
                    shared.resume_at = max(shared.resume_at, anyio.current_time() + delay)
                    continue  # waits for its next slot, with every other page of the answer (`_get_once`)
                await self._sleep(delay)

    async def _get_once(
        self,
        path: str,
        params: Mapping[str, str | int],
        headers: Mapping[str, str],
        request_id: str,
        budget: anyio.CancelScope,
    ) -> Any:
        shared = _SHARED.get()
        if shared is None:
            request = self._request(path, params, headers, request_id)
            return await _exchange(self._http, request, request_id, self._max_body, error_for_status)
        async with shared.slots:
            if budget.deadline == math.inf:  # the page's budget starts with its first request slot
                budget.deadline = anyio.current_time() + self._timeout
            if shared.resume_at > anyio.current_time():  # after a 429, the answer's pages wait together
                await self._sleep(shared.resume_at - anyio.current_time())
            request = self._request(path, params, headers, request_id)  # built once it can go out
            body = await _exchange(self._http, request, request_id, self._max_body, error_for_status)
        # A request waiting for the slot goes out before this answer is parsed and used (a 500-record page
        # takes a few ms): the next round trip then overlaps that work instead of following it.
        await anyio.lowlevel.checkpoint()
        return body

    def _request(
        self, path: str, params: Mapping[str, str | int], headers: Mapping[str, str], request_id: str
    ) -> httpx.Request:
        return self._http.build_request("GET", path, params=params, headers={**headers, "X-Request-ID": request_id})


class SignInClient:
    """Sends sign-in POSTs over the shared client, within the time budget, without retries."""

    def __init__(self, http: httpx.AsyncClient, *, timeout: float, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._http = http
        self._timeout = timeout
        self._max_body = max_body_bytes

    async def post_model(
        self,
        path: str,
        body: Mapping[str, Any],
        headers: Mapping[str, str],
        model: type[Model],
        errors: ErrorMapper,
    ) -> Model:
        """POST `body` as JSON to `path` and parse the answer as `model`; a refusal raises what `errors` maps."""
        request_id = uuid.uuid4().hex
        request = self._http.build_request(
            "POST",
            path,
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json; charset=UTF-8", **headers, "X-Request-ID": request_id},
        )
        try:
            with anyio.fail_after(self._timeout):
                answer = await _exchange(self._http, request, request_id, self._max_body, errors)
        except TimeoutError:
            raise UpstreamTimeoutError(
                request_id=request_id, detail=f"Signing in took longer than {self._timeout:g} seconds."
            ) from None
        return _parse(answer, model, request_id)


def _parse(body: Any, model: type[Model], request_id: str) -> Model:
    try:
        return model.model_validate(body)
    except (ValidationError, RecursionError):
        raise InvalidResponseError(
            request_id=request_id,
            status=200,
            detail=f"The answer does not have the shape of a {model.__name__}.",
            advice="This server may need an update for a changed API; please report it.",
        ) from None


async def _exchange(
    http: httpx.AsyncClient, request: httpx.Request, request_id: str, max_body: int, errors: ErrorMapper
) -> Any:
    """Send one request; return its decoded JSON body or raise the mapped UpstreamError."""
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
        raise UpstreamConnectionError(request_id=request_id, detail=f"({type(exc).__name__})") from None
    try:
        raw = await _read_capped(response, request_id, max_body)
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
    return _decode(response, raw, request_id, errors)


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


async def _read_capped(response: httpx.Response, request_id: str, max_body: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_body:
        raise InvalidResponseError(
            request_id=request_id, status=response.status_code, detail="The answer is too large to read."
        )
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_body:
                raise InvalidResponseError(
                    request_id=request_id,
                    status=response.status_code,
                    detail="The answer is too large to read.",
                )
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise UpstreamTimeoutError(request_id=request_id, detail="Reading the answer timed out.") from None
    except httpx.TransportError as exc:
        raise ConnectionBrokenError(request_id=request_id, detail=f"({type(exc).__name__}).") from None
    return b"".join(chunks)


def _decode(response: httpx.Response, raw: bytes, request_id: str, errors: ErrorMapper) -> Any:
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
