"""The exception tree, and the one place where HTTP statuses and Huawei error codes are mapped.

    MeetingError                    base: a message a person (or model) can act on
    ├── CredentialsMissingError     no credentials configured
    ├── InvalidArgumentError        arguments refused before any call (e.g. an inverted date range)
    └── UpstreamError               status, Huawei error code, request id
        ├── SignInError             App ID or account sign-in refused (wrong key, clock, locked, ...)
        ├── AuthenticationError     401, USG.000000004
        ├── PermissionDeniedError   403, MMC.111070010, MMC.111070002
        ├── NotFoundError           MMC.111070005, MMC.111072065
        ├── BadRequestError         other 4xx, with Huawei's own message
        ├── RateLimitError          429, 100000429
        ├── ServerError             5xx
        │   └── ServiceUnavailableError 502, 503, 504: the service is unavailable right now
        ├── InvalidResponseError    not JSON, truncated, too large, wrong shape, redirect
        ├── UpstreamTimeoutError    the time budget ran out
        └── UpstreamConnectionError never reached Huawei (no request ID quoted)
            ├── UnknownHostError            the host name does not resolve
            ├── ConnectionRefusedByHostError nothing listens at the host and port
            ├── TlsHandshakeError           the TLS handshake failed (e.g. https to a plain-HTTP port)
            └── ConnectionBrokenError       broke in the middle of an answer (did reach Huawei)

Every message is built here from fixed text plus a few sanitised fields, so no secret
(token, key, password) can reach a tool result through an exception.

Whether sending the same request again may help is decided here too: `retryable`, a class default
that an error may override (the client's retry loop asks nothing else). Rate limits, 5xx, timeouts,
refused and broken connections are retried; a 4xx, an unreadable answer, an unknown host and a failed
TLS handshake are not (they fail the same way every time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeVar

from .text import quoted, sanitise

MAX_UPSTREAM_MESSAGE = 200
MAX_ERROR_NESTING = 3
ERROR_CODE = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""What a Huawei error code looks like; anything else in the code field is not shown."""

SignInMethod = Literal["app_id", "account"]
_Error = TypeVar("_Error", bound="UpstreamError")


class MeetingError(Exception):
    """Base of every error this server reports; `str()` is the message shown to the user."""


class CredentialsMissingError(MeetingError):
    """No Huawei credentials are configured."""

    def __init__(self) -> None:
        super().__init__(
            "No Huawei Cloud Meeting credentials are configured. In the server's environment set "
            "HUAWEI_MEETING_APP_ID and HUAWEI_MEETING_APP_KEY (recommended), or HUAWEI_MEETING_ACCOUNT and "
            "HUAWEI_MEETING_PASSWORD, or a static HUAWEI_MEETING_ACCESS_TOKEN (see the README); "
            "or, to try it against the built-in sandbox, set HUAWEI_MEETING_DEMO=true (or start it with --demo)."
        )


ERROR_META = "io.github.huawei-meeting-mcp/error"
"""The `_meta` key of every tool error result: `{"kind": ErrorKind, "retryable": bool}`, for programs (the command
line) that act on the kind of failure without reading the message, which is written for the model. `retryable`: the
same call later may succeed (the API timed out, was busy or failed on its side; the server's own retries are spent)."""

ErrorKind = Literal["invalid-arguments", "failed", "internal"]
"""Refused before any API call; the work failed (the message says why); an unexpected fault (logged)."""


class InvalidArgumentError(MeetingError):
    """Arguments the schema cannot check (a date format, a range) were refused before any API call."""


class UpstreamError(MeetingError):
    """The Huawei API (or the way to it) failed; carries what support needs to trace it."""

    summary: ClassVar[str] = "The Huawei Cloud Meeting API request failed."
    advice: ClassVar[str] = "Try again later."
    retryable: bool = False
    """Sending the same request again may succeed: the class's default, or this error's own (`retryable=`)."""
    retry_after: float | None = None
    """Seconds the API asked to wait before trying again (its Retry-After), if it said."""

    def __init__(
        self,
        *,
        request_id: str,
        status: int | None = None,
        error_code: str | None = None,
        error_msg: str | None = None,
        detail: str | None = None,
        advice: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.request_id = request_id
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.detail = detail
        self.custom_advice = advice
        if retryable is not None:
            self.retryable = retryable
        super().__init__(self._compose())

    def with_advice(self: _Error, advice: str | None) -> _Error:
        """A new error like this one with other advice (None keeps it), to raise afresh."""
        return type(self)(
            request_id=self.request_id,
            status=self.status,
            error_code=self.error_code,
            error_msg=self.error_msg,
            detail=self.detail,
            advice=self.custom_advice if advice is None else advice,
            retryable=self.retryable,
        )

    def _compose(self) -> str:
        facts = []
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.error_code:
            facts.append(self.error_code)
        if self.error_msg:
            facts.append(f"Huawei said {quoted(self.error_msg)}")
        said = f" ({', '.join(facts)})" if facts else ""
        detail = f" {self.detail}" if self.detail else ""
        advice = self.custom_advice or self.advice
        return f"{self.summary}{said}{detail} {advice} [X-Request-ID: {self.request_id}]"


class AuthenticationError(UpstreamError):
    """The access token was missing, invalid or expired."""

    summary = "Huawei rejected the access token."
    advice = (
        "A static HUAWEI_MEETING_ACCESS_TOKEN expires 12-24 hours after it was issued and has probably expired: "
        "set a fresh one, or better switch to App ID sign-in (HUAWEI_MEETING_APP_ID and HUAWEI_MEETING_APP_KEY "
        "instead of the token) so the server signs in and renews its token itself."
    )


REFUSED_AFTER_SIGN_IN = (
    "The server signed in again and the new token was refused too: check that the App ID or account may use "
    "the Meeting management API and belongs to the site HUAWEI_MEETING_BASE_URL points at."
)
"""Advice when a token obtained by signing in moments ago is rejected as well."""


class SignInError(UpstreamError):
    """Huawei refused the configured App ID or account sign-in."""

    summary = "Signing in to Huawei Cloud Meeting failed."
    advice = "Check the sign-in settings."


class PermissionDeniedError(UpstreamError):
    """The caller may not see this resource."""

    summary = "The signed-in user may not view this meeting."
    advice = (
        "Ordinary users see only meetings they created or were invited to; "
        "use an enterprise administrator's credentials to see others."
    )


class NotFoundError(UpstreamError):
    """The meeting does not exist or is not visible to the caller."""

    summary = "No ended meeting with that confUUID was found."
    advice = (
        "confUUID is the 32-character UUID of one occurrence (e.g. 9a0fa6d10a5b11eaae5e191763c22c0e), "
        "not the 9-digit meeting ID; the meeting list gives each occurrence's confUUID. "
        "Meetings still in progress, or older than the history retention (6-12 months), are not listed."
    )


class BadRequestError(UpstreamError):
    """Huawei refused the parameters."""

    summary = "Huawei refused the request."
    advice = "Check the arguments against the tool's schema and try again."


class RateLimitError(UpstreamError):
    """Huawei throttled the caller."""

    summary = "Huawei is rate-limiting requests."
    advice = "Wait a minute before calling again."
    retryable = True


class ServerError(UpstreamError):
    """Huawei answered with a 5xx status."""

    summary = "The Huawei Cloud Meeting service had an internal error."
    advice = "Try again in a few minutes; if it persists, quote the request ID to Huawei support."
    retryable = True


class ServiceUnavailableError(ServerError):
    """A gateway in front of Huawei, or the service itself, is unavailable (502, 503, 504)."""

    summary = "The Huawei Cloud Meeting service is unavailable right now."
    advice = "Try again in a few minutes; if it persists, check Huawei Cloud's service status."


class InvalidResponseError(UpstreamError):
    """The answer was not the JSON we expect."""

    summary = "The Huawei Cloud Meeting API sent an answer this server cannot read."
    advice = "Check HUAWEI_MEETING_BASE_URL points at the Meeting API (no proxy or login page in between)."


class UpstreamTimeoutError(UpstreamError):
    """The time budget for the call ran out."""

    summary = "The Huawei Cloud Meeting API did not answer in time."
    advice = "Try again; raise HUAWEI_MEETING_TIMEOUT if the network to Huawei is slow."
    retryable = True


NOT_SENT = "The request did not reach Huawei (nothing to quote to Huawei support)."


class UpstreamConnectionError(UpstreamError):
    """The API could not be reached: no connection was made, so Huawei never saw the request.

    Its message says so and quotes no X-Request-ID (Huawei has no record of one); the subclasses
    tell an unknown host from a refused connection from a failed TLS handshake.
    """

    summary = "Could not connect to the Huawei Cloud Meeting API."
    advice = "Check the network and HUAWEI_MEETING_BASE_URL."
    retryable = True

    def _compose(self) -> str:
        detail = f" {self.detail}" if self.detail else ""
        return f"{self.summary}{detail} {NOT_SENT} {self.custom_advice or self.advice}"


class UnknownHostError(UpstreamConnectionError):
    """The base URL's host name does not resolve (a typo, no DNS, or offline)."""

    summary = "Could not connect to the Huawei Cloud Meeting API: its host name is unknown."
    retryable = False
    advice = (
        "Check the host in HUAWEI_MEETING_BASE_URL (https://api.meeting.huaweicloud.com, or "
        "https://api-intl.meeting.huaweicloud.com outside the Chinese mainland) and this computer's network and DNS."
    )


class ConnectionRefusedByHostError(UpstreamConnectionError):
    """The host answered, but nothing accepts connections on that port."""

    summary = "Could not connect to the Huawei Cloud Meeting API: the connection was refused."
    advice = (
        "Nothing listens at that address: check the host and port in HUAWEI_MEETING_BASE_URL "
        "(Huawei's API uses https on the default port)."
    )


class TlsHandshakeError(UpstreamConnectionError):
    """A connection was made, but the TLS (https) handshake failed before any request was sent."""

    summary = "Could not connect to the Huawei Cloud Meeting API: the secure (TLS) connection failed."
    retryable = False
    advice = (
        "If HUAWEI_MEETING_BASE_URL points at a plain-HTTP server, the https:// is wrong for it (http:// is "
        "accepted for loopback hosts only); if a company proxy inspects TLS, give its CA to this server with "
        "SSL_CERT_FILE; otherwise check the computer's clock and the address."
    )


class ConnectionBrokenError(UpstreamConnectionError):
    """The connection broke in the middle of an answer (reset, closed early): the request did reach Huawei."""

    summary = "The connection to the Huawei Cloud Meeting API broke in the middle of an answer."
    advice = "Try again; if it keeps happening, check proxies or firewalls between this server and Huawei."

    def _compose(self) -> str:
        return UpstreamError._compose(self)


_BY_CODE: dict[str, type[UpstreamError]] = {
    "USG.000000004": AuthenticationError,
    "MMC.111070010": PermissionDeniedError,
    "MMC.111070002": PermissionDeniedError,
    "MMC.111070005": NotFoundError,
    "MMC.111072065": NotFoundError,
    "100000429": RateLimitError,
}


def _first_str(body: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = body.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def _shown_code(raw: str) -> str | None:
    """Huawei's error code when it looks like one and the sanitiser leaves it as it is; otherwise None."""
    if not ERROR_CODE.fullmatch(raw) or sanitise(raw, 64) != raw:
        return None
    return raw


def shown_upstream_text(raw: str, limit: int = MAX_UPSTREAM_MESSAGE) -> str:
    """Upstream text made fit to show by the one sanitiser (`text.sanitise`), contacts masked, cut to `limit`.

    The message keeps no markup, and `_compose` quotes it (`text.quoted`), so nothing Huawei sends can
    read as the server's own words (a forged "Next: call ..." or "[X-Request-ID: ...]").
    """
    return sanitise(raw, limit)


def error_fields(body: object) -> tuple[str | None, str | None]:
    """Extract Huawei's error code and message from an error body, tolerating its several spellings.

    Both are upstream text: a code that is not `[A-Za-z0-9._-]{1,64}` or holds a known secret, a
    contact or a credential is dropped; the message goes through the one sanitiser (`shown_upstream_text`).
    """
    if not isinstance(body, dict):
        return None, None
    for _ in range(MAX_ERROR_NESTING):
        nested = next((value for value in body.values() if isinstance(value, dict)), None)
        if _first_str(body, "error_code", "errorCode", "code") is not None or nested is None:
            break
        body = nested
    code = _first_str(body, "error_code", "errorCode", "code")
    message = _first_str(body, "error_msg", "errorMsg", "message")
    shown = shown_upstream_text(message) if message else None
    return (_shown_code(code) if code else None), (shown or None)


ErrorMapper = Callable[[int, Any, str], UpstreamError]
"""Turns a refused request (status, decoded body or None, request id) into the error to raise."""

_SIGN_IN_BY_CODE: dict[str, str] = {
    "USG.206010025": (
        "The App ID or App Key is wrong: check HUAWEI_MEETING_APP_ID and HUAWEI_MEETING_APP_KEY "
        "(and leave HUAWEI_MEETING_CORP_ID unset unless the app is a multi-enterprise app)."
    ),
    "USG.206010057": (
        "The signature had expired when Huawei checked it, so this computer's clock is probably wrong: "
        "check the system clock (automatic time sync), then try again."
    ),
    "USG.206010000": "The account or password is wrong: check HUAWEI_MEETING_ACCOUNT and HUAWEI_MEETING_PASSWORD.",
    "USG.206110009": (
        "The App ID does not belong to that enterprise: check HUAWEI_MEETING_CORP_ID "
        "(only multi-enterprise apps use it)."
    ),
}

_SIGN_IN_BY_STATUS: dict[int, str] = {
    412: "The account is disabled: ask the enterprise administrator to enable it.",
    423: "The account is locked: wait until it unlocks, or ask the enterprise administrator to unlock it.",
}

_SIGN_IN_FALLBACK: dict[SignInMethod, str] = {
    "app_id": "Check HUAWEI_MEETING_APP_ID, HUAWEI_MEETING_APP_KEY and the system clock.",
    "account": "Check HUAWEI_MEETING_ACCOUNT and HUAWEI_MEETING_PASSWORD.",
}


def sign_in_error(status: int, body: object, request_id: str, method: SignInMethod) -> UpstreamError:
    """Map a refused sign-in to an error that says which setting to fix; 404, 429 and 5xx map as usual."""
    code, message = error_fields(body)
    advice = _SIGN_IN_BY_CODE.get(code or "") or _SIGN_IN_BY_STATUS.get(status)
    if advice is None and status in {400, 401, 403}:
        advice = _SIGN_IN_FALLBACK[method]
    if advice is None:
        return error_for_status(status, body, request_id)
    return SignInError(request_id=request_id, status=status, error_code=code, error_msg=message, advice=advice)


def error_for_status(status: int, body: object, request_id: str) -> UpstreamError:
    """Map a non-2xx answer (status plus decoded JSON body, if any) to the right UpstreamError."""
    code, message = error_fields(body)
    cls: type[UpstreamError] | None = _BY_CODE.get(code or "")
    if cls is None:
        if status == 401:
            cls = AuthenticationError
        elif status == 403:
            cls = PermissionDeniedError
        elif status == 404:
            return InvalidResponseError(
                request_id=request_id,
                status=status,
                detail="The API path does not exist at this address.",
            )
        elif status == 429:
            cls = RateLimitError
        elif status in (502, 503, 504):
            cls = ServiceUnavailableError
        elif status >= 500:
            cls = ServerError
        else:
            cls = BadRequestError
    return cls(request_id=request_id, status=status, error_code=code, error_msg=message)
