"""The sandbox's sign-in APIs (API doc §4), verified as strictly as the service verifies them.

- `POST /v2/usg/acs/auth/appauth`: the HMAC-SHA256 signature over `appId:userId:expireTime:nonce`
  (`appId:corpId:userId:expireTime:nonce` for a multi-enterprise app) under the App Key, the
  `access=` part, the body fields and the signature's `expireTime` against the sandbox clock.
- `POST /v1/usg/acs/auth/account`: Basic credentials, and disabled (412) or locked (423) accounts.

Tokens are random, last `token_lifetime` seconds by the sandbox clock (or until `expire_all()`),
obey the 64-tokens-per-user rule of `clientType` 72, and can be revoked. The answer is a full TokenDTO, including the
`refreshToken` and the `user` block with device passwords that the real service sends, so tests
can prove none of it leaks. The verification is written independently of the server's signing code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

APP_AUTH_PATH = "/v2/usg/acs/auth/appauth"
ACCOUNT_AUTH_PATH = "/v1/usg/acs/auth/account"

DEFAULT_APP_ID = "5a4d0e7cSANDBOXdemoAPPID00000001"
DEFAULT_APP_KEY = "SandboxAppKey0000demo0000key0000000000000"
DEFAULT_ACCOUNT = "sandbox-admin"
DEFAULT_PASSWORD = "Sandbox#Demo2024"  # noqa: S105 - the sandbox's published demo password
DISABLED_ACCOUNT = "sandbox-disabled"
LOCKED_ACCOUNT = "sandbox-locked"
DEFAULT_TOKEN_LIFETIME = 86400

TOKENS_PER_USER_API = 64
"""Valid tokens one user may hold with clientType 72; any other clientType allows one (§4.1)."""

_HMAC_HEADER = re.compile(r"HMAC-SHA256 signature=(?P<signature>[0-9A-Fa-f]{64}),access=(?P<access>[A-Za-z0-9+/=]+)")

AccountState = Literal["active", "disabled", "locked"]


@dataclass
class SandboxAccount:
    """An account the account sign-in API knows."""

    password: str
    state: AccountState = "active"


def default_accounts() -> dict[str, SandboxAccount]:
    """One working account, one disabled and one locked (all with the demo password)."""
    return {
        DEFAULT_ACCOUNT: SandboxAccount(DEFAULT_PASSWORD),
        DISABLED_ACCOUNT: SandboxAccount(DEFAULT_PASSWORD, "disabled"),
        LOCKED_ACCOUNT: SandboxAccount(DEFAULT_PASSWORD, "locked"),
    }


@dataclass(frozen=True)
class SignInAttempt:
    """One call to a sign-in API and how it ended (status 200: a token was issued)."""

    path: str
    status: int
    error_code: str | None


@dataclass(eq=False)
class _Token:
    value: str
    user: str
    expires_at: float
    person: str | None = None
    """The App ID sign-in's `userId`; None for the administrator (no `userId`) and account sign-in."""


class _Refusal(Exception):
    def __init__(self, status: int, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


_ILLEGAL = _Refusal(400, "USG.000000003", "Illegal parameter.")
_APP_AUTH_FAILED = _Refusal(401, "USG.206010025", "App ID authentication failed.")
_SIGNATURE_EXPIRED = _Refusal(401, "USG.206010057", "App ID authentication expired.")
_WRONG_PASSWORD = _Refusal(401, "USG.206010000", "User name or password is incorrect.")
_NOT_IN_CORP = _Refusal(400, "USG.206110009", "Unauthorized: the app does not belong to the enterprise.")
# The documents give only the status for these two, so no error code is invented for them.
_DISABLED = _Refusal(412, None, "The account has been disabled.")
_LOCKED = _Refusal(423, None, "The account has been locked.")


def _text(body: Mapping[str, Any], key: str, low: int, high: int, *, required: bool) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise _ILLEGAL
    return value


def _integer(body: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _ILLEGAL
    return value


class AuthApi:
    """Both sign-in endpoints, the tokens they issued, and a record of every attempt."""

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_key: str = DEFAULT_APP_KEY,
        corp_ids: Iterable[str] | None = None,
        accounts: Mapping[str, SandboxAccount] | None = None,
        token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`corp_ids` makes the app a multi-enterprise (SP) app serving those enterprises."""
        self.app_id = app_id
        self.app_key = app_key
        self.corp_ids = None if corp_ids is None else set(corp_ids)
        self.accounts = dict(default_accounts() if accounts is None else accounts)
        self.token_lifetime = token_lifetime
        self.clock = clock
        self.attempts: list[SignInAttempt] = []
        self.refused_tokens = 0
        """Business calls that came with a token issued here that had expired or been revoked."""
        self._tokens: dict[str, _Token] = {}
        self._by_user: dict[str, deque[_Token]] = {}
        self._issued_secrets: set[str] = set()
        self.known_users: set[str] | None = None
        """The enterprise's user IDs (the `Sandbox` fills it from its meetings); None: every ID is known."""
        self.app_sign_ins: Counter[str] = Counter()
        """App ID sign-ins that issued a token, per `userId` ("" is the administrator: no `userId`)."""
        self.registrations: Counter[str] = Counter()
        """Sign-ins with a `userId` the enterprise did not know: Huawei registers such a user automatically."""

    @property
    def sign_ins(self) -> int:
        """How many tokens were issued."""
        return sum(1 for attempt in self.attempts if attempt.status == 200)

    def routes(self) -> list[Route]:
        """The Starlette routes of both sign-in endpoints."""
        return [
            Route(APP_AUTH_PATH, self._app_auth, methods=["POST"]),
            Route(ACCOUNT_AUTH_PATH, self._account_auth, methods=["POST"]),
        ]

    def accepts(self, token: str) -> bool:
        """True when `token` was issued here, is not revoked and has not expired by the sandbox clock."""
        issued = self._tokens.get(token)
        if issued is not None and self.clock() < issued.expires_at:
            return True
        if issued is not None or token in self._issued_secrets:
            self.refused_tokens += 1
        return False

    def person(self, token: str) -> str | None:
        """The `userId` a token was issued to; None for the administrator, account sign-in or a static token."""
        issued = self._tokens.get(token)
        return issued.person if issued is not None else None

    def valid_tokens(self) -> list[str]:
        """The tokens that would be accepted now."""
        now = self.clock()
        return [t.value for t in self._tokens.values() if now < t.expires_at]

    def revoke(self, token: str) -> None:
        """Invalidate one token, as logging out or an administrator would."""
        issued = self._tokens.pop(token, None)
        if issued is not None:
            self._by_user[issued.user].remove(issued)

    def expire_all(self) -> None:
        """End every token's lifetime now, as if its validPeriod had run out (without moving the clock)."""
        now = self.clock()
        for token in self._tokens.values():
            token.expires_at = min(token.expires_at, now)

    def revoke_all(self) -> None:
        """Invalidate every token issued so far."""
        self._tokens.clear()
        self._by_user.clear()

    def secret_strings(self) -> set[str]:
        """The App Key, the passwords, and every token, refresh token and device password ever issued."""
        return {self.app_key, *(a.password for a in self.accounts.values()), *self._issued_secrets}

    async def _app_auth(self, request: Request) -> Response:
        return await self._answer(request, self._check_app_id)

    async def _account_auth(self, request: Request) -> Response:
        return await self._answer(request, self._check_account)

    async def _answer(
        self, request: Request, check: Callable[[Request, Mapping[str, Any]], tuple[str, int, dict[str, Any]]]
    ) -> Response:
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        headers = {"X-Request-Id": request_id, "Server": "api-gateway"}
        try:
            body = await self._json_body(request)
            user, client_type, user_info = check(request, body)
        except _Refusal as refusal:
            self.attempts.append(SignInAttempt(request.url.path, refusal.status, refusal.code))
            error = {"error_msg": refusal.message}
            if refusal.code is not None:
                error = {"error_code": refusal.code, **error}
            return JSONResponse(error, refusal.status, headers, media_type="application/json;charset=UTF-8")
        self.attempts.append(SignInAttempt(request.url.path, 200, None))
        client_host = request.client.host if request.client else "127.0.0.1"
        dto = self._issue(user, client_type, user_info, client_host)
        return JSONResponse(dto, 200, headers, media_type="application/json;charset=UTF-8")

    @staticmethod
    async def _json_body(request: Request) -> Mapping[str, Any]:
        if not request.headers.get("Content-Type", "").lower().startswith("application/json"):
            raise _ILLEGAL
        try:
            body = await request.json()
        except ValueError:
            raise _ILLEGAL from None
        if not isinstance(body, dict):
            raise _ILLEGAL
        return body

    def _check_app_id(self, request: Request, body: Mapping[str, Any]) -> tuple[str, int, dict[str, Any]]:
        header = _HMAC_HEADER.fullmatch(request.headers.get("Authorization", ""))
        if header is None:
            raise _APP_AUTH_FAILED
        app_id = _text(body, "appId", 1, 64, required=True) or ""
        client_type = _integer(body, "clientType", 0, 255)
        expire_time = _integer(body, "expireTime", 0, 2**63 - 1)
        nonce = _text(body, "nonce", 32, 64, required=True) or ""
        user_id = _text(body, "userId", 0, 64, required=False) or ""
        corp_id = _text(body, "corpId", 0, 32, required=False) or ""
        expected_access = base64.b64encode(app_id.encode()).decode("ascii")
        if app_id != self.app_id or header["access"] != expected_access:
            raise _APP_AUTH_FAILED
        if self.corp_ids is None:
            if corp_id:  # a corpId sent for a single-enterprise app fails (§4.1)
                raise _APP_AUTH_FAILED
            signed = f"{app_id}:{user_id}:{expire_time}:{nonce}"
        else:
            signed = f"{app_id}:{corp_id}:{user_id}:{expire_time}:{nonce}"
        expected = hmac.new(self.app_key.encode(), signed.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, header["signature"].lower()):
            raise _APP_AUTH_FAILED
        if expire_time != 0 and self.clock() > expire_time:
            raise _SIGNATURE_EXPIRED
        if corp_id and self.corp_ids is not None and corp_id not in self.corp_ids:
            raise _NOT_IN_CORP
        self.app_sign_ins[user_id] += 1
        if user_id and self.known_users is not None and user_id not in self.known_users:
            self.registrations[user_id] += 1
            self.known_users.add(user_id)
        info = {
            "userId": user_id or "sandbox-admin",
            "thirdAccount": user_id,
            "appId": app_id,
            "adminType": 2 if user_id else 0,
            "companyId": corp_id or "sandbox",
        }
        return f"app/{corp_id}/{user_id}", client_type, info

    def _check_account(self, request: Request, body: Mapping[str, Any]) -> tuple[str, int, dict[str, Any]]:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise _WRONG_PASSWORD from None
        name, colon, password = decoded.partition(":")
        account_name = _text(body, "account", 1, 255, required=True)
        client_type = _integer(body, "clientType", 0, 255)
        account = self.accounts.get(name)
        if (
            scheme != "Basic"
            or not colon
            or account is None
            or account_name != name
            or not hmac.compare_digest(password.encode(), account.password.encode())
        ):
            raise _WRONG_PASSWORD
        if account.state == "disabled":
            raise _DISABLED
        if account.state == "locked":
            raise _LOCKED
        info = {"userId": name, "ucloginAccount": name, "adminType": 0, "companyId": "sandbox"}
        return f"account/{name}", client_type, info

    def _issue(self, user: str, client_type: int, user_info: dict[str, Any], client_host: str) -> dict[str, Any]:
        now = self.clock()
        person = user_info.get("thirdAccount") or None
        token = _Token("stb" + secrets.token_hex(24), user, now + self.token_lifetime, person)
        held = self._by_user.setdefault(user, deque())
        held.append(token)
        while len(held) > (TOKENS_PER_USER_API if client_type == 72 else 1):
            self._tokens.pop(held.popleft().value, None)
        self._tokens[token.value] = token
        refresh = "rtk" + secrets.token_hex(24)
        device_password, paid_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
        self._issued_secrets.update({token.value, refresh, device_password, paid_password})
        return {
            "accessToken": token.value,
            "validPeriod": self.token_lifetime,
            "expireTime": int(now) + self.token_lifetime,
            "createTime": int(now * 1000),
            "tokenIp": client_host,
            "clientType": client_type,
            "tokenType": 0,
            "refreshToken": refresh,
            "refreshValidPeriod": 2 * self.token_lifetime,
            "refreshExpireTime": int(now) + 2 * self.token_lifetime,
            "refreshCreateTime": int(now * 1000),
            "forceLoginInd": 0,
            "firstLogin": False,
            "pwdExpired": False,
            "daysPwdAvailable": 90,
            "delayDelete": False,
            "user": {
                "serviceAccount": "+991116001234",
                "spId": "sandbox-sp",
                "userType": 2,
                "name": "Sandbox Admin",
                "corpType": 0,
                "password": device_password,
                "paidPassword": paid_password,
                **user_info,
            },
        }
