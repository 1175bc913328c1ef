"""The built-in sandbox of the Huawei Cloud Meeting API: sample meetings, real auth and errors."""

from .app import DEFAULT_TOKEN, ERROR_CASES, Sandbox, serve_forever, serving
from .auth_api import (
    DEFAULT_ACCOUNT,
    DEFAULT_APP_ID,
    DEFAULT_APP_KEY,
    DEFAULT_PASSWORD,
    DISABLED_ACCOUNT,
    LOCKED_ACCOUNT,
    AuthApi,
    SandboxAccount,
)
from .data import DOCS_EXAMPLE_UUID, LARGE_UUID, RECURRING_UUID, TRANSCODING_UUID, WEBINAR_UUID

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_APP_ID",
    "DEFAULT_APP_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_TOKEN",
    "DISABLED_ACCOUNT",
    "DOCS_EXAMPLE_UUID",
    "ERROR_CASES",
    "LARGE_UUID",
    "LOCKED_ACCOUNT",
    "RECURRING_UUID",
    "TRANSCODING_UUID",
    "WEBINAR_UUID",
    "AuthApi",
    "Sandbox",
    "SandboxAccount",
    "serve_forever",
    "serving",
]
