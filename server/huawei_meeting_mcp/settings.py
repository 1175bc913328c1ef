"""Configuration from `HUAWEI_MEETING_*` environment variables, validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "HUAWEI_MEETING_"
DEFAULT_BASE_URL = "https://api.meeting.huaweicloud.com"
INTERNATIONAL_BASE_URL = "https://api-intl.meeting.huaweicloud.com"
MIN_HTTP_TOKEN_LENGTH = 16
UNFILLED_PLACEHOLDER = re.compile(r"^\s*\$\{user_config\.[^}]*\}\s*$")
"""What an MCP Bundle host passes for an optional field the user left blank: the literal `${user_config.x}`."""
UNEXPANDED_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$")
"""A client config's `${VAR}` that the client passed on unexpanded (Claude Code leaves an unset one so)."""
TOKEN_CHARACTERS = re.compile(r"^[\x21-\x7e]+$")
"""What an access token can hold: printable ASCII, no spaces (it travels in an HTTP header)."""


def is_unset(value: object) -> bool:
    """True for a value that means "not set": blank, or a bundle host's unfilled `${user_config.…}` placeholder."""
    return isinstance(value, str) and (not value.strip() or UNFILLED_PLACEHOLDER.match(value) is not None)


@dataclass(frozen=True)
class Expected:
    """What a setting accepts, said the way the error message says it, with its default and an example value."""

    accepts: str
    default: str
    example: str


EXPECTED: dict[str, Expected] = {
    "access_token": Expected("a token from Huawei's auth APIs", "not set", "stb..."),
    "app_id": Expected("an App ID of up to 64 characters", "not set", "a1b2c3d4e5"),
    "app_key": Expected("the App Key of that App ID", "not set", "(from the console)"),
    "user_id": Expected("a user ID of up to 64 characters", "not set (the default administrator)", "alice"),
    "corp_id": Expected("an enterprise ID of up to 32 characters", "not set", "908111111"),
    "account": Expected("an account name of up to 255 characters", "not set", "alice@example.com"),
    "password": Expected("the password of that account", "not set", "(your password)"),
    "base_url": Expected("an https URL (http only for loopback hosts)", DEFAULT_BASE_URL, INTERNATIONAL_BASE_URL),
    "timeout": Expected("a number of seconds, more than 0 and at most 600", "10", "30"),
    "include_contacts": Expected("a boolean: true or false (also 1/0, yes/no, on/off)", "false", "true"),
    "api_times": Expected("utc or local (any case)", "utc", "local"),
    "language": Expected("en-US or zh-CN (any case)", "en-US", "zh-CN"),
    "max_retries": Expected("a whole number from 0 to 5", "2", "3"),
    "cache_ttl": Expected("seconds from 0 (off) to 86400", "300", "60"),
    "concurrency": Expected("a whole number from 1 (one page after another) to 10", "8", "4"),
    "log_level": Expected("DEBUG, INFO, WARNING or ERROR (any case)", "INFO", "DEBUG"),
    "http_token": Expected(f"a secret of at least {MIN_HTTP_TOKEN_LENGTH} characters", "not set", "(a random string)"),
    "http_allowed_hosts": Expected("host names, comma-separated", "none", "mcp.example.com"),
    "http_allowed_origins": Expected("origins, comma-separated", "none", "https://chat.example.com"),
    "demo": Expected("a boolean: true or false (also 1/0, yes/no, on/off)", "false", "true"),
    "http_auth": Expected("token or oauth", "token", "oauth"),
    "oauth_issuer": Expected(
        "the authorization server's issuer URL, https (http only for loopback hosts)",
        "not set",
        "https://login.example.com",
    ),
    "http_public_url": Expected(
        "the public https URL of the /mcp endpoint (http only for loopback hosts)",
        "not set",
        "https://mcp.example.com/mcp",
    ),
    "oauth_user_claim": Expected("a JWT claim name", "huawei_user_id", "employee_id"),
    "oauth_scope": Expected("one OAuth scope", "meetings:read", "mcp:meetings"),
    "oauth_admin_scope": Expected("one OAuth scope", "meetings:admin", "mcp:meetings-admin"),
    "redis_url": Expected(
        "a redis:// or rediss:// URL", "not set (state kept in this process)", "rediss://redis:6379/0"
    ),
    "state_key": Expected(
        "base64 of 32 random bytes",
        "not set",
        "$(python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')",
    ),
    "redis_prefix": Expected("a key prefix of 1 to 64 printable characters", "hwmcp:", "meetings-prod:"),
    "tokens_per_user": Expected("a whole number from 1 to 32", "8", "4"),
    "rate_limit": Expected("requests a minute per Huawei API, 1 to 10000", "not set (no budget)", "90"),
    "oauth_allowed_users": Expected(
        "user IDs, comma-separated, or @PATH to a file of one per line", "not set (everyone)", "@/etc/mcp/users.txt"
    ),
    "metrics_port": Expected("a port number from 0 to 65535", "not set (no metrics)", "9464"),
    "metrics_host": Expected("an address of this machine to listen on", "127.0.0.1", "10.0.0.5"),
    "log_format": Expected("text or json (any case)", "text", "json"),
    "http_path": Expected("a path such as /mcp", "/mcp", "/meetings/mcp"),
}
"""Per setting: the range or choices, the default and an example, for error messages (tests keep it complete)."""


class ConfigError(Exception):
    """A setting is missing, malformed or contradicts another; the message names the variable."""


def is_loopback_host(host: str) -> bool:
    """Return True for localhost and addresses in 127.0.0.0/8 or ::1."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


CredentialKind = Literal["access_token", "app_id", "account"]


@dataclass(frozen=True)
class _Method:
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


_METHODS: dict[CredentialKind, _Method] = {
    "app_id": _Method("App ID sign-in", ("app_id", "app_key"), ("user_id", "corp_id")),
    "account": _Method("account sign-in", ("account", "password")),
    "access_token": _Method("a static access token", ("access_token",)),
}


def variable(name: str) -> str:
    """The environment variable of a setting: `app_id` -> `HUAWEI_MEETING_APP_ID`."""
    return ENV_PREFIX + name.upper()


@dataclass(frozen=True)
class Naming:
    """How messages name a setting: by its environment variable, or by a settings form's field titles."""

    titles: Mapping[str, str] = field(default_factory=dict)
    """Setting name -> the title its form field shows; empty: name environment variables."""

    def label(self, name: str) -> str:
        """The setting as the person sees it: `"API base URL"` in a form, else `HUAWEI_MEETING_BASE_URL`."""
        title = self.titles.get(name)
        return f'"{title}"' if title else variable(name)

    def example(self, name: str, value: str) -> str:
        """An example assignment: `HUAWEI_MEETING_TIMEOUT=30`, or just `30` in a form."""
        return value if name in self.titles else f"{variable(name)}={value}"


ENVIRONMENT = Naming()
"""Messages name environment variables (the command line, JSON client configs)."""
_NAMING: ContextVar[Naming] = ContextVar("naming", default=ENVIRONMENT)
"""The naming `load_settings` was asked for, read by the one validator that writes a whole sentence."""


def form_naming(manifest: Mapping[str, object]) -> Naming:
    """A naming by the MCP Bundle's settings form: each variable's `${user_config.x}` field and its title."""
    server = manifest.get("server")
    config = server.get("mcp_config") if isinstance(server, dict) else None
    env = config.get("env") if isinstance(config, dict) else None
    fields = manifest.get("user_config")
    titles: dict[str, str] = {}
    if isinstance(env, dict) and isinstance(fields, dict):
        for name, value in env.items():
            found = re.fullmatch(r"\$\{user_config\.(\w+)\}", str(value))
            entry = fields.get(found[1]) if found else None
            if str(name).startswith(ENV_PREFIX) and isinstance(entry, dict) and entry.get("title"):
                titles[str(name).removeprefix(ENV_PREFIX).lower()] = str(entry["title"])
    return Naming(titles)


def _env(names: list[str] | tuple[str, ...], naming: Naming = ENVIRONMENT) -> str:
    shown = [naming.label(name) for name in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _verb(names: list[str] | tuple[str, ...]) -> str:
    return "is" if len(names) == 1 else "are"


def credential_problem(is_set: Callable[[str], bool], naming: Naming = ENVIRONMENT) -> str | None:
    """Why the credential settings are half-configured or ambiguous; None when they are usable."""
    given = {
        kind: [name for name in method.required + method.optional if is_set(name)] for kind, method in _METHODS.items()
    }
    used = [kind for kind, names in given.items() if names]
    if len(used) > 1:
        named = "; ".join(_env(given[kind], naming) for kind in used)
        labels = [method.label for method in _METHODS.values()]
        choices = ", ".join(labels[:-1]) + " or " + labels[-1]
        return f"credentials for more than one sign-in method are set ({named}): keep exactly one of {choices}"
    for kind in used:
        method = _METHODS[kind]
        missing = [name for name in method.required if not is_set(name)]
        if missing:
            return (
                f"{_env(given[kind], naming)} {_verb(given[kind])} set but {_env(missing, naming)} "
                f"{_verb(missing)} not: {method.label} needs {_env(method.required, naming)}"
            )
    return None


class Settings(BaseSettings):
    """Everything the server reads from the environment (prefix `HUAWEI_MEETING_`)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    access_token: SecretStr | None = Field(
        default=None, description="A static access token from Huawei's auth APIs (secret); expires in 12-24 h."
    )
    app_id: str | None = Field(
        default=None, max_length=64, description="App ID for App ID sign-in (recommended for production)."
    )
    app_key: SecretStr | None = Field(default=None, description="App Key of that App ID (secret).")
    user_id: str | None = Field(
        default=None,
        max_length=64,
        description="Third-party user ID to act as with App ID sign-in; unset: the enterprise's default admin.",
    )
    corp_id: str | None = Field(
        default=None,
        max_length=32,
        description="Enterprise ID, only for multi-enterprise (SP) apps; switches to the 5-part signature.",
    )
    account: str | None = Field(
        default=None, max_length=255, description="Huawei Cloud Meeting account for account sign-in."
    )
    password: SecretStr | None = Field(default=None, description="Password of that account (secret).")
    base_url: str = Field(
        default=DEFAULT_BASE_URL,
        description="API base URL; https is required except for loopback hosts.",
    )
    timeout: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="Seconds each upstream request may take, retries included (each page of a paged read has its own).",
    )
    include_contacts: bool = Field(
        default=False, description="Include phone numbers and e-mail addresses in tool output."
    )
    api_times: Literal["utc", "local"] = Field(
        default="utc",
        description="How to read the API's 'YYYY-MM-DD HH:MM' times: as UTC or in the meeting's time zone.",
    )
    language: Literal["en-US", "zh-CN"] = Field(
        default="en-US",
        description="Language Huawei uses for labels it localizes (device types, control-record descriptions).",
    )

    max_retries: int = Field(
        default=2, ge=0, le=5, description="Retries of a read after 429, 5xx or a connection error."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Level of the log lines written to stderr."
    )
    cache_ttl: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        description="Seconds to keep what was read of an ended meeting, so paging does not read it again; 0: off.",
    )
    concurrency: int = Field(
        default=8, ge=1, le=10, description="Pages of one answer read at the same time (1: one after another)."
    )
    demo: bool = Field(
        default=False,
        description="Answer from the built-in sandbox (sample meetings) instead of Huawei: no credentials needed.",
    )
    # What operators see (docs/deploy.md): metrics, the log's format.
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port to serve Prometheus metrics on, at /metrics; unset: off."
    )
    metrics_host: str = Field(default="127.0.0.1", description="Address the metrics port listens on.")
    log_format: Literal["text", "json"] = Field(
        default="text", description="stderr log lines as text, or one JSON object per line (with the audit records)."
    )
    http_path: str = Field(
        default="/mcp", description="HTTP mode only: the path MCP is served at (e.g. /meetings/mcp behind a proxy)."
    )

    @field_validator("http_path")
    @classmethod
    def _check_http_path(cls, value: str) -> str:
        path = "/" + value.strip("/")
        if path in ("/", "/health", "/ready") or not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", path):
            raise ValueError("must be a path of letters, digits and . _ ~ - segments, other than /, /health and /ready")
        return path

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _drop_unset(cls, data: object) -> object:
        # Done once, for every setting: a blank value or an unfilled bundle placeholder is the same as no value.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not is_unset(value)}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _trim(cls, value: object) -> object:
        # Every value, secrets first: a key or token pasted with a trailing newline or spaces would otherwise
        # reach Huawei (or an HTTP header) as it is and fail with an error that blames something else.
        if not isinstance(value, str):
            return value
        value = value.strip()
        unexpanded = UNEXPANDED_REFERENCE.match(value)
        if unexpanded and not value.startswith("${user_config."):
            raise ValueError(
                f"is the text {value}, which the MCP client passed on without replacing it: set "
                f"{unexpanded[1]} in the environment the client is started from, or write the value itself"
            )
        return value

    @property
    def credentials(self) -> CredentialKind | None:
        """Which sign-in method is configured, or None when no credentials are."""
        if self.access_token is not None:
            return "access_token"
        if self.app_id is not None:
            return "app_id"
        if self.account is not None:
            return "account"
        return None

    @model_validator(mode="after")
    def _one_credential_method(self) -> Settings:
        problem = credential_problem(lambda name: getattr(self, name) is not None, _NAMING.get())
        if problem:
            raise ValueError(problem)
        return self

    @field_validator("access_token")
    @classmethod
    def _check_access_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_CHARACTERS.match(value.get_secret_value()):
            raise ValueError(  # never echoes the token
                "contains a space, a line break or a character a token cannot have (tokens are printable ASCII): "
                "copy the token again, exactly as Huawei returned it"
            )
        return value

    http_token: SecretStr | None = Field(
        default=None,
        description="HTTP mode only: the bearer token every request to /mcp must carry (secret, 16+ characters).",
    )
    http_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="HTTP mode only: extra Host header values to accept, comma-separated (e.g. mcp.example.com).",
    )
    http_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="HTTP mode only: browser Origins to accept, comma-separated (e.g. https://chat.example.com).",
    )

    # HTTP mode, per-person authorization (docs/team.md); checked as a whole by oauth.oauth_config().
    http_auth: Literal["token", "oauth"] = Field(
        default="token",
        description="HTTP mode only: token (one static bearer, HUAWEI_MEETING_HTTP_TOKEN) or oauth (per-person "
        "access tokens from your identity provider, a Huawei sign-in per person).",
    )
    oauth_issuer: str | None = Field(
        default=None, description="oauth mode: the authorization server's issuer URL (its tokens' iss)."
    )
    http_public_url: str | None = Field(
        default=None,
        description="oauth mode: the public URL of this server's /mcp endpoint: the resource tokens must name (aud).",
    )
    oauth_user_claim: str = Field(
        default="huawei_user_id",
        min_length=1,
        max_length=128,
        description="oauth mode: the access-token claim that holds the person's Huawei user ID.",
    )
    oauth_scope: str = Field(
        default="meetings:read", pattern=r"^[!#-\[\]-~]+$", description="oauth mode: the scope every call needs."
    )
    oauth_admin_scope: str = Field(
        default="meetings:admin",
        pattern=r"^[!#-\[\]-~]+$",
        description="oauth mode: the scope that allows queryAll=true (the whole enterprise's meetings).",
    )
    oauth_allowed_users: str | None = Field(
        default=None,
        description="oauth mode: the only user IDs served, comma-separated or @PATH to a file of one per line.",
    )

    # A fleet's shared state (docs/scaling.md): tokens, read cache and rate limits in Redis; all unset: in-process.
    redis_url: SecretStr | None = Field(
        default=None,
        description="redis:// or rediss:// URL of the Redis the replicas share (secret: it may hold a password); "
        "unset: tokens, cache and rate limits stay in this process.",
    )
    state_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 random bytes: the AES-GCM key of every value kept in Redis (secret); "
        "required with HUAWEI_MEETING_REDIS_URL, the same on every replica.",
    )
    redis_prefix: str = Field(
        default="hwmcp:",
        min_length=1,
        max_length=64,
        pattern=r"^[!-~]+$",
        description="The start of every Redis key this server writes (one per deployment sharing a Redis).",
    )
    tokens_per_user: int = Field(
        default=8,
        ge=1,
        le=32,
        description="With Redis: the most live Huawei tokens the fleet holds per user ID (Huawei evicts past 64).",
    )
    rate_limit: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="With Redis: requests a minute per Huawei API for the whole fleet (Huawei allows about 100).",
    )

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme not in {"redis", "rediss"}:
            raise ValueError("must start with redis:// or rediss:// (rediss: TLS)")  # never echoes the URL
        return value

    @field_validator("state_key")
    @classmethod
    def _check_state_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(state_key_bytes(value)) != STATE_KEY_BYTES:
            raise ValueError(f"must be base64 of exactly {STATE_KEY_BYTES} bytes")  # never echoes the key
        return value

    @model_validator(mode="after")
    def _state_key_with_redis(self) -> Settings:
        if self.redis_url is not None and self.state_key is None:
            naming = _NAMING.get()
            raise ValueError(
                f"{naming.label('redis_url')} is set but {naming.label('state_key')} is not: every value kept in "
                "Redis is encrypted with it; set the same base64 of 32 random bytes on every replica "
                "(python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')"
            )
        return self

    @field_validator("http_auth", mode="before")
    @classmethod
    def _lower_http_auth(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("oauth_issuer", "http_public_url")
    @classmethod
    def _check_oauth_url(cls, value: str | None) -> str | None:
        return None if value is None else oauth_url_problem(value)

    def secrets(self) -> list[SecretStr]:
        """Every secret that is set (tokens, keys, passwords), for the log redactor."""
        return [value for name in type(self).model_fields if isinstance(value := getattr(self, name), SecretStr)]

    @field_validator("http_allowed_hosts", "http_allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("http_token")
    @classmethod
    def _check_http_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_HTTP_TOKEN_LENGTH:
            raise ValueError(
                f"must be at least {MIN_HTTP_TOKEN_LENGTH} characters; make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("language", mode="before")
    @classmethod
    def _spell_language(cls, value: object) -> object:
        if isinstance(value, str):
            return {"en-us": "en-US", "zh-cn": "zh-CN"}.get(value.strip().lower(), value)
        return value

    @field_validator("api_times", mode="before")
    @classmethod
    def _lower_api_times(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if "@" in parts.netloc:  # checked first, and never echoed: the URL carries a password
            raise ValueError(
                "must not contain a user name or password (user:password@host); remove them: "
                "the server signs in with the HUAWEI_MEETING_* credential settings"
            )
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"must be an http(s) URL such as {DEFAULT_BASE_URL}")
        if parts.scheme == "http" and not is_loopback_host(parts.hostname):
            raise ValueError("must use https (plain http is allowed only for loopback hosts such as 127.0.0.1)")
        if parts.query or parts.fragment:
            raise ValueError("must not carry a query string or fragment")
        return value.strip().rstrip("/")


STATE_KEY_BYTES = 32
"""An AES-256-GCM key."""


def state_key_bytes(value: SecretStr) -> bytes:
    """The state key's bytes (empty when it is not base64)."""
    try:
        return base64.b64decode(value.get_secret_value(), validate=True)
    except (binascii.Error, ValueError):
        return b""


def oauth_url_problem(value: str) -> str:
    """`value` as an https URL (http only on loopback) without credentials, query or fragment; ValueError if not."""
    parts = urlsplit(value.strip())
    if "@" in parts.netloc:
        raise ValueError("must not contain a user name or password")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("must be an https URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError("must use https (plain http is allowed only for loopback hosts such as 127.0.0.1)")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query string or fragment")
    return value.strip()


def load_settings(naming: Naming = ENVIRONMENT) -> Settings:
    """Read the settings from the environment, or raise ConfigError naming each bad setting as `naming` says."""
    reset = _NAMING.set(naming)
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            _problem(error["loc"], error["msg"], naming) for error in exc.errors(include_input=False, include_url=False)
        ]
        raise ConfigError("Invalid configuration: " + "; ".join(dict.fromkeys(problems)) + ".") from None
    finally:
        _NAMING.reset(reset)


def _problem(loc: tuple[int | str, ...], message: str, naming: Naming = ENVIRONMENT) -> str:
    """One bad setting, said as: the setting, what is wrong, what it accepts, its default and an example."""
    message = message.removeprefix("Value error, ")
    if not loc:
        return message
    name = str(loc[0])
    label = naming.label(name)
    expected = EXPECTED.get(name)
    if expected is None:
        return f"{label} {message}"
    return (
        f"{label} {message} (expected {expected.accepts}; default {expected.default}; "
        f"for example {naming.example(name, expected.example)})"
    )


KNOWN_VARIABLES = frozenset(variable(name) for name in Settings.model_fields)
LIKELY_MEANT = {
    "TOKEN": "access_token",
    "API_TOKEN": "access_token",
    "URL": "base_url",
    "API_URL": "base_url",
    "ENDPOINT": "base_url",
    "APP_SECRET": "app_key",
    "SECRET": "app_key",
    "USERNAME": "account",
}
"""Names other APIs use for a setting, which spelling alone would not lead to."""


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning per `HUAWEI_MEETING_*` variable that is no setting (a typo is otherwise silently ignored)."""
    environ = os.environ if environ is None else environ
    warnings = []
    suffixes = {known.removeprefix(ENV_PREFIX): known for known in KNOWN_VARIABLES}
    squeezed = {suffix.replace("_", ""): known for suffix, known in suffixes.items()}
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper in KNOWN_VARIABLES:
            continue
        suffix = upper.removeprefix(ENV_PREFIX)
        meant = LIKELY_MEANT.get(suffix)
        close = (
            (variable(meant) if meant else None)
            or squeezed.get(suffix.replace("_", ""))
            or next(
                (suffixes[match] for match in difflib.get_close_matches(suffix, sorted(suffixes), n=1, cutoff=0.6)),
                None,
            )
        )
        hint = f"did you mean {close}?" if close else "the settings are listed by `huawei-meeting-mcp check`"
        warnings.append(f"{name} is not a setting and is ignored ({hint})")
    return warnings


HTTP_ONLY = ("http_token", "http_allowed_hosts", "http_allowed_origins", "http_path")
"""Settings only `serve --transport http` reads."""
FLEET_ONLY = ("redis_url", "state_key", "redis_prefix", "tokens_per_user", "rate_limit")
"""Settings of a fleet of HTTP replicas sharing Redis (docs/scaling.md): a desktop bundle has no use for them."""

DEPLOYMENT_ONLY = ("metrics_port", "metrics_host", "log_format", *FLEET_ONLY)
"""Settings for a team's deployment (docs/deploy.md, docs/scaling.md): the bundle's form and registry leave them out."""
DEMO_IGNORES = ("access_token", "app_id", "app_key", "user_id", "corp_id", "account", "password", "base_url")
"""Settings the demo does not use: it answers from the built-in sandbox with the sandbox's own token."""


def ignored_settings(settings: Settings, *, http: bool, demo: bool, naming: Naming = ENVIRONMENT) -> list[str]:
    """A warning per setting that is set but ignored by this way of running (HTTP-only ones; credentials in a demo)."""
    given = settings.model_fields_set
    warnings = []
    http_only = [name for name in HTTP_ONLY if name in given]
    if http_only and not http:
        warnings.append(
            f"{_env(http_only, naming)} {_verb(http_only)} set but ignored here: only the HTTP server "
            f"(`huawei-meeting-mcp serve --transport http`) reads {'it' if len(http_only) == 1 else 'them'}"
        )
    demo_ignores = [name for name in DEMO_IGNORES if name in given]
    if demo and demo_ignores:
        warnings.append(
            f"{_env(demo_ignores, naming)} {_verb(demo_ignores)} set but ignored: the demo answers from the "
            "built-in sandbox's sample meetings, never from Huawei"
        )
    return warnings
