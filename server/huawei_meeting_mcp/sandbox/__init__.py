"""The built-in sandbox of the Huawei Cloud Meeting API: sample meetings, real auth and errors."""

from .app import DEFAULT_TOKEN, ERROR_CASES, Sandbox, serve_forever, serving
from .data import DOCS_EXAMPLE_UUID, LARGE_UUID, RECURRING_UUID

__all__ = [
    "DEFAULT_TOKEN",
    "DOCS_EXAMPLE_UUID",
    "ERROR_CASES",
    "LARGE_UUID",
    "RECURRING_UUID",
    "Sandbox",
    "serve_forever",
    "serving",
]
