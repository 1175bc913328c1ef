"""Where the `X-Access-Token` for business calls comes from.

`TokenProvider` is the one interface the HTTP client knows. `token_provider()` picks the provider
that matches the configured credentials (API doc §4):

- `SigningIn` signs in with an App ID and App Key (`AppIdSignIn`, §4.1) or an account and password
  (`AccountSignIn`, §4.2). It keeps one token per process with its expiry, renews it before it
  expires, signs in again (once) when the API rejects it, and backs off after a failed sign-in.
  One lock makes sign-in single flight: concurrent calls share one sign-in request. Given a
  `TokenShare` (a fleet sharing Redis: `shared_tokens.py`), it takes its token from the fleet and
  signs in only when the fleet holds none, so every replica uses one token per identity.
- `StaticToken` hands out a token set by hand; there is nothing to renew.
- `NoCredentials` explains what to set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio
from pydantic import BaseModel

from . import metrics
from .errors import CredentialsMissingError, ErrorMapper, SignInMethod, UpstreamError, sign_in_error
from .redaction import REDACTOR
from .settings import Settings
from .wire import TokenResponse

logger = logging.getLogger(__name__)

APP_AUTH_PATH = "/v2/usg/acs/auth/appauth"
ACCOUNT_AUTH_PATH = "/v1/usg/acs/auth/account"
CLIENT_TYPE_API = 72
"""`clientType` for API callers: one user may hold up to 64 valid tokens (§4.1)."""

SIGNATURE_VALIDITY = 600
"""Seconds an App ID signature stays valid (`expireTime` = now + this), as the official SDK does."""

NONCE_BYTES = 32
"""Random bytes in a nonce: 64 hex characters, the most the API allows."""

MIN_RENEWAL_MARGIN = 60.0
RENEWAL_FRACTION = 0.1
ASSUMED_LIFETIME = 12 * 3600
"""Token lifetime to assume when the answer states none: the shortest documented (12 h)."""

FIRST_BACKOFF = 5.0
MAX_BACKOFF = 300.0

Clock = Callable[[], float]
"""Returns the current time as Unix seconds (`time.time`); injectable so tests need not sleep."""

Model = TypeVar("Model", bound=BaseModel)


class TokenProvider(Protocol):
    """Supplies the `X-Access-Token` for business calls."""

    async def get_token(self) -> str:
        """Return a token that is valid now, signing in first if needed."""
        ...

    async def token_rejected(self, token: str) -> bool:
        """Note that the API rejected `token`; return True if a fresh token is worth one retry."""
        ...


class SignInPoster(Protocol):
    """Sends a sign-in request (in practice `client.SignInClient`, over the shared HTTP client)."""

    async def post_model(
        self,
        path: str,
        body: Mapping[str, Any],
        headers: Mapping[str, str],
        model: type[Model],
        errors: ErrorMapper,
    ) -> Model:
        """POST `body` as JSON and parse the answer as `model`; a refusal raises what `errors` maps."""
        ...


class StaticToken:
    """A token configured by hand: nothing to renew when it expires."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self) -> str:
        """Return the configured token."""
        return self._token

    async def token_rejected(self, token: str) -> bool:
        """A static token cannot be renewed, so a retry would fail the same way."""
        return False


class NoCredentials:
    """Stands in when nothing is configured: every call explains what to set."""

    async def get_token(self) -> str:
        """Raise the error that names the variables to set."""
        raise CredentialsMissingError

    async def token_rejected(self, token: str) -> bool:
        """Never reached: no token is ever handed out."""
        return False


def app_id_signature(
    app_key: str, app_id: str, user_id: str | None, expire_time: int, nonce: str, corp_id: str | None = None
) -> str:
    """Upper-case hex HMAC-SHA256 of `appId:[corpId:]userId:expireTime:nonce` under the App Key (§4.1).

    Empty fields keep their colons; `corp_id` (even empty) selects the multi-enterprise form.
    """
    fields = [app_id, user_id or "", str(expire_time), nonce]
    if corp_id is not None:
        fields.insert(1, corp_id)
    digest = hmac.new(app_key.encode(), ":".join(fields).encode(), hashlib.sha256)
    return digest.hexdigest().upper()


def access_value(app_id: str) -> str:
    """The `access=` part of the App ID `Authorization` header: base64 of the App ID."""
    return base64.b64encode(app_id.encode()).decode("ascii")


@dataclass(frozen=True)
class SignInRequest:
    """One sign-in request, ready to send."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class AppIdSignIn:
    """App ID + App Key sign-in (`POST /v2/usg/acs/auth/appauth`, §4.1)."""

    app_id: str
    app_key: str = field(repr=False)
    user_id: str | None = None
    corp_id: str | None = None
    method: SignInMethod = field(default="app_id", init=False)

    def request(self, now: float) -> SignInRequest:
        """A freshly signed request: expiry `now` + 600 s and a new random nonce."""
        expire_time = int(now) + SIGNATURE_VALIDITY
        nonce = secrets.token_hex(NONCE_BYTES)
        signature = app_id_signature(self.app_key, self.app_id, self.user_id, expire_time, nonce, self.corp_id)
        body: dict[str, Any] = {
            "appId": self.app_id,
            "clientType": CLIENT_TYPE_API,
            "expireTime": expire_time,
            "nonce": nonce,
        }
        if self.user_id:
            body["userId"] = self.user_id
        if self.corp_id:
            body["corpId"] = self.corp_id
        headers = {
            "Authorization": f"HMAC-SHA256 signature={signature},access={access_value(self.app_id)}",
            "X-Token-Type": "LongTicket",
        }
        return SignInRequest(APP_AUTH_PATH, body, headers)

    def secrets(self) -> tuple[str, ...]:
        """The strings that must never be shown."""
        return (self.app_key,)


@dataclass(frozen=True)
class AccountSignIn:
    """Account + password sign-in (`POST /v1/usg/acs/auth/account`, Basic auth, §4.2)."""

    account: str
    password: str = field(repr=False)
    method: SignInMethod = field(default="account", init=False)

    def _basic(self) -> str:
        return base64.b64encode(f"{self.account}:{self.password}".encode()).decode("ascii")

    def request(self, now: float) -> SignInRequest:
        """The sign-in request (it does not depend on the time)."""
        body = {"account": self.account, "clientType": CLIENT_TYPE_API}
        return SignInRequest(ACCOUNT_AUTH_PATH, body, {"Authorization": f"Basic {self._basic()}"})

    def secrets(self) -> tuple[str, ...]:
        """The strings that must never be shown: the password and the Basic credential."""
        return (self.password, self._basic())


SignIn = AppIdSignIn | AccountSignIn


def renewal_margin(lifetime: float) -> float:
    """How long before expiry to renew: the larger of 60 s and 10% of the lifetime.

    Capped at half the lifetime, so a short-lived token is still reused for half its life
    instead of being renewed on every call.
    """
    return min(max(MIN_RENEWAL_MARGIN, RENEWAL_FRACTION * lifetime), lifetime / 2)


@dataclass(frozen=True)
class IssuedToken:
    """The token in use, with when (by the local clock) it expires and when to renew it."""

    value: str = field(repr=False)
    expires_at: float
    renew_at: float


class TokenShare(Protocol):
    """Where the replicas of a fleet share one identity's token (`shared_tokens.SharedTokens`)."""

    async def issued(self, avoid: Collection[str], sign_in: Callable[[], Awaitable[IssuedToken]]) -> IssuedToken:
        """A token not in `avoid`: the one the fleet holds, or the one `sign_in` gets (one sign-in for the fleet)."""
        ...

    async def rejected(self, token: str) -> None:
        """The API refused `token`: it no longer counts as one of the user's live tokens."""
        ...


class SigningIn:
    """Signs in with an App ID or account and manages the one token of this process (or of the fleet: `share`)."""

    def __init__(
        self, sign_in: SignIn, poster: SignInPoster, *, clock: Clock = time.time, share: TokenShare | None = None
    ) -> None:
        self._sign_in = sign_in
        self._share = share
        self._poster = poster
        self._clock = clock
        self._lock = anyio.Lock()
        self._current: IssuedToken | None = None
        self._superseded: deque[str] = deque(maxlen=8)
        self._failure: UpstreamError | None = None
        self._failures = 0
        self._retry_at = 0.0

    async def get_token(self) -> str:
        """Return the current token; sign in first if there is none or it is due for renewal."""
        current = self._current
        if current is not None and self._clock() < current.renew_at:
            return current.value
        async with self._lock:
            current = self._current
            now = self._clock()
            if current is not None and now < current.renew_at:
                return current.value  # another call renewed it while this one waited
            unexpired = current.value if current is not None and now < current.expires_at else None
            if self._failure is not None and now < self._retry_at:
                if unexpired:
                    return unexpired
                raise self._failure.with_advice(None)
            try:
                fresh = await self._fresh_token(now, current)
            except UpstreamError as exc:
                metrics.signed_in(ok=False)
                self._note_failure(exc)
                if unexpired:
                    logger.warning("Renewing the token failed; the current one stays in use until it expires")
                    return unexpired
                raise
            metrics.signed_in(ok=True)
            if current is not None:
                self._superseded.append(current.value)
            self._current = fresh
            self._failure = None
            self._failures = 0
            return fresh.value

    async def token_rejected(self, token: str) -> bool:
        """The API rejected `token`: if it is the current one, drop it so the next call signs in.

        Returns True when a retry can use a different token: the rejected one was current (a fresh
        sign-in follows) or has already been replaced. The client retries at most once per call,
        so a token that keeps being rejected costs one sign-in per call, never a loop.
        """
        async with self._lock:
            if self._current is not None and self._current.value == token:
                self._superseded.append(token)
                self._current = None
                if self._share is not None:
                    await self._share.rejected(token)
                return True
            return token in self._superseded

    async def _fresh_token(self, now: float, current: IssuedToken | None) -> IssuedToken:
        if self._share is None:
            return await self._request_token(now)
        avoid = {*self._superseded, *((current.value,) if current is not None else ())}
        return await self._share.issued(avoid, lambda: self._request_token(self._clock()))

    async def _request_token(self, now: float) -> IssuedToken:
        request = self._sign_in.request(now)
        errors = partial(sign_in_error, method=self._sign_in.method)
        answer = await self._poster.post_model(request.path, request.body, request.headers, TokenResponse, errors)
        lifetime = self._lifetime(answer, now)
        expires_at = now + lifetime
        REDACTOR.add_short_lived(answer.access_token, answer.refresh_token, until=expires_at, now=now)
        logger.info(
            "Signed in with the %s; the token is valid for %.0f s and will be renewed after %.0f s",
            "App ID" if self._sign_in.method == "app_id" else "account",
            lifetime,
            lifetime - renewal_margin(lifetime),
        )
        return IssuedToken(answer.access_token, expires_at, expires_at - renewal_margin(lifetime))

    @staticmethod
    def _lifetime(answer: TokenResponse, now: float) -> float:
        # validPeriod is relative, so a skewed local clock cannot shorten or stretch it.
        if answer.valid_period is not None and answer.valid_period > 0:
            return float(answer.valid_period)
        if answer.expire_time is not None and answer.expire_time > now:
            return answer.expire_time - now
        return float(ASSUMED_LIFETIME)

    def _note_failure(self, error: UpstreamError) -> None:
        self._failure = error
        self._failures += 1
        delay = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (self._failures - 1))
        self._retry_at = self._clock() + delay
        logger.warning("Sign-in failed; the next attempt waits %.0f s: %s", delay, error)


def sign_in_for(settings: Settings) -> SignIn | None:
    """The sign-in method the settings configure, if any."""
    if settings.app_id is not None and settings.app_key is not None:
        return AppIdSignIn(settings.app_id, settings.app_key.get_secret_value(), settings.user_id, settings.corp_id)
    if settings.account is not None and settings.password is not None:
        return AccountSignIn(settings.account, settings.password.get_secret_value())
    return None


def token_provider(
    settings: Settings, poster: SignInPoster, *, clock: Clock = time.time, share: TokenShare | None = None
) -> TokenProvider:
    """The provider for the configured credentials (sharing its sign-in through `share`); registers every secret."""
    if settings.access_token is not None:
        token = settings.access_token.get_secret_value()
        REDACTOR.add(token)
        return StaticToken(token)
    sign_in = sign_in_for(settings)
    if sign_in is None:
        return NoCredentials()
    REDACTOR.add(*sign_in.secrets())
    return SigningIn(sign_in, poster, clock=clock, share=share)
