"""The API calls: typed reads of the Huawei Cloud Meeting API, each within a time budget, retried if it may help.

Each tool call gets a time budget (`HUAWEI_MEETING_TIMEOUT`) that covers sign-in, retries and back-off.
Idempotent GETs are sent again, a bounded number of times, when the error says it may help
(`UpstreamError.retryable`: 429, 5xx, timeouts, refused or broken connections), honouring `Retry-After`.
Sign-in POSTs (`SignInClient`) share the client, the body cap and the error handling, but are never
retried here: the token provider decides when to sign in again. The HTTP exchange itself is
`transport.py`; the pages of a paged list are read by `page_reads.py`.
"""

from __future__ import annotations

import json
import logging
import math
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import anyio
import anyio.lowlevel
import httpx
from pydantic import BaseModel, ValidationError

from .auth import TokenProvider
from .errors import (
    REFUSED_AFTER_SIGN_IN,
    AuthenticationError,
    ErrorMapper,
    InvalidResponseError,
    RateLimitError,
    UpstreamError,
    UpstreamTimeoutError,
    error_for_status,
)
from .page_reads import DEFAULT_CONCURRENCY, ItemsCallback, PageCallback, ReadSession, UpstreamPage, read_pages
from .reads import AttendanceRecords
from .transport import MAX_BODY_BYTES, exchange
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
    PageParticipant,
    RecordingInfo,
)

logger = logging.getLogger(__name__)

CONF_DETAIL_PATH = "/v1/mmc/management/conferences/history/confDetail"
HISTORY_PATH = "/v1/mmc/management/conferences/history"
ATTENDANCE_PATH = "/v1/mmc/management/conferences/history/confAttendeeRecord"
CONTROL_PATH = "/v1/mmc/management/conferences/history/confCtlRecord"
RECORDING_PATH = "/v1/mmc/management/conferences/record/files"

Model = TypeVar("Model", bound=BaseModel)


class Pacer(Protocol):
    """Paces requests across a fleet (`shared_pacing.SharedPacer`): a 429's pause and a budget per API."""

    async def wait(self, path: str, deadline: float) -> None:
        """Before a request to `path`: wait until it may go; RateLimitError if that would pass `deadline`."""
        ...

    async def pause(self, path: str, seconds: float) -> None:
        """A 429 asked to wait `seconds` before the next request to `path`."""
        ...


Listing = TypeVar("Listing", HistoryListResponse, ControlRecordPage, PageParticipant)


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
        pacer: Pacer | None = None,
    ) -> None:
        self._http = http
        self._pacer = pacer
        self._language = {"Accept-Language": language}
        """Sent where the API localizes its labels (§3.7): attendance and control records."""
        self._concurrency = concurrency
        self._tokens = tokens
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._max_body = max_body_bytes
        self._sleep = sleep
        self._urls: dict[str, httpx.URL] = {}
        """Each API path merged with the base URL once, not on every request (httpx parses both each time)."""

    @property
    def tokens(self) -> TokenProvider:
        """Where this client's access tokens come from (the `check` command signs in through it)."""
        return self._tokens

    def read_session(self) -> ReadSession:
        """A session for the page reads of one answer: this client's concurrency, its budget from now."""
        return ReadSession(in_flight=self._concurrency, deadline=anyio.current_time() + self._timeout)

    async def conf_detail(self, query: DetailQuery, session: ReadSession | None = None) -> ConfDetailResponse:
        """Details of one ended meeting and a page of its invitees (`history/confDetail`), at most `limit`."""
        answer = await self.get_model(CONF_DETAIL_PATH, query.params(), query.headers(), ConfDetailResponse, session)
        if answer.data is None:
            return answer
        return answer.model_copy(update={"data": at_most(answer.data, query.limit)})

    async def history(self, query: HistoryQuery) -> HistoryListResponse:
        """A page of ended meetings that started in the query's window (`history`), at most `limit`."""
        return at_most(await self.get_model(HISTORY_PATH, query.params(), {}, HistoryListResponse), query.limit)

    async def attendance_page(self, query: AttendanceQuery, session: ReadSession | None = None) -> AttendancePage:
        """One page of who joined and left an ended meeting, and when (`history/confAttendeeRecord`)."""
        return await self.get_model(ATTENDANCE_PATH, query.params(), self._language, AttendancePage, session)

    async def recording(self, conf_uuid: str) -> RecordingInfo:
        """The recording of one meeting occurrence (`record/files`, §3.4), without its viewing links."""
        return await self.get_model(RECORDING_PATH, {"confUUID": conf_uuid}, {}, RecordingInfo)

    async def control_records(self, query: ControlQuery) -> ControlRecordPage:
        """A page of what the host and participants did in the meeting (`history/confCtlRecord`, §3.6)."""
        answer = await self.get_model(CONTROL_PATH, query.params(), self._language, ControlRecordPage)
        return at_most(answer, query.limit)

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

        The first page gives the API's `count`; the rest are read concurrently (`read_pages`, in one
        `ReadSession`), and the records come in the order a sequential read gives them; `on_records` is
        given them page by page.
        """
        session = self.read_session()

        async def fetch(offset: int, limit: int) -> UpstreamPage[AttendanceRecord]:
            page = await self.attendance_page(AttendanceQuery(conf_uuid, offset, limit, search_key), session)
            return UpstreamPage(page.data or [], page.count)

        read = await read_pages(
            fetch, page_size=page_size, max_pages=max_pages, max_items=max_records, on_page=on_page, on_items=on_records
        )
        return AttendanceRecords(
            records=read.items, reported_total=read.reported_total, pages=read.pages, capped=read.capped
        )

    async def get_model(
        self,
        path: str,
        params: Mapping[str, str | int],
        headers: Mapping[str, str],
        model: type[Model],
        session: ReadSession | None = None,
    ) -> Model:
        """GET `path` within the time budget, with retries and one token renewal, parsed as `model`.

        The budget (retries included) starts at once, or, for a page of a paged read (`session`), when the
        page gets its request slot: waiting for the pages before it does not spend it.
        """
        request_ids: list[str] = []
        budget = anyio.CancelScope(deadline=math.inf if session else anyio.current_time() + self._timeout)
        with budget:
            body = await self._get_authenticated(path, params, headers, request_ids, budget, session)
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
        session: ReadSession | None,
    ) -> Any:
        token = await self._tokens.get_token()
        try:
            return await self._get_with_retries(path, params, headers, token, request_ids, budget, session)
        except AuthenticationError:
            if not await self._tokens.token_rejected(token):
                raise
        logger.info("Token rejected; retrying once with a fresh token")
        token = await self._tokens.get_token()
        try:
            return await self._get_with_retries(path, params, headers, token, request_ids, budget, session)
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
        session: ReadSession | None,
    ) -> Any:
        retry = 0
        while True:
            request_id = uuid.uuid4().hex
            request_ids.append(request_id)
            try:
                return await self._get_once(
                    path, params, {**headers, "X-Access-Token": token}, request_id, budget, session
                )
            except UpstreamError as exc:
                if not exc.retryable or retry >= self._retry.max_retries:
                    raise
                delay = self._retry.delay(retry, exc.retry_after)
                deadline = min(budget.deadline, session.deadline if session is not None else math.inf)
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
                if self._pacer is not None and isinstance(exc, RateLimitError):
                    await self._pacer.pause(path, delay)
                if session is not None and isinstance(exc, RateLimitError):
                    session.pause(delay)
                    continue  # waits for its next slot, with every other page of the answer (`_get_once`)
                await self._sleep(delay)

    async def _get_once(
        self,
        path: str,
        params: Mapping[str, str | int],
        headers: Mapping[str, str],
        request_id: str,
        budget: anyio.CancelScope,
        session: ReadSession | None,
    ) -> Any:
        if session is None:
            if self._pacer is not None:
                await self._pacer.wait(path, budget.deadline)
            request = self._request(path, params, headers, request_id)
            return await exchange(self._http, request, request_id, self._max_body, error_for_status)
        async with session.slots:
            if budget.deadline == math.inf:  # the page's budget starts with its first request slot
                budget.deadline = anyio.current_time() + self._timeout
            if (paused := session.paused_for()) > 0:  # after a 429, the answer's pages wait together
                await self._sleep(paused)
            if self._pacer is not None:
                await self._pacer.wait(path, min(budget.deadline, session.deadline))
            request = self._request(path, params, headers, request_id)  # built once it can go out
            body = await exchange(self._http, request, request_id, self._max_body, error_for_status)
        # A request waiting for the slot goes out before this answer is parsed and used (a 500-record page
        # takes a few ms): the next round trip then overlaps that work instead of following it.
        await anyio.lowlevel.checkpoint()
        return body

    def _request(
        self, path: str, params: Mapping[str, str | int], headers: Mapping[str, str], request_id: str
    ) -> httpx.Request:
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = self._http.build_request("GET", path).url
        return self._http.build_request("GET", url, params=params, headers={**headers, "X-Request-ID": request_id})


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
                answer = await exchange(self._http, request, request_id, self._max_body, errors)
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


def at_most(listing: Listing, limit: int) -> Listing:
    """`listing` with at most `limit` items: the API may send more than was asked for."""
    if listing.data is None or len(listing.data) <= limit:
        return listing
    return listing.model_copy(update={"data": listing.data[:limit]})
