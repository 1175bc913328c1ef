"""Per-person authorization in HTTP mode (`HUAWEI_MEETING_HTTP_AUTH=oauth`): the server as an OAuth 2.1 resource server.

The company's identity provider issues each person an access token (a JWT) for this server; clients
find the provider through the protected-resource metadata served here (RFC 9728) and present the token
on every request. `OAuthGate` checks it before anything else runs:

- no token, or a token that fails a check: 401 with `WWW-Authenticate: Bearer resource_metadata=..., scope=...`;
- a valid token without `HUAWEI_MEETING_OAUTH_SCOPE`: 403 `insufficient_scope` (clients may step up);
- a valid token that names no usable Huawei user ID (claim missing, empty, malformed, or not on the
  allow-list): 403 `access_denied`, and no sign-in happens. An empty `userId` would sign in as the
  enterprise's administrator, and an unknown one is registered into the enterprise by Huawei.

`JwtVerifier` checks the signature against the issuer's published keys (`IssuerKeys`: found through
its metadata, cached, fetched again on an unknown key ID at most once per cooldown), `iss` exactly,
`aud` naming this server's public URL (RFC 8707), `exp`/`nbf` with a small leeway, an asymmetric
algorithm (never `none` or HS*, so a public key can never serve as an HMAC secret) that matches the
key, and the `typ` header (RFC 9068's `at+jwt`, or the plain `JWT` that Entra ID and Keycloak send).

The caller's token never goes to Huawei: `people.People` signs each person in with the operator's App
ID and `userId` = the claim's value, one token per person (see docs/team.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import jwt
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware, get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.shared.auth import ProtectedResourceMetadata
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import MeetingError
from .observe import auth_refused
from .settings import ENV_PREFIX, ConfigError, Settings, is_loopback_host

logger = logging.getLogger(__name__)

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""Asymmetric signature algorithms only: `none` and HS* are refused before any key is looked up."""
KEY_TYPES = frozenset({"RSA", "EC", "OKP"})
TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt", "jwt"})
"""Accepted `typ` headers (compared in lower case), or none at all (Okta sends none). An ID token
(`aud` = a client ID) is kept out by the audience check, whatever its `typ`."""
LEEWAY = 60
"""Seconds of clock difference allowed on `exp`, `nbf` and `iat`."""
MAX_TOKEN_CHARS = 16_384
KEYS_TTL = 300.0
"""Seconds the issuer's key set is used before it is fetched again."""
UNKNOWN_KEY_COOLDOWN = 30.0
"""A token naming a key ID not in the set fetches the set again, at most once per this many seconds."""
FETCH_TIMEOUT = 10.0
MAX_METADATA_BYTES = 256 * 1024
MAX_USER_ID = 64
"""Huawei's limit on an App ID sign-in's `userId`."""
METADATA_ROOT = "/.well-known/oauth-protected-resource"


@dataclass(frozen=True)
class OAuthConfig:
    """Oauth mode's settings, checked together at start-up."""

    issuer: str
    resource: str
    """The public URL of /mcp: the `resource` of the metadata and the audience every token must name."""
    user_claim: str
    scope: str
    admin_scope: str
    allowed_users: frozenset[str] | None = field(default=None, repr=False)

    @property
    def metadata_url(self) -> str:
        """Where clients read the protected-resource metadata: the path-inserted well-known URL (RFC 9728 §3.1)."""
        parts = urlsplit(self.resource)
        path = parts.path.rstrip("/")
        return f"{parts.scheme}://{parts.netloc}{METADATA_ROOT}{path}"

    def metadata(self) -> dict[str, Any]:
        """The protected-resource metadata document."""
        document = ProtectedResourceMetadata.model_validate(
            {
                "resource": self.resource,
                "authorization_servers": [self.issuer],
                "scopes_supported": [self.scope, self.admin_scope],
                "bearer_methods_supported": ["header"],
                "resource_name": "huawei-meeting-mcp",
            }
        )
        data: dict[str, Any] = json.loads(document.model_dump_json(exclude_none=True))
        data["resource"] = self.resource  # exactly as configured: pydantic would add a trailing slash to a bare host
        data["authorization_servers"] = [self.issuer]
        return data


def _variable(name: str) -> str:
    return ENV_PREFIX + name.upper()


def oauth_config(settings: Settings) -> OAuthConfig:
    """The oauth mode's settings, or ConfigError saying what is missing or contradicts it."""
    mode = f"{_variable('http_auth')}=oauth"
    if settings.oauth_issuer is None:
        raise ConfigError(f"{mode} needs {_variable('oauth_issuer')}: your identity provider's issuer URL.")
    if settings.http_public_url is None:
        raise ConfigError(
            f"{mode} needs {_variable('http_public_url')}: the public URL of this server's /mcp endpoint "
            "(e.g. https://mcp.example.com/mcp), which every access token must name as its audience."
        )
    if settings.credentials != "app_id":
        now = "no credentials" if settings.credentials is None else f"{settings.credentials} credentials"
        raise ConfigError(
            f"{mode} signs each person in to Huawei as themselves, which only App ID sign-in can do: set "
            f"{_variable('app_id')} and {_variable('app_key')} (now: {now})."
        )
    if settings.user_id is not None:
        raise ConfigError(
            f"{mode} signs each person in with the user ID their access token names: unset {_variable('user_id')}."
        )
    if settings.http_token is not None:
        raise ConfigError(
            f"{_variable('http_token')} is set, but {mode} accepts only your identity provider's tokens: unset one."
        )
    return OAuthConfig(
        issuer=settings.oauth_issuer,
        resource=settings.http_public_url,
        user_claim=settings.oauth_user_claim,
        scope=settings.oauth_scope,
        admin_scope=settings.oauth_admin_scope,
        allowed_users=allowed_users(settings.oauth_allowed_users),
    )


def allowed_users(value: str | None) -> frozenset[str] | None:
    """The allow-list: comma-separated user IDs, or `@PATH` to a file of one per line (# comments); None if unset."""
    if value is None:
        return None
    variable = _variable("oauth_allowed_users")
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{variable} names a file that cannot be read ({type(exc).__name__}).") from None
        entries = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    else:
        entries = [part.strip() for part in value.split(",")]
    users = frozenset(entry for entry in entries if entry)
    bad = sum(1 for user in users if user_id_problem(user) is not None)
    if bad:
        raise ConfigError(f"{variable}: {bad} entries are not user IDs (1-{MAX_USER_ID} printable characters).")
    if not users:
        raise ConfigError(f"{variable} is set but lists nobody; unset it to serve everyone the issuer vouches for.")
    return users


def user_id_problem(value: object) -> str | None:
    """Why `value` cannot be a Huawei user ID (None when it can): missing, empty, too long, or unprintable."""
    if value is None:
        return "is missing"
    if not isinstance(value, str):
        return "is not a string"
    if not value.strip():
        return "is empty"
    if len(value) > MAX_USER_ID:
        return f"is longer than {MAX_USER_ID} characters"
    if not value.isprintable() or any(char.isspace() for char in value):
        return "has spaces or unprintable characters"
    return None


class TokenRefused(Exception):
    """An access token failed a check; the message says which (it never contains the token)."""


class KeysUnavailable(TokenRefused):
    """The issuer's metadata or key set could not be read; `reason` says what failed (for `check`)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]]
    """The usable JWKs by key ID ("" for a key without one)."""
    fetched_at: float


class IssuerKeys:
    """The issuer's signing keys: found through its metadata, cached, fetched again on an unknown key ID.

    Fetches are single flight (one lock) and never block the event loop (httpx, async). A token naming
    an unknown key ID fetches the set again at most once per `cooldown`, so forged key IDs cannot make
    the server hammer the issuer.
    """

    def __init__(
        self,
        issuer: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        ttl: float = KEYS_TTL,
        cooldown: float = UNKNOWN_KEY_COOLDOWN,
    ) -> None:
        self.issuer = issuer
        self._transport = transport
        self._clock = clock
        self._ttl = ttl
        self._cooldown = cooldown
        self._lock = anyio.Lock()
        self._jwks_uri: str | None = None
        self._set: _KeySet | None = None
        self._last_attempt = float("-inf")
        self.fetches = 0
        """Key-set fetches made (metadata fetches not counted), for tests."""

    async def read(self) -> int:
        """Read the signing keys now (what `check` does); how many usable keys the issuer publishes.

        Raises KeysUnavailable, whose `reason` says what failed, when they cannot be read.
        """
        return len((await self._refresh(force=False)).keys)

    async def jwk(self, kid: str | None) -> dict[str, Any]:
        """The JWK for `kid` (None: the set's only key); TokenRefused if the issuer has no such key."""
        wanted = kid or ""
        current = self._set
        now = self._clock()
        if current is None or now - current.fetched_at >= self._ttl:
            current = await self._refresh(force=False)
        found = self._pick(current, wanted, kid is None)
        if found is None and self._clock() - self._last_attempt >= self._cooldown:
            current = await self._refresh(force=True)
            found = self._pick(current, wanted, kid is None)
        if found is None:
            raise TokenRefused("signed with a key the issuer does not publish")
        return found

    @staticmethod
    def _pick(keys: _KeySet, wanted: str, anonymous: bool) -> dict[str, Any] | None:
        if anonymous:
            return next(iter(keys.keys.values())) if len(keys.keys) == 1 else None
        return keys.keys.get(wanted)

    async def _refresh(self, *, force: bool) -> _KeySet:
        async with self._lock:
            current = self._set
            now = self._clock()
            if current is not None and not force and now - current.fetched_at < self._ttl:
                return current  # another request fetched it while this one waited
            if current is not None and force and now - self._last_attempt < self._cooldown:
                return current
            self._last_attempt = now
            try:
                async with httpx.AsyncClient(
                    transport=self._transport, timeout=FETCH_TIMEOUT, follow_redirects=False, trust_env=False
                ) as http:
                    if self._jwks_uri is None:
                        self._jwks_uri = await self._discover(http)
                    document = await _get_json(http, self._jwks_uri)
            except (httpx.HTTPError, ValueError) as exc:
                logger.warning("Reading the issuer's signing keys failed: %s", type(exc).__name__)
                if current is not None:
                    return current
                reason = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__} from {self.issuer}"
                raise KeysUnavailable("the issuer's signing keys could not be read", reason) from None
            self.fetches += 1
            self._set = _KeySet(usable_keys(document), now)
            logger.info("Read %d signing keys from the issuer", len(self._set.keys))
            return self._set

    async def _discover(self, http: httpx.AsyncClient) -> str:
        """The issuer's `jwks_uri`, from its RFC 8414 metadata or, failing that, its OpenID configuration."""
        unreachable: httpx.TransportError | None = None
        for url in metadata_urls(self.issuer):
            try:
                metadata = await _get_json(http, url)
            except httpx.TransportError as exc:
                unreachable = exc
                continue
            except (httpx.HTTPError, ValueError):
                continue
            if not isinstance(metadata, dict) or metadata.get("issuer") != self.issuer:
                raise ValueError("the metadata names another issuer")  # RFC 8414 §3.3
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not _fetchable(jwks_uri):
                raise ValueError("the metadata has no usable jwks_uri")
            return jwks_uri
        if unreachable is not None:
            raise unreachable  # not a missing document: the issuer did not answer
        raise ValueError("no authorization server metadata found")


def metadata_urls(issuer: str) -> list[str]:
    """Where an issuer's metadata lives: RFC 8414's path-inserted URL, then OpenID Connect's appended one."""
    parts = urlsplit(issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    return [
        f"{origin}/.well-known/oauth-authorization-server{path}",
        f"{origin}{path}/.well-known/openid-configuration",
    ]


def _fetchable(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname))


async def _get_json(http: httpx.AsyncClient, url: str) -> Any:
    """GET `url` as JSON, at most MAX_METADATA_BYTES; ValueError for anything but a 200 with JSON."""
    async with http.stream("GET", url, headers={"Accept": "application/json"}) as response:
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body.extend(chunk)
            if len(body) > MAX_METADATA_BYTES:
                raise ValueError("too large")
    return json.loads(body)


def usable_keys(document: Any) -> dict[str, dict[str, Any]]:
    """The signature keys of a JWKS document by key ID: asymmetric, public, for signing; the rest skipped."""
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list):
        raise ValueError("not a JWK set")
    usable: dict[str, dict[str, Any]] = {}
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in KEY_TYPES or "d" in key:
            continue
        if key.get("use", "sig") != "sig" or key.get("alg", "RS256") not in ALGORITHMS:
            continue
        kid = key.get("kid", "")
        if isinstance(kid, str):
            usable[kid] = key
    return usable


class JwtVerifier:
    """Checks access tokens issued by one issuer for one resource (the SDK's `TokenVerifier` protocol)."""

    def __init__(self, config: OAuthConfig, keys: IssuerKeys, *, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._keys = keys
        self._clock = clock

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's `AccessToken` when every check passes, else None (the reason is logged)."""
        try:
            return await self.check(token)
        except TokenRefused as exc:
            logger.info("Refused an access token: %s", exc)
            return None

    async def check(self, token: str) -> AccessToken:
        """The token's `AccessToken`; TokenRefused saying which check failed."""
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenRefused("longer than any access token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("not a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRefused("not signed with an accepted asymmetric algorithm")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.lower() not in TOKEN_TYPES):
            raise TokenRefused("its typ header says it is not an access token")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenRefused("its key ID is not a string")
        key = signing_key(await self._keys.jwk(kid), str(algorithm))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[str(algorithm)],
                audience=self._config.resource,
                issuer=self._config.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud", "sub"], "verify_iat": True},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRefused("not valid yet (nbf or iat in the future)") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("issued for another resource (aud)") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("issued by another issuer (iss)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRefused(f"has no {exc.claim} claim") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused("its signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"invalid ({type(exc).__name__})") from None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or ""),
            scopes=token_scopes(claims),
            expires_at=int(claims["exp"]),
            resource=self._config.resource,
            subject=str(claims["sub"]),
            claims=claims,
        )


def signing_key(jwk: Mapping[str, Any], algorithm: str) -> jwt.PyJWK:
    """The key to verify with, bound to `algorithm`; TokenRefused when the key is not for that algorithm."""
    declared = jwk.get("alg")
    if declared is not None and declared != algorithm:
        raise TokenRefused("its algorithm is not the key's")
    try:
        return jwt.PyJWK(dict(jwk), algorithm=algorithm)
    except jwt.PyJWTError:
        raise TokenRefused("its algorithm does not fit the key's type") from None


def token_scopes(claims: Mapping[str, Any]) -> list[str]:
    """The token's scopes: the space-separated `scope` claim (RFC 9068), or `scp` (Entra ID, Okta)."""
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [item for item in value if isinstance(item, str)]
    return []


@dataclass(frozen=True)
class Person:
    """Who a verified request acts for: their Huawei user ID, and whether they may see the whole enterprise."""

    user_id: str = field(repr=False)
    admin: bool

    @property
    def tag(self) -> str:
        """A stable, short digest of the user ID for logs (never the ID or the token itself)."""
        return hashlib.sha256(self.user_id.encode()).hexdigest()[:12]


class NotAPerson(Exception):
    """A valid token that names no Huawei user this server may act for; the message says why."""


def person_of(token: AccessToken, config: OAuthConfig) -> Person:
    """The person a verified token names; NotAPerson when its user claim is missing, unusable or not allowed."""
    value = (token.claims or {}).get(config.user_claim)
    problem = user_id_problem(value)
    if problem is not None:
        raise NotAPerson(f"the token's {config.user_claim} claim {problem}")
    user_id = str(value)
    if config.allowed_users is not None and user_id not in config.allowed_users:
        raise NotAPerson(f"the token's {config.user_claim} is not on this server's allow-list")
    return Person(user_id=user_id, admin=config.admin_scope in token.scopes)


class NoCaller(MeetingError):
    """A tool call in oauth mode without a verified person (never reached through `OAuthGate`)."""

    def __init__(self) -> None:
        super().__init__("This call carries no verified person, so it is not answered: sign in through your client.")


def current_person(config: OAuthConfig) -> Person:
    """The person the current request was verified as (the SDK's auth context); NoCaller if none."""
    token = get_access_token()
    if token is None:
        raise NoCaller
    try:
        return person_of(token, config)
    except NotAPerson:
        raise NoCaller from None


class OAuthGate:
    """ASGI middleware: the protected-resource metadata, and a verified person on every other request.

    `open_paths` (the health route) pass without a token. A request that passes has the SDK's
    `AuthenticatedUser` in its scope and in the auth context, so `get_access_token()` works in tools.
    """

    def __init__(
        self, app: ASGIApp, config: OAuthConfig, verifier: JwtVerifier, open_paths: frozenset[str] = frozenset()
    ) -> None:
        self._app = AuthContextMiddleware(app)
        self._config = config
        self._verifier = verifier
        self._open_paths = open_paths
        local = urlsplit(config.metadata_url).path
        self._metadata_paths = frozenset({METADATA_ROOT, local, METADATA_ROOT + "/mcp"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the metadata, refuse what is not verified, pass the rest with the caller attached."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path = scope["path"]
        if path in self._metadata_paths:
            await self._metadata(scope)(scope, receive, send)
            return
        if path in self._open_paths:
            await self._app(scope, receive, send)
            return
        token = await self._verify(scope)
        if isinstance(token, Response):
            auth_refused(scope, token.status_code)
            await token(scope, receive, send)
            return
        scope["user"] = AuthenticatedUser(token)
        scope["auth"] = AuthCredentials(token.scopes)
        await self._app(scope, receive, send)

    def _metadata(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return JSONResponse({"error": "method_not_allowed"}, status_code=405, headers={"Allow": "GET"})
        return JSONResponse(self._config.metadata(), headers={"Cache-Control": "public, max-age=3600"})

    async def _verify(self, scope: Scope) -> AccessToken | Response:
        scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != "bearer" or not credentials:
            return self._challenge(401, None, "Send 'Authorization: Bearer <access token>' from your sign-in.")
        try:
            token = await self._verifier.check(credentials)
        except TokenRefused as exc:
            logger.info("Refused an access token: %s", exc)
            return self._challenge(401, "invalid_token", f"The access token was refused: it is {exc}.")
        if self._config.scope not in token.scopes:
            logger.info("Refused an access token without the %s scope", self._config.scope)
            return self._challenge(403, "insufficient_scope", f"The access token lacks {self._config.scope}.")
        try:
            person = person_of(token, self._config)
        except NotAPerson as exc:
            logger.warning("Refused a verified access token: %s", exc)
            body = {
                "error": "access_denied",
                "error_description": f"Refused: {exc}. Ask your administrator to map your account to a Huawei user.",
            }
            return JSONResponse(body, status_code=403)
        logger.debug("Request for person %s%s", person.tag, " (admin scope)" if person.admin else "")
        return token

    def _challenge(self, status: int, error: str | None, description: str) -> Response:
        parts = [] if error is None else [f'error="{error}"', f'error_description="{description}"']
        parts += [f'resource_metadata="{self._config.metadata_url}"', f'scope="{self._config.scope}"']
        body = {"error": error or "invalid_request", "error_description": description}
        return JSONResponse(body, status_code=status, headers={"WWW-Authenticate": "Bearer " + ", ".join(parts)})


def protect(app: ASGIApp, settings: Settings, open_paths: frozenset[str]) -> ASGIApp:
    """`app` behind the oauth gate the settings describe; ConfigError when they do not add up."""
    config = oauth_config(settings)
    return OAuthGate(app, config, JwtVerifier(config, IssuerKeys(config.issuer)), open_paths)
